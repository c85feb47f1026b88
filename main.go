// Command terraform-provider-huaweicloud serves the provider to Terraform.
package main

import (
	"flag"
	"log"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/pluginserver"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

// version is set at link time: -ldflags "-X main.version=1.2.3".
var version = "dev"

// registryAddress is the provider's address in the Terraform registry.
const registryAddress = "registry.terraform.io/fgs-tools/huaweicloud"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers like delve")
	flag.Parse()

	// pluginserver is providerserver.Serve (protocol 6) made cheap for large
	// applies: see its package comment.
	if err := pluginserver.Serve(registryAddress, provider.New(version), debug); err != nil {
		log.Fatal(err.Error())
	}
}
