package provider_test

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/testproxy"
)

// Every source of an endpoint goes through one check, and requests go where
// the user meant: endpoints.fgs in any case, the SDK's region variables and
// regions.yaml, read by the provider itself.
func TestProvider_endpointSources(t *testing.T) {
	t.Parallel()
	runProviderCases(t, []providerCase{
		{name: "FGS key in capitals", block: keysAnd(`endpoints = { FGS = "%[1]s" }`)},
		{name: "uppercase scheme", block: keysAnd(`endpoints = { fgs = "HTTP://%[2]s" }`)},
		{name: "SDK region variable", block: keysAnd(), env: map[string]string{sdkRegionVariable: "%[1]s"}},
		{name: "SDK region variable with an uppercase scheme", block: keysAnd(`region = "cn-north-4"`), env: map[string]string{sdkRegionVariable: "HTTP://%[2]s"}},
		{name: "regions.yaml", block: keysAnd(), env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": "%[3]s/regions.yaml"}},
		{name: "endpoints.fgs wins over the SDK's variable", block: keysAnd(`endpoints = { fgs = "%[1]s" }`),
			env: map[string]string{sdkRegionVariable: "https://functiongraph.invalid"}},
		{name: "SDK region variable with a path prefix, provider region", block: keysAnd(`region = "cn-north-4"`),
			env:       map[string]string{sdkRegionVariable: "%[1]s/prefix"},
			wantError: `Invalid SDK Region Endpoint.*HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_CN_NORTH_4, the SDK's endpoint for region cn-north-4, is invalid: .*has a path \("/prefix"\)`},
		{name: "SDK region variable with a path prefix, region from the URN", block: keysAnd(),
			env:       map[string]string{sdkRegionVariable: "%[1]s/prefix"},
			wantError: `No Endpoint for the Function's Region.*HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_CN_NORTH_4, the SDK's endpoint for region cn-north-4, is invalid`},
		{name: "SDK region variable as a bare host:port", block: keysAnd(`region = "cn-north-4"`),
			env: map[string]string{sdkRegionVariable: "%[2]s"}, wantError: `Invalid SDK Region Endpoint.*"127.0.0.1:\d+" must start with https://`},
		{name: "regions.yaml entry with a path", block: keysAnd(), env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": "%[3]s/regions-prefix.yaml"},
			wantError: `Invalid SDK Region Endpoints.*regions-prefix.yaml: the endpoint of region "cn-north-4" under FUNCTIONGRAPH: .*has a path \("/prefix"\)`},
		{name: "malformed regions.yaml", block: keysAnd(), env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": "%[3]s/regions-bad.yaml"},
			wantError: `Invalid SDK Region Endpoints.*regions-bad.yaml is not valid YAML`},
		{name: "regions file is a FIFO", block: keysAnd(`region = "cn-north-4"`), env: map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": "%[3]s/fifo.yaml"},
			wantError: `Invalid SDK Region Endpoints.*fifo.yaml cannot be read: it is not a regular file`},
		{name: "default regions file is a FIFO", block: keysAnd(`region = "cn-north-4"`), env: map[string]string{"HOME": "%[3]s/fifohome"},
			wantError: `Invalid SDK Region Endpoints.*fifohome/.huaweicloud/regions.yaml cannot be read: it is not a regular file`},
		{name: "CLI profile file is a FIFO", block: []string{`endpoints = { fgs = "%[1]s" }`}, env: map[string]string{"HW_SHARED_CONFIG_FILE": "%[3]s/fifo.yaml"},
			wantError: `Cannot Read Shared Config File.*fifo.yaml \(from HW_SHARED_CONFIG_FILE\) is not a regular file`},
		{name: "fgs set twice", block: keysAnd(`endpoints = { fgs = "%[1]s", Fgs = "%[1]s" }`), wantError: `Endpoint Set Twice.*"Fgs" and "fgs"`},
		{name: "port out of range", block: keysAnd(`endpoints = { fgs = "http://127.0.0.1:99999" }`),
			wantError: `Invalid FunctionGraph Endpoint.*has the port 99999; a port is a number from 1 to 65535`},
		{name: "auth_url as a bare host:port", block: keysAnd(`auth_url = "iam.example.com:443"`, `endpoints = { fgs = "%[1]s" }`),
			wantError: `Invalid IAM Address.*"iam.example.com:443" must start with https://`},
		{name: "TLS against the emulator's plain HTTP", block: keysAnd(`endpoints = { fgs = "https://%[2]s" }`, `max_retries = 3`),
			wantError: `Cannot Reach FunctionGraph.*answered in plain HTTP to a TLS handshake.*write it with http://.*It was not retried.*Attempts: 1`},
	})
}

// A proxy's failures are named as the proxy's; one that refuses the tunnel
// is asked once. Only loopback is dialled: the public endpoint is only named
// in CONNECT to the loopback proxy.
func TestProvider_proxyFailures(t *testing.T) {
	t.Parallel()
	refusing := testproxy.StartRefusing(t)
	misspelt := testproxy.StartRefusing(t)
	dead := "http://" + testproxy.DeadAddress(t)
	cases := []providerCase{
		{name: "dead HTTPS_PROXY", block: keysAnd(`region = "cn-north-4"`, "max_retries = 1"), env: map[string]string{"HTTPS_PROXY": dead},
			wantError: `Cannot Reach FunctionGraph.*the connection to the proxy ` + dead + ` was refused: nothing is listening at the proxy.*went through the HTTP proxy ` + dead + `.*Attempts: 2`},
		{name: "proxy refusing CONNECT", block: keysAnd(`region = "cn-north-4"`, "max_retries = 3"), env: map[string]string{"HTTPS_PROXY": refusing.URL},
			wantError: `Cannot Reach FunctionGraph.*the proxy ` + refusing.URL + ` refused to open a tunnel to functiongraph.cn-north-4.myhuaweicloud.com:443: 403 Forbidden.*It was not retried.*Attempts: 1`,
			check: func(t *testing.T, _ *fgsemu.Emulator) {
				if got := refusing.Targets(); len(got) != 1 || got[0] != "CONNECT functiongraph.cn-north-4.myhuaweicloud.com:443" {
					t.Fatalf("the proxy saw %q, want one CONNECT", got)
				}
			}},
	}
	// An endpoints key no huaweicloud provider reads is an error at
	// validate: the signed cancel goes nowhere, not to the public endpoint.
	for _, key := range []string{"functiongraph", "fgs ", "fgs_endpoint", "FunctionGraph", "ｆｇｓ"} {
		cases = append(cases, providerCase{name: "misspelt endpoints key " + key, block: keysAnd(fmt.Sprintf(`endpoints = { %q = "%%[1]s" }`, key), "max_retries = 0"),
			env: map[string]string{"HTTPS_PROXY": misspelt.URL}, wantError: `Unknown Endpoint Key.*` + regexp.QuoteMeta(strconv.Quote(key)) + `.*This provider uses "fgs"`,
			check: func(t *testing.T, emu *fgsemu.Emulator) {
				if got := misspelt.Targets(); len(got) != 0 || emu.Stats().Requests != 0 {
					t.Fatalf("the proxy saw %q, the emulator %+v", got, emu.Stats())
				}
			}})
	}
	runProviderCases(t, cases)
}
