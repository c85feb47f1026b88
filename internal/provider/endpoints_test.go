package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/testproxy"
)

// providerCase is a provider block and environment, with what must follow:
// the cancel accepted by the emulator, or an error before anything reached it.
type providerCase struct {
	name string
	// block lines; %[1]s is the emulator's URL, %[2]s its host:port, %[3]s a temporary directory.
	block []string
	env   map[string]string
	// wantError, if set, must match; unless sent, the emulator must then have seen no cancel.
	wantError string
	sent      bool
	// check, if set, runs after the step.
	check func(t *testing.T, emu *fgsemu.Emulator)
}

func runProviderCases(t *testing.T, tests []providerCase) {
	t.Helper()
	urn := acctest.FunctionURN("hello")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
			dir := t.TempDir()
			fill := func(s string) string {
				s = strings.ReplaceAll(s, "%[1]s", emu.URL())
				s = strings.ReplaceAll(s, "%[2]s", strings.TrimPrefix(emu.URL(), "http://"))
				return strings.ReplaceAll(s, "%[3]s", dir)
			}
			var lines []string
			for _, l := range tt.block {
				lines = append(lines, fill(l))
			}
			env := map[string]string{"HOME": dir}
			for k, v := range tt.env {
				env[k] = fill(v)
			}
			writeTestFiles(t, dir, emu.URL())
			step := resource.TestStep{Config: providerBlock(lines...) + cancelBlock(urn, acctest.Invoke(t, emu, urn))}
			if tt.wantError != "" {
				step.ExpectError = acctest.ErrorPattern(tt.wantError)
			} else {
				step.Check = func(*terraform.State) error {
					if s := emu.Stats(); s.AcceptedCancels != 1 || s.AuthFailures != 0 {
						return fmt.Errorf("want one accepted cancel and no auth failure, got %+v", s)
					}
					return nil
				}
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(env)),
				Steps:                    []resource.TestStep{step},
			})
			if s := emu.Stats(); tt.wantError != "" && !tt.sent && s.RequestsByOp[fgsemu.OpCancel] != 0 {
				t.Fatalf("the emulator received a cancel from a provider that should have failed first: %+v", s)
			}
			if tt.check != nil {
				tt.check(t, emu)
			}
		})
	}
}

// writeTestFiles puts the SDK's regions files and CLI profiles in dir.
func writeTestFiles(t *testing.T, dir, emuURL string) {
	t.Helper()
	files := map[string]string{
		"regions.yaml":        fmt.Sprintf("FunctionGraph:\n  - id: %s\n    endpoint: %s\n", acctest.Region, strings.Replace(emuURL, "http://", "HTTP://", 1)),
		"regions-prefix.yaml": fmt.Sprintf("FUNCTIONGRAPH:\n  - id: %s\n    endpoint: %s/prefix\n", acctest.Region, emuURL),
		"regions-bad.yaml":    "FUNCTIONGRAPH: [id: {\n",
		"sk.txt":              acctest.SecretKey + "\n",
		"profiles.json": fmt.Sprintf(`{"current": "good", "profiles": [
  {"name": "good", "mode": "AKSK", "accessKeyId": %[1]q, "secretAccessKey": %[2]q},
  {"name": "wrong", "mode": "AKSK", "accessKeyId": "WRONGACCESSKEY0001", "secretAccessKey": "wrong-secret"},
  {"name": "newline", "mode": "AKSK", "accessKeyId": %[1]q, "secretAccessKey": %[3]q}]}`, acctest.AccessKey, acctest.SecretKey, acctest.SecretKey+"\n"),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Named pipes nobody writes to, as regions files: a read would block for ever.
	if err := os.MkdirAll(filepath.Join(dir, "fifohome", ".huaweicloud"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fifo.yaml", "fifohome/.huaweicloud/regions.yaml"} {
		if err := mkfifo(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

const sdkRegionVariable = "HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_CN_NORTH_4"

var testKeys = []string{fmt.Sprintf("access_key = %q", acctest.AccessKey), fmt.Sprintf("secret_key = %q", acctest.SecretKey)}

func keysAnd(lines ...string) []string { return append(append([]string{}, testKeys...), lines...) }

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

// Access keys are a set from the first place that sets either key, with
// their own security token; each mix of block, environment and profile.
func TestProvider_credentialSets(t *testing.T) {
	t.Parallel()
	profile := map[string]string{"HW_SHARED_CONFIG_FILE": "%[3]s/profiles.json"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	endpoint := `endpoints = { fgs = "%[1]s" }`
	runProviderCases(t, []providerCase{
		{name: "block access key, environment secret key", block: []string{testKeys[0], endpoint},
			env:       map[string]string{"HW_SECRET_KEY": acctest.SecretKey},
			wantError: `Missing Secret Key.*An access key is set \(from argument\) but no secret key\..*HW_SECRET_KEY is set too, but it is not combined`},
		{name: "block keys, a stale HW_SECURITY_TOKEN is not sent", block: keysAnd(endpoint),
			env: map[string]string{"HW_SECURITY_TOKEN": "stale-security-token"}},
		{name: "environment keys carry HW_SECURITY_TOKEN", block: []string{endpoint},
			env:       map[string]string{"HW_ACCESS_KEY": acctest.AccessKey, "HW_SECRET_KEY": acctest.SecretKey, "HW_SECURITY_TOKEN": "stale-security-token"},
			wantError: `Authentication Failed`, sent: true,
			check: func(t *testing.T, emu *fgsemu.Emulator) {
				if s := emu.Stats(); s.AuthFailures != 1 {
					t.Fatalf("want the security token sent, and refused beside permanent keys: %+v", s)
				}
			}},
		{name: "block security token without its keys", block: []string{`security_token = "sts"`, endpoint},
			env:       map[string]string{"HW_ACCESS_KEY": acctest.AccessKey, "HW_SECRET_KEY": acctest.SecretKey},
			wantError: `Security Token Without Its Keys.*the keys come from HW_ACCESS_KEY`},
		{name: "HW_ACCESS_KEY with CLOUD_SDK_SK", block: []string{endpoint},
			env:       map[string]string{"HW_ACCESS_KEY": acctest.AccessKey, "CLOUD_SDK_SK": acctest.SecretKey},
			wantError: `Missing Secret Key.*\(from HW_ACCESS_KEY\).*CLOUD_SDK_SK is set too`},
		{name: "profile keys, HW_SECURITY_TOKEN not sent", block: []string{endpoint}, env: with(profile, "HW_SECURITY_TOKEN", "stale-security-token")},
		{name: "block keys over a chosen profile", block: keysAnd(endpoint), env: with(profile, "HW_PROFILE", "wrong")},
		{name: "environment access key, profile not combined", block: []string{endpoint}, env: with(profile, "HW_ACCESS_KEY", acctest.AccessKey),
			wantError: `Missing Secret Key.*\(from HW_ACCESS_KEY\)`},
		{name: "block secret key, profile not combined", block: []string{testKeys[1], endpoint}, env: profile,
			wantError: `Missing Access Key.*A secret key is set \(from argument\)`},
		{name: "block security token with profile keys", block: []string{`security_token = "sts"`, endpoint}, env: profile,
			wantError: `Security Token Without Its Keys.*the keys come from profile "good"`},
	})
}

// A key, secret or token with a line break or white space around it fails at
// plan, naming where it was set, and nothing is sent.
func TestProvider_credentialsWithWhiteSpace(t *testing.T) {
	t.Parallel()
	endpoint := `endpoints = { fgs = "%[1]s" }`
	runProviderCases(t, []providerCase{
		{name: "access key with a newline", block: []string{fmt.Sprintf("access_key = \"%s\\n\"", acctest.AccessKey), testKeys[1], endpoint},
			wantError: `Invalid Access Key.*access_key is refused: it ends with a line break.*trimspace\(\)`},
		{name: "secret key from a file", block: []string{testKeys[0], `secret_key = file("%[3]s/sk.txt")`, endpoint},
			wantError: `Invalid Secret Key.*secret_key is refused: it ends with a line break, as a value read from a file usually does.*secret_key = trimspace\(file`},
		{name: "HW_SECRET_KEY with a newline", block: []string{endpoint},
			env:       map[string]string{"HW_ACCESS_KEY": acctest.AccessKey, "HW_SECRET_KEY": acctest.SecretKey + "\n"},
			wantError: `Invalid Secret Key.*HW_SECRET_KEY is refused: it ends with a line break`},
		{name: "HW_AUTH_TOKEN with a newline", block: []string{endpoint}, env: map[string]string{"HW_AUTH_TOKEN": acctest.AuthToken + "\n"},
			wantError: `Invalid Token.*HW_AUTH_TOKEN is refused: it ends with a line break`},
		{name: "security token with a leading space", block: []string{endpoint},
			env:       map[string]string{"HW_ACCESS_KEY": acctest.AccessKey, "HW_SECRET_KEY": acctest.SecretKey, "HW_SECURITY_TOKEN": " sts"},
			wantError: `Invalid Security Token.*HW_SECURITY_TOKEN is refused: it has white space at its start or end`},
		{name: "profile secret with a newline", block: []string{endpoint},
			env:       map[string]string{"HW_SHARED_CONFIG_FILE": "%[3]s/profiles.json", "HW_PROFILE": "newline"},
			wantError: `Invalid Secret Key.*secretAccessKey of profile "newline" in .*profiles.json is refused: it ends with a line break.*Remove it from the profile`},
	})
}

// The smaller settings: max_retries as a fraction, an empty region, a
// project ID in capitals.
func TestProvider_smallerSettings(t *testing.T) {
	t.Parallel()
	endpoint := `endpoints = { fgs = "%[1]s" }`
	runProviderCases(t, []providerCase{
		{name: "max_retries 1.5", block: keysAnd(endpoint, "max_retries = 1.5"),
			wantError: `Invalid Attribute Value.*max_retries value must be a whole number between 0 and 100, got: 1.5`},
		{name: "empty region, HW_REGION_NAME fills it", block: keysAnd(`region = ""`), env: map[string]string{"HW_REGION_NAME": "cn-nowhere-9"},
			wantError: `Unknown Region.*region from HW_REGION_NAME`},
		{name: "empty region, nothing fills it", block: keysAnd(`region = ""`, endpoint)},
		{name: "project_id in capitals", block: keysAnd(endpoint, `region = "cn-north-4"`, fmt.Sprintf("project_id = %q", strings.ToUpper(acctest.ProjectID)))},
		// An empty string is unset for every string argument, as for the keys:
		// `x = var.x` with a default of "" falls back as if it were not written.
		{name: "every string argument empty", block: keysAnd(`endpoints = { fgs = "%[1]s" }`, `region = ""`, `token = ""`, `security_token = ""`,
			`cloud = ""`, `auth_url = ""`, `profile = ""`, `shared_config_file = ""`, `project_id = ""`, `signing_algorithm = ""`,
			`assume_role {`, `agency_name = ""`, `domain_name = ""`, `domain_id = ""`, `}`)},
		{name: "empty project_id, HW_PROJECT_ID fills it", block: keysAnd(endpoint, `region = "cn-north-4"`, `project_id = ""`),
			env: map[string]string{"HW_PROJECT_ID": "not-a-project"}, wantError: `Invalid Project ID.*"not-a-project" is not a project ID`},
		// Not so an endpoint: unset, it would send to the default endpoint though the key names one.
		{name: "empty endpoints.fgs is refused", block: keysAnd(`endpoints = { fgs = "" }`),
			wantError: `Invalid Attribute Value Length.*string length must be at least 1`},
		// The cloud is read as DNS reads it, so the default cloud's region check applies.
		{name: "cloud in capitals", block: keysAnd(`cloud = "MYHUAWEICLOUD.COM"`, `region = "cn-nowhere-9"`), wantError: `Unknown Region`},
		{name: "cloud with a final dot", block: keysAnd(`cloud = "myhuaweicloud.com."`, `region = "cn-nowhere-9"`), wantError: `Unknown Region`},
		{name: "cloud with an empty label", block: keysAnd(endpoint, `cloud = "a..b"`),
			wantError: `Invalid Cloud Domain.*"a..b" is not a domain name.*each part between dots`},
		{name: "IPv6 zone endpoint", block: keysAnd(`endpoints = { fgs = "http://[::1%25lo]:18082" }`),
			wantError: `Invalid FunctionGraph Endpoint.*names an IPv6 zone \(%lo\).*without its zone`},
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
