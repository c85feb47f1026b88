package pluginserver

import (
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// Serve serves the provider at address (registry.terraform.io/owner/type)
// until Terraform stops it. With debug it runs for a debugger, as
// providerserver.Serve's Debug does, and logs as usual.
func Serve(address string, providerFunc func() provider.Provider, debug bool) error {
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		quietDiscardedLogs(os.LookupEnv, os.Setenv, providerLogName(address))
	}
	return ServeWith(address, providerFunc, opts...)
}

// ServeWith serves the provider as Serve does, with tf6server's options as
// given: for a test that serves it in its own process.
func ServeWith(address string, providerFunc func() provider.Provider, opts ...tf6server.ServeOpt) error {
	newServer := ProviderServer(providerFunc)
	if _, err := newServer(); err != nil {
		return err
	}
	// Checked above: every server newServer makes has the same shape.
	return tf6server.Serve(address, func() tfprotov6.ProviderServer { s, _ := newServer(); return s }, opts...)
}

// ProviderServer is what Serve serves, and what every test that starts the
// provider serves: the framework's protocol 6 server, releasing each call's
// context. Its shape is that of terraform-plugin-testing's
// ProtoV6ProviderFactories.
func ProviderServer(providerFunc func() provider.Provider) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		s, err := providerserver.NewProtocol6WithError(providerFunc())()
		if err != nil {
			return nil, err
		}
		return releaseContexts(s)
	}
}

// logLevelVariables are the plugin libraries' own log levels: the SDK root,
// its protocol and framework subsystems, and the provider's logger.
func logLevelVariables(providerName string) []string {
	return []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_" + strings.ToUpper(providerName)}
}

// quietDiscardedLogs turns the plugin libraries' logging off when Terraform
// would discard it. Terraform keeps a provider's log lines only when TF_LOG
// or TF_LOG_PROVIDER is set, but without their own level variables the
// libraries format every line at TRACE anyway and send it to Terraform,
// which parses each one only to drop it: a quarter of the provider's CPU in
// an apply of a thousand cancels. A level the user set is left alone.
func quietDiscardedLogs(lookup func(string) (string, bool), set func(string, string) error, providerName string) {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER"} {
		if level, _ := lookup(v); level != "" {
			return
		}
	}
	for _, v := range logLevelVariables(providerName) {
		if _, ok := lookup(v); !ok {
			_ = set(v, "OFF")
		}
	}
}

// providerLogName is the name tf6server gives the provider's logger: the
// address's type, with dashes as underscores.
func providerLogName(address string) string {
	name := address[strings.LastIndexByte(address, '/')+1:]
	return strings.ReplaceAll(name, "-", "_")
}
