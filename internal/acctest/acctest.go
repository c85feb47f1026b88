package acctest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/pluginserver"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

// Credentials and identifiers the emulator is started with. They are test
// values, never real ones.
const (
	AccessKey = "EMULATORACCESSKEY0001"
	SecretKey = "emulator-secret-key-do-not-log-0001"
	ProjectID = "0123456789abcdef0123456789abcdef"
	Region    = "cn-north-4"
)

// FunctionURN is the URN of a test function in the emulator's project.
func FunctionURN(name string) string {
	return fmt.Sprintf("urn:fss:%s:%s:function:default:%s:latest", Region, ProjectID, name)
}

// StartEmulator starts an emulator that accepts the test credentials and
// knows the given functions; it is closed when the test ends.
func StartEmulator(t testing.TB, functions ...fgsemu.Function) *fgsemu.Emulator {
	t.Helper()
	return StartEmulatorWith(t, fgsemu.Options{}, functions...)
}

// StartEmulatorWith is StartEmulator with options; unless they name keys,
// the emulator accepts the test credentials.
func StartEmulatorWith(t testing.TB, opts fgsemu.Options, functions ...fgsemu.Function) *fgsemu.Emulator {
	t.Helper()
	if opts.Keys == nil {
		opts.Keys = map[string]string{AccessKey: SecretKey}
	}
	emu := fgsemu.New(opts)
	if _, err := emu.Start(""); err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	for _, f := range functions {
		if err := emu.AddFunction(f); err != nil {
			t.Fatalf("adding function %s: %v", f.URN, err)
		}
	}
	return emu
}

// Invoke starts an async invocation in the emulator and returns its request ID.
func Invoke(t testing.TB, emu *fgsemu.Emulator, urn string) string {
	t.Helper()
	id, err := emu.Invoke(urn)
	if err != nil {
		t.Fatalf("invoking %s: %v", urn, err)
	}
	return id
}

// FastRetries keeps retry waits in milliseconds so fault tests run quickly;
// the number of retries stays the configuration's.
var FastRetries = provider.WithRetryPolicy(fgs.RetryPolicy{BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond})

// FastPolls keeps wait_for_stop's status queries milliseconds apart.
var FastPolls = provider.WithStopPollPolicy(fgs.PollPolicy{Interval: 20 * time.Millisecond, MaxInterval: 100 * time.Millisecond})

// Env isolates the provider from the machine's HW_* variables: it sees only these.
func Env(vars map[string]string) provider.Option {
	return provider.WithGetenv(func(k string) string { return vars[k] })
}

// withTestDefaults puts the tests' defaults before opts, which may override
// them: no machine environment, retries and polls milliseconds apart.
func withTestDefaults(opts []provider.Option) []provider.Option {
	return append([]provider.Option{Env(nil), FastRetries, FastPolls}, opts...)
}

// ProviderFactories serves the provider in-process to the Terraform CLI,
// through the function the binary serves it with.
// Unless opts say otherwise, it sees no environment variables.
func ProviderFactories(opts ...provider.Option) map[string]func() (tfprotov6.ProviderServer, error) {
	opts = withTestDefaults(opts)
	return map[string]func() (tfprotov6.ProviderServer, error){
		"huaweicloud": pluginserver.ProviderServer(provider.New("test", opts...)),
	}
}

// ProviderConfig is a provider block pointing at the emulator with the test
// credentials; extra lines go inside the block.
func ProviderConfig(emu *fgsemu.Emulator, extra ...string) string {
	return fmt.Sprintf(`
provider "huaweicloud" {
  access_key = %q
  secret_key = %q
  region     = %q
  endpoints = {
    fgs = %q
  }
%s
}
`, AccessKey, SecretKey, Region, emu.URL(), strings.Join(extra, "\n"))
}

// Main prepares the Terraform CLI for the tests of a package and runs them:
// it needs a terraform binary (or OpenTofu's, named by TF_ACC_TERRAFORM_PATH),
// and gets an empty CLI configuration instead of the machine's (which may
// point at a file that does not exist).
func Main(m *testing.M) {
	r, err := CLIRuntime()
	if err != nil {
		fmt.Fprintf(os.Stderr, "These tests drive the real Terraform CLI: %v.\n", err)
		os.Exit(1)
	}
	// plugin-testing attaches the provider under registry.terraform.io
	// unless told otherwise; OpenTofu looks for it under its own registry.
	if r.OpenTofu() && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_HOST", openTofuRegistry)
	}
	dir, err := os.MkdirTemp("", "tfcli")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// ErrorPattern compiles an expected-error pattern as Terraform prints it:
// '.' spans lines, and each space matches the line breaks Terraform wraps
// long diagnostics at.
func ErrorPattern(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

// StateFunc adapts a function into a state check. Unlike Check functions,
// state checks work with for_each resources.
func StateFunc(fn func(*tfjson.State) error) statecheck.StateCheck { return stateFunc(fn) }

type stateFunc func(*tfjson.State) error

func (f stateFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if err := f(req.State); err != nil {
		resp.Error = err
	}
}

// CountResources counts the resources in a state whose address starts with prefix.
func CountResources(s *tfjson.State, prefix string) int {
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return 0
	}
	n := 0
	for _, r := range s.Values.RootModule.Resources {
		if strings.HasPrefix(r.Address, prefix) {
			n++
		}
	}
	return n
}
