package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// Every way in works end to end: a token, CLI profiles, assumed agencies,
// each from arguments or the environment, and the precedence between them.
func TestProvider_waysIn(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	const wrongKeys = `access_key = "WRONGACCESSKEY0001"
  secret_key = "wrong-secret"`
	tests := []struct {
		name  string
		block []string // provider block lines; %[1]s is the emulator URL, %[2]s the CLI config file
		env   map[string]string
		// home, if set, makes HOME a directory holding .hcloud/config.json.
		home     bool
		iamCalls int64
	}{
		{name: "token argument", block: []string{`token = %q`}},
		{name: "HW_AUTH_TOKEN", env: map[string]string{"HW_AUTH_TOKEN": acctest.AuthToken}},
		{name: "token argument wins over key variables", block: []string{`token = %q`},
			env: map[string]string{"HW_ACCESS_KEY": "WRONGACCESSKEY0001", "HW_SECRET_KEY": "wrong-secret"}},
		{name: "HW_AUTH_TOKEN wins over access key arguments", block: []string{wrongKeys}, env: map[string]string{"HW_AUTH_TOKEN": acctest.AuthToken}},
		{name: "key arguments over key variables", block: []string{fmt.Sprintf("access_key = %q\n  secret_key = %q", acctest.AccessKey, acctest.SecretKey)},
			env: map[string]string{"HW_ACCESS_KEY": "WRONGACCESSKEY0001", "HW_SECRET_KEY": "wrong-secret"}},
		{name: "profile file from HW_SHARED_CONFIG_FILE, its current profile", env: map[string]string{"HW_SHARED_CONFIG_FILE": "%[2]s"}},
		{name: "profile file in the default place", home: true},
		{name: "shared_config_file and profile arguments, SSO profile", block: []string{`shared_config_file = "%[2]s"`, `profile = "sso"`}},
		{name: "HW_PROFILE", env: map[string]string{"HW_SHARED_CONFIG_FILE": "%[2]s", "HW_PROFILE": "sso"}},
		{name: "profile argument over HW_PROFILE", block: []string{`profile = "good"`}, env: map[string]string{"HW_SHARED_CONFIG_FILE": "%[2]s", "HW_PROFILE": "wrong"}},
		{name: "key variables over a chosen profile", env: map[string]string{
			"HW_ACCESS_KEY": acctest.AccessKey, "HW_SECRET_KEY": acctest.SecretKey, "HW_SHARED_CONFIG_FILE": "%[2]s", "HW_PROFILE": "wrong"}},
		{name: "assume_role block with keys", iamCalls: 1, block: []string{
			fmt.Sprintf("access_key = %q\n  secret_key = %q", acctest.AccessKey, acctest.SecretKey), `auth_url = "%[1]s/v3"`,
			fmt.Sprintf("assume_role {\n    agency_name = %q\n    domain_name = %q\n    duration    = 3600\n  }", acctest.AgencyName, acctest.AgencyDomain)}},
		{name: "agency from the environment, no block, with a token", iamCalls: 1, env: map[string]string{
			"HW_AUTH_TOKEN": acctest.AuthToken, "HW_AUTH_URL": "%[1]s/v3",
			"HW_ASSUME_ROLE_AGENCY_NAME": acctest.AgencyName, "HW_ASSUME_ROLE_DOMAIN_ID": acctest.AgencyDomainID, "HW_ASSUME_ROLE_DURATION": "900"}},
		{name: "agency from a profile, IAM from endpoints.iam", iamCalls: 1, block: []string{`endpoints = { fgs = "%[1]s", iam = "%[1]s" }`},
			env: map[string]string{"HW_SHARED_CONFIG_FILE": "%[2]s", "HW_PROFILE": "agency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
			dir := t.TempDir()
			file := profileFile(t, filepath.Join(dir, ".hcloud"))
			fill := func(s string) string {
				if !strings.Contains(s, "%") {
					return s
				}
				if strings.Contains(s, "%q") {
					return fmt.Sprintf(s, acctest.AuthToken)
				}
				return fmt.Sprintf(s, emu.URL(), file)
			}
			lines := []string{}
			hasEndpoints := false
			for _, l := range tt.block {
				lines = append(lines, fill(l))
				hasEndpoints = hasEndpoints || strings.HasPrefix(l, "endpoints")
			}
			if !hasEndpoints {
				lines = append(lines, fmt.Sprintf("endpoints = { fgs = %q }", emu.URL()))
			}
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = fill(v)
			}
			if tt.home {
				env["HOME"] = dir
			}
			ids := invokeN(t, emu, urn, 3)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(env)),
				Steps: []resource.TestStep{{
					Config: providerBlock(lines...) + cancels(urn, ids, false),
					Check:  expectAccepted(emu, 3, tt.iamCalls),
				}},
			})
		})
	}
}

// The signing algorithm reaches the SDK: HmacSM3 is verified end to end;
// EcdsaP256SHA256 and SM2SM3, which the emulator cannot verify, arrive
// under their own names and are refused with 401.
func TestProvider_signingAlgorithms(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	tests := []struct {
		algorithm, scheme string
		fromEnv           bool
		wantError         string
	}{
		{algorithm: "HmacSM3", scheme: "SDK-HMAC-SM3"},
		{algorithm: "HmacSM3", scheme: "SDK-HMAC-SM3", fromEnv: true},
		{algorithm: "HmacSHA256", scheme: "SDK-HMAC-SHA256"},
		{algorithm: "EcdsaP256SHA256", scheme: "SDK-ECDSA-P256-SHA256", wantError: `Authentication Failed.*HTTP status: 401`},
		{algorithm: "SM2SM3", scheme: "SDK-SM2-SM3", fromEnv: true, wantError: `Authentication Failed.*HTTP status: 401`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/env=%t", tt.algorithm, tt.fromEnv), func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
			rec := acctest.RecordSchemes(t, emu)
			lines := []string{fmt.Sprintf("access_key = %q", acctest.AccessKey), fmt.Sprintf("secret_key = %q", acctest.SecretKey),
				fmt.Sprintf("endpoints = { fgs = %q }", rec.URL)}
			env := map[string]string{}
			if tt.fromEnv {
				env["HW_SIGNING_ALGORITHM"] = tt.algorithm
			} else {
				lines = append(lines, fmt.Sprintf("signing_algorithm = %q", tt.algorithm))
			}
			step := resource.TestStep{Config: providerBlock(lines...) + cancelBlock(urn, acctest.Invoke(t, emu, urn))}
			if tt.wantError != "" {
				step.ExpectError = acctest.ErrorPattern(tt.wantError)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(env)),
				Steps:                    []resource.TestStep{step},
			})
			if got := rec.Schemes(); len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != tt.scheme }) {
				t.Fatalf("Authorization schemes %q, want only %q", got, tt.scheme)
			}
		})
	}
}

// Each way in fails clearly when misconfigured, naming the argument,
// variable, file or profile, before anything is sent.
func TestProvider_authenticationMisconfigurations(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	tests := []struct {
		name      string
		block     []string // %[1]s is the emulator URL, %[2]s the CLI config file, %[3]s the temporary directory
		env       map[string]string
		wantError string
	}{
		{name: "missing file from HW_SHARED_CONFIG_FILE", env: map[string]string{"HW_SHARED_CONFIG_FILE": "%[3]s/nope.json"},
			wantError: `Shared Config File Not Found.*The shared config file .*nope.json \(from HW_SHARED_CONFIG_FILE\) does not exist`},
		{name: "missing file from the argument", block: []string{`shared_config_file = "%[3]s/nope.json"`},
			wantError: `Shared Config File Not Found.*shared_config_file = .*nope.json.*\(from argument\) does not exist`},
		{name: "unknown profile", block: []string{`shared_config_file = "%[2]s"`, `profile = "prod"`},
			wantError: `Profile Not Found.*profile = "prod".*The profile "prod" \(from argument\) is not in the shared config file .*config.json. Its profiles are "agency", "good", "nokeys", "sso", "wrong".`},
		{name: "unreadable JSON", env: map[string]string{"HW_SHARED_CONFIG_FILE": "%[3]s/bad.json"},
			wantError: `Invalid Shared Config File.*bad.json \(from HW_SHARED_CONFIG_FILE\) is not the Huawei Cloud CLI's JSON: invalid syntax at byte`},
		{name: "profile without keys", env: map[string]string{"HW_SHARED_CONFIG_FILE": "%[2]s", "HW_PROFILE": "nokeys"},
			wantError: `Profile Has No Access Keys.*The profile "nokeys" in .*config.json has no access key pair: accessKeyId and secretAccessKey must both be set`},
		{name: "agency without a domain", block: []string{`token = "t"`, `assume_role {
    agency_name = "ops"
  }`}, wantError: `Missing Agency Domain.*The agency "ops" \(from argument\) needs the account that owns it: set assume_role.domain_name`},
		{name: "agency domain in the environment, no name", block: []string{`token = "t"`}, env: map[string]string{"HW_ASSUME_ROLE_DOMAIN_NAME": "acme"},
			wantError: `Missing Agency Name.*The agency's domain is set \(from HW_ASSUME_ROLE_DOMAIN_NAME\) but not the agency's name`},
		{name: "agency without region or auth_url", block: []string{`token = "t"`}, env: map[string]string{"HW_ASSUME_ROLE_AGENCY_NAME": "ops", "HW_ASSUME_ROLE_DOMAIN_NAME": "acme"},
			wantError: `Missing Region for IAM.*Assuming the agency "ops" needs IAM's address.*set region \(or HW_REGION_NAME\), or auth_url \(or HW_AUTH_URL\)`},
		{name: "duration out of range", block: []string{`token = "t"`, `assume_role {
    agency_name = "ops"
    domain_name = "acme"
    duration    = 60
  }`}, wantError: `Invalid Attribute Value.*assume_role.duration value must be between 900 and 43200, got: 60`},
		{name: "bad HW_ASSUME_ROLE_DURATION", block: []string{`token = "t"`, `auth_url = "%[1]s"`},
			env:       map[string]string{"HW_ASSUME_ROLE_AGENCY_NAME": "ops", "HW_ASSUME_ROLE_DOMAIN_NAME": "acme", "HW_ASSUME_ROLE_DURATION": "1h"},
			wantError: `Invalid HW_ASSUME_ROLE_DURATION.*HW_ASSUME_ROLE_DURATION="1h" is not a number of seconds from 900 to 43200`},
		{name: "bad auth_url", block: []string{`token = "t"`, `auth_url = "iam.example.com/v3"`},
			wantError: `Invalid IAM Address.*auth_url.*"iam.example.com/v3" must start with https://`},
		{name: "bad signing_algorithm", block: []string{`token = "t"`, `signing_algorithm = "HmacMD5"`},
			wantError: `Invalid Attribute Value Match.*signing_algorithm value must be one of: \["HmacSHA256" "HmacSM3" "EcdsaP256SHA256" "SM2SM3"\], got: "HmacMD5"`},
		{name: "bad HW_SIGNING_ALGORITHM", block: []string{`token = "t"`}, env: map[string]string{"HW_SIGNING_ALGORITHM": "sm3"},
			wantError: `Invalid Signing Algorithm.*"sm3" is not a signing algorithm; use one of HmacSHA256, HmacSM3, EcdsaP256SHA256, SM2SM3 \(from HW_SIGNING_ALGORITHM\)`},
		{name: "token beside access keys in the block", block: []string{`token = "t"`, `access_key = "AK"`, `secret_key = "SK"`},
			wantError: `Token and Access Keys Both Set.*Remove access_key and secret_key to send the token, or remove token to sign`},
		{name: "no credentials, no profile file", env: map[string]string{"HOME": "%[3]s/empty"},
			wantError: `Missing Huawei Cloud Credentials.*Or set token \(or HW_AUTH_TOKEN\).*profile \(or HW_PROFILE\) and shared_config_file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
			dir := t.TempDir()
			file := profileFile(t, dir)
			if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"profiles": [{"name": "x", "secretAccessKey": "do-not-show`), 0o600); err != nil {
				t.Fatal(err)
			}
			fill := func(s string) string {
				if strings.Contains(s, "%[") {
					return fmt.Sprintf(s, emu.URL(), file, dir)
				}
				return s
			}
			lines := []string{fmt.Sprintf("endpoints = { fgs = %q }", emu.URL())}
			for _, l := range tt.block {
				lines = append(lines, fill(l))
			}
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = fill(v)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(env)),
				Steps: []resource.TestStep{{
					Config:      providerBlock(lines...) + cancelBlock(urn, "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"),
					ExpectError: acctest.ErrorPattern(tt.wantError),
				}},
			})
			if got := emu.Stats().Requests; got != 0 {
				t.Fatalf("the emulator received %d requests from a misconfigured provider", got)
			}
		})
	}
}

// A refused token is explained as a token, not as access keys.
func TestProvider_tokenRefused(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(map[string]string{"HW_AUTH_TOKEN": "expired-token"})),
		Steps: []resource.TestStep{{
			Config:      providerBlock(fmt.Sprintf("endpoints = { fgs = %q }", emu.URL())) + cancelBlock(urn, acctest.Invoke(t, emu, urn)),
			ExpectError: acctest.ErrorPattern(`Authentication Failed.*Check token \(or HW_AUTH_TOKEN\): IAM tokens expire`),
		}},
	})
}

// A token and an agency that depend on another resource plan with unknown
// values, and apply once they are known.
func TestProvider_unknownAuthenticationAtPlan(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "auth" {
  input = { token = %q, agency = %q, domain = %q, iam = %q, algorithm = "HmacSM3" }
}
`, acctest.AuthToken, acctest.AgencyName, acctest.AgencyDomain, emu.URL()+"/v3") + providerBlock(
				"token             = terraform_data.auth.output.token",
				"auth_url          = terraform_data.auth.output.iam",
				"signing_algorithm = terraform_data.auth.output.algorithm",
				fmt.Sprintf("endpoints = { fgs = %q }", emu.URL()),
				"assume_role {\n    agency_name = terraform_data.auth.output.agency\n    domain_name = terraform_data.auth.output.domain\n  }",
			) + cancelBlock(urn, acctest.Invoke(t, emu, urn)),
			Check: expectAccepted(emu, 1, 1),
		}},
	})
}

// A token and keys both in the block stop `terraform apply` with one error,
// printed once, before anything is sent. (As a warning it was printed once
// for each of Terraform's walks: validate, plan and apply.)
func TestProvider_tokenBesideKeysStopsApplyOnce(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	cli := acctest.NewCLI(t)
	cli.Configure(providerBlock(
		fmt.Sprintf("endpoints = { fgs = %q }", emu.URL()),
		fmt.Sprintf("token = %q", acctest.AuthToken),
		fmt.Sprintf("access_key = %q", acctest.AccessKey),
		fmt.Sprintf("secret_key = %q", acctest.SecretKey),
	) + cancelBlock(urn, acctest.Invoke(t, emu, urn)))
	before := emu.Stats().Requests
	res := cli.Run("apply", "-auto-approve")
	if res.Code == 0 {
		t.Fatalf("apply succeeded with a token and keys in the block\n%s", res)
	}
	if n := strings.Count(res.Output, "Token and Access Keys Both Set"); n != 1 {
		t.Fatalf("the error was printed %d times, want once\n%s", n, res)
	}
	if strings.Contains(res.Output, acctest.AuthToken) || strings.Contains(res.Output, acctest.SecretKey) {
		t.Fatalf("the output shows a secret\n%s", res)
	}
	if got := emu.Stats().Requests - before; got != 0 {
		t.Fatalf("the emulator received %d requests", got)
	}
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
