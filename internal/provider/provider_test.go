package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// Misconfigured providers fail before anything is sent, saying what to set.
func TestProvider_misconfigurationsFail(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	tests := []struct {
		name      string
		block     string // provider block body; %s is the emulator's URL
		env       map[string]string
		wantError string
	}{
		{name: "no credentials", block: `endpoints = { fgs = "%s" }`,
			wantError: `Missing Huawei Cloud Credentials.*HW_ACCESS_KEY and HW_SECRET_KEY.*never falls back to the ECS metadata server`},
		{name: "access key only", block: `access_key = "AK"
  endpoints = { fgs = "%s" }`,
			wantError: `Missing Secret Key.*from argument.*secret_key.*HW_SECRET_KEY`},
		{name: "secret key only from environment", block: `endpoints = { fgs = "%s" }`, env: map[string]string{"HW_SECRET_KEY": "SK"},
			wantError: `Missing Access Key.*from HW_SECRET_KEY.*HW_ACCESS_KEY`},
		{name: "unknown region", block: `access_key = "AK"
  secret_key = "SK"
  region = "cn-nowhere-9"`,
			wantError: `Unknown Region.*region.*cn-nowhere-9.*cn-north-4.*endpoints\.fgs`},
		{name: "malformed endpoint", block: `access_key = "AK"
  secret_key = "SK"
  endpoints = { fgs = "ftp://%s" }`,
			wantError: `Invalid FunctionGraph Endpoint.*endpoints = \{ fgs = "ftp://.*must start with https://`},
		{name: "max retries out of range", block: `access_key = "AK"
  secret_key = "SK"
  max_retries = -1
  endpoints = { fgs = "%s" }`,
			wantError: `max_retries.*between 0 and 100`},
		{name: "bad HW_MAX_RETRIES", block: `access_key = "AK"
  secret_key = "SK"
  endpoints = { fgs = "%s" }`, env: map[string]string{"HW_MAX_RETRIES": "lots"},
			wantError: `Invalid HW_MAX_RETRIES.*"lots" is not a whole number`},
		{name: "max requests per second out of range", block: `access_key = "AK"
  secret_key = "SK"
  max_requests_per_second = 0
  endpoints = { fgs = "%s" }`,
			wantError: `max_requests_per_second.*between 0.010000 and 10000`},
		{name: "bad HW_MAX_REQUESTS_PER_SECOND", block: `access_key = "AK"
  secret_key = "SK"
  endpoints = { fgs = "%s" }`, env: map[string]string{"HW_MAX_REQUESTS_PER_SECOND": "fast"},
			wantError: `Invalid HW_MAX_REQUESTS_PER_SECOND.*"fast" is not a number from 0.01 to 10000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
			block := tt.block
			if n := countVerbs(block); n > 0 {
				block = fmt.Sprintf(block, emu.URL())
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(tt.env)),
				Steps: []resource.TestStep{{
					Config:      "provider \"huaweicloud\" {\n  " + block + "\n}\n" + cancelBlock(urn, "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"),
					ExpectError: acctest.ErrorPattern(tt.wantError),
				}},
			})
			if got := emu.Stats().Requests; got != 0 {
				t.Fatalf("the emulator received %d requests from a misconfigured provider", got)
			}
		})
	}
}

// Credentials from the environment work like the official provider's.
func TestProvider_credentialsFromEnvironment(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(map[string]string{
			"CLOUD_SDK_AK": acctest.AccessKey, "CLOUD_SDK_SK": acctest.SecretKey, "HW_REGION_NAME": acctest.Region,
		})),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"huaweicloud\" {\n  endpoints = { fgs = %q }\n}\n", emu.URL()) + cancelBlock(urn, id),
			Check: func(*terraform.State) error {
				if s := emu.Stats(); s.AcceptedCancels != 1 || s.AuthFailures != 0 {
					return fmt.Errorf("want 1 accepted cancel and no auth failure, got %+v", s)
				}
				return nil
			},
		}},
	})
}

// A provider block that depends on another resource plans with unknown
// values and applies once they are known.
func TestProvider_unknownConfigurationAtPlan(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "keys" {
  input = { ak = %q, sk = %q, endpoint = %q }
}

provider "huaweicloud" {
  access_key = terraform_data.keys.output.ak
  secret_key = terraform_data.keys.output.sk
  endpoints  = { fgs = terraform_data.keys.output.endpoint }
}
`, acctest.AccessKey, acctest.SecretKey, emu.URL()) + cancelBlock(urn, id),
			Check: func(*terraform.State) error {
				if s := emu.Stats(); s.AcceptedCancels != 1 {
					return fmt.Errorf("want 1 accepted cancel, got %+v", s)
				}
				return nil
			},
		}},
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
