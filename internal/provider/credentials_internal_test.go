package provider

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// Where each credential setting comes from: arguments, then the
// environment, then the CLI profile; a token before keys; an agency on top.
func TestResolveAuthentication(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeFile(t, dir, "config.json", cliConfig)
	home := filepath.Join(dir, "home")
	writeFile(t, home, ".hcloud/config.json", cliConfig)
	emptyHome := filepath.Join(dir, "nohome")
	badJSON := writeFile(t, dir, "bad.json", `{"current": "dev", "profiles": [`)
	wrongType := writeFile(t, dir, "wrong.json", `{"current": "dev", "profiles": {"name": "dev"}}`)
	noCurrent := writeFile(t, dir, "nocurrent.json", `{"profiles": [{"name": "a", "accessKeyId": "AK", "secretAccessKey": "SK"}]}`)
	devProfile := `profile "dev" in ` + file

	withKeys := func(m providerModel) providerModel {
		m.AccessKey, m.SecretKey = types.StringValue("ARGAK"), types.StringValue("ARGSK")
		return m
	}
	with := func(m providerModel, edit func(*providerModel)) providerModel { edit(&m); return m }

	tests := []struct {
		name    string
		model   providerModel
		env     map[string]string
		want    func(t *testing.T, c resolvedConfig)
		wantErr string
	}{
		{
			name:  "token argument wins over key arguments",
			model: with(withKeys(model()), func(m *providerModel) { m.Token = types.StringValue("ARGTOKEN") }),
			want: func(t *testing.T, c resolvedConfig) {
				if c.authMethod != fgs.AuthToken || c.token != "ARGTOKEN" || c.accessKey != "" || c.secretKey != "" ||
					c.credentialsFrom != "argument" || c.ignoredKeys != "access keys from argument" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "token from the environment wins over key arguments", model: withKeys(model()),
			env: map[string]string{envAuthToken: "ENVTOKEN"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.authMethod != fgs.AuthToken || c.token != "ENVTOKEN" || c.credentialsFrom != envAuthToken || c.accessKey != "" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name:  "token argument over HW_AUTH_TOKEN",
			model: with(model(), func(m *providerModel) { m.Token = types.StringValue("ARGTOKEN") }),
			env:   map[string]string{envAuthToken: "ENVTOKEN"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.token != "ARGTOKEN" || c.ignoredKeys != "" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "profile when nothing else gives credentials", model: model(),
			env: map[string]string{envSharedConfig: file},
			want: func(t *testing.T, c resolvedConfig) {
				if c.authMethod != fgs.AuthAccessKey || c.accessKey != "PROFILEAK0001" || c.secretKey != "profile-sk" || c.securityToken != "" ||
					c.credentialsFrom != devProfile || c.region != "ap-southeast-1" || c.regionFrom != devProfile ||
					c.projectID != "11111111111111111111111111111111" || c.profile != devProfile {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "default file under HOME", model: model(), env: map[string]string{"HOME": home},
			want: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "PROFILEAK0001" || !strings.Contains(c.credentialsFrom, filepath.Join(home, ".hcloud", "config.json")) {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "default file is not read when keys are set", model: withKeys(model()), env: map[string]string{"HOME": home},
			want: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "ARGAK" || c.profile != "" || c.region != "" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "keys from the environment over a chosen profile, which still gives the region", model: model(),
			env: map[string]string{envAccessKey: "ENVAK", envSecretKey: "ENVSK", envSharedConfig: file},
			want: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "ENVAK" || c.credentialsFrom != envAccessKey || c.region != "ap-southeast-1" || c.regionFrom != devProfile {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "key arguments over environment over profile", model: withKeys(model()),
			env: map[string]string{envAccessKey: "ENVAK", envSecretKey: "ENVSK", envProfile: "dev", envSharedConfig: file},
			want: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "ARGAK" || c.secretKey != "ARGSK" || c.credentialsFrom != "argument" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "HW_PROFILE chooses an SSO profile, whose keys are in ssoAuth.stsToken", model: model(),
			env: map[string]string{envSharedConfig: file, envProfile: "sso"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "SSOAK00000001" || c.secretKey != "sso-sk" || c.securityToken != "sso-token" || c.region != "cn-north-4" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "profile argument over HW_PROFILE, file argument over HW_SHARED_CONFIG_FILE",
			model: with(model(), func(m *providerModel) {
				m.Profile, m.SharedConfigFile = types.StringValue("sso"), types.StringValue(file)
			}),
			env: map[string]string{envSharedConfig: filepath.Join(dir, "missing.json"), envProfile: "dev"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "SSOAK00000001" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name:  "a profile's project only for its own region",
			model: with(model(), func(m *providerModel) { m.Region = types.StringValue("cn-north-4") }),
			env:   map[string]string{envSharedConfig: file},
			want: func(t *testing.T, c resolvedConfig) {
				if c.region != "cn-north-4" || c.regionFrom != "argument" || c.projectID != "" || c.accessKey != "PROFILEAK0001" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "a profile's credentials alongside a token are not used", model: model(),
			env: map[string]string{envAuthToken: "ENVTOKEN", envSharedConfig: file},
			want: func(t *testing.T, c resolvedConfig) {
				if c.authMethod != fgs.AuthToken || c.accessKey != "" || c.region != "ap-southeast-1" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "agency from the block, IAM from the region",
			model: with(withKeys(model()), func(m *providerModel) {
				m.Region, m.AssumeRole = types.StringValue("cn-north-4"), assumeRoleBlock("agency_name", "ops", "domain_name", "acme")
			}),
			env: map[string]string{envAgencyName: "other", envAgencyDomID: "d-other"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.authMethod != fgs.AuthAssumedAgency || c.credentialsFrom != "argument" || c.agencyFrom != "argument" ||
					*c.assumeRole != (fgs.AssumeRole{AgencyName: "ops", DomainName: "acme"}) ||
					c.authURL != "https://iam.cn-north-4.myhuaweicloud.com/v3" || c.authURLFrom != "the region's IAM" {
					t.Fatalf("%+v %+v", c, c.assumeRole)
				}
			},
		},
		{
			name: "agency from the environment without a block", model: with(model(), func(m *providerModel) { m.Token = types.StringValue("T") }),
			env: map[string]string{envAgencyName: "ops", envAgencyDomID: "d123", envAgencyTTL: "3600", envAuthURL: "https://iam.example.com/v3",
				envRegion: "cn-north-4"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.authMethod != fgs.AuthAssumedAgency || c.credentialsFrom != "argument" || c.agencyFrom != envAgencyName ||
					*c.assumeRole != (fgs.AssumeRole{AgencyName: "ops", DomainID: "d123", Duration: time.Hour}) ||
					c.authURL != "https://iam.example.com/v3" || c.authURLFrom != envAuthURL {
					t.Fatalf("%+v %+v", c, c.assumeRole)
				}
			},
		},
		{
			name: "agency name from the block, domain from the environment, IAM from endpoints.iam",
			model: with(withKeys(model()), func(m *providerModel) {
				m.AssumeRole = assumeRoleBlock("agency_name", "ops")
				m.Endpoints = endpoints("iam", "https://iam.example.com")
			}),
			env: map[string]string{envAgencyDomain: "acme"},
			want: func(t *testing.T, c resolvedConfig) {
				if *c.assumeRole != (fgs.AssumeRole{AgencyName: "ops", DomainName: "acme"}) || c.authURL != "https://iam.example.com" ||
					c.authURLFrom != "endpoints.iam" || len(c.ignoredEndpoints) != 0 {
					t.Fatalf("%+v %+v", c, c.assumeRole)
				}
			},
		},
		{
			name: "auth_url argument over HW_AUTH_URL and endpoints.iam",
			model: with(withKeys(model()), func(m *providerModel) {
				m.AssumeRole = assumeRoleBlock("agency_name", "ops", "domain_id", "d1")
				m.AuthURL = types.StringValue("http://127.0.0.1:1/v3")
				m.Endpoints = endpoints("iam", "https://iam.example.com")
			}),
			env: map[string]string{envAuthURL: "https://iam.other.example.com"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.authURL != "http://127.0.0.1:1/v3" || c.authURLFrom != "argument" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "agency from the profile", model: model(), env: map[string]string{envSharedConfig: file, envProfile: "agency"},
			want: func(t *testing.T, c resolvedConfig) {
				label := `profile "agency" in ` + file
				if c.authMethod != fgs.AuthAssumedAgency || c.accessKey != "AGENCYAK00001" || c.agencyFrom != label ||
					*c.assumeRole != (fgs.AssumeRole{AgencyName: "ops", DomainName: "acme"}) || c.authURL != "https://iam.cn-north-4.myhuaweicloud.com/v3" {
					t.Fatalf("%+v", c)
				}
			},
		},
		{
			name: "environment agency over the profile's", model: model(),
			env: map[string]string{envSharedConfig: file, envProfile: "agency", envAgencyName: "env-agency", envAgencyDomain: "env-domain"},
			want: func(t *testing.T, c resolvedConfig) {
				if *c.assumeRole != (fgs.AssumeRole{AgencyName: "env-agency", DomainName: "env-domain"}) {
					t.Fatalf("%+v", c.assumeRole)
				}
			},
		},
		{
			name: "signing algorithm: default", model: withKeys(model()),
			want: func(t *testing.T, c resolvedConfig) {
				if c.signingAlgorithm != "HmacSHA256" {
					t.Fatalf("%q", c.signingAlgorithm)
				}
			},
		},
		{
			name:  "signing algorithm: argument over environment",
			model: with(withKeys(model()), func(m *providerModel) { m.SigningAlgorithm = types.StringValue("SM2SM3") }),
			env:   map[string]string{envSigning: "HmacSM3"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.signingAlgorithm != "SM2SM3" {
					t.Fatalf("%q", c.signingAlgorithm)
				}
			},
		},
		{
			name: "signing algorithm: environment", model: withKeys(model()), env: map[string]string{envSigning: "HmacSM3"},
			want: func(t *testing.T, c resolvedConfig) {
				if c.signingAlgorithm != "HmacSM3" {
					t.Fatalf("%q", c.signingAlgorithm)
				}
			},
		},

		{name: "chosen file missing", model: model(), env: map[string]string{envSharedConfig: filepath.Join(dir, "missing.json")},
			wantErr: "Shared Config File Not Found: The shared config file " + filepath.Join(dir, "missing.json") + " (from HW_SHARED_CONFIG_FILE) does not exist."},
		{name: "profile chosen without a file", model: model(), env: map[string]string{envProfile: "dev", "HOME": emptyHome},
			wantErr: `Shared Config File Not Found: The profile "dev" (from HW_PROFILE) was chosen, but the shared config file ` +
				filepath.Join(emptyHome, ".hcloud", "config.json") + " does not exist."},
		{name: "no credentials and no default file", model: model(), env: map[string]string{"HOME": emptyHome},
			wantErr: "Missing Huawei Cloud Credentials: No token, access key or secret key were found."},
		{name: "unknown profile", model: model(), env: map[string]string{envSharedConfig: file, envProfile: "prod"},
			wantErr: `Profile Not Found: The profile "prod" (from HW_PROFILE) is not in the shared config file ` + file +
				`. Its profiles are "agency", "dev", "ecs", "empty", "sso".`},
		{name: "unreadable JSON", model: model(), env: map[string]string{envSharedConfig: badJSON},
			wantErr: "Invalid Shared Config File: The shared config file " + badJSON + " (from HW_SHARED_CONFIG_FILE) is not the Huawei Cloud CLI's JSON: invalid syntax at byte"},
		{name: "JSON of the wrong shape", model: model(), env: map[string]string{envSharedConfig: wrongType},
			wantErr: `is not the Huawei Cloud CLI's JSON: "profiles" has the wrong type (a JSON object)`},
		{name: "not a file", model: model(), env: map[string]string{envSharedConfig: dir},
			wantErr: "Cannot Read Shared Config File: The shared config file " + dir + " (from HW_SHARED_CONFIG_FILE) is not a regular file."},
		{name: "no current profile", model: model(), env: map[string]string{envSharedConfig: noCurrent},
			wantErr: `No Profile Selected: The shared config file ` + noCurrent + ` names no "current" profile, and profile (or HW_PROFILE) is not set. Its profiles are "a".`},
		{name: "profile without keys", model: model(), env: map[string]string{envSharedConfig: file, envProfile: "empty"},
			wantErr: `Profile Has No Access Keys: The profile "empty" in ` + file + ` has no access key pair: accessKeyId and secretAccessKey must both be set.`},
		{name: "profile of the ECS metadata mode", model: model(), env: map[string]string{envSharedConfig: file, envProfile: "ecs"},
			wantErr: `Unsupported Profile Mode: The profile "ecs" in ` + file + ` has mode "ecsAgency"`},
		{name: "agency without a domain", model: withKeys(model()), env: map[string]string{envAgencyName: "ops"},
			wantErr: `Missing Agency Domain: The agency "ops" (from HW_ASSUME_ROLE_AGENCY_NAME) needs the account that owns it`},
		{name: "domain without an agency", model: with(withKeys(model()), func(m *providerModel) { m.AssumeRole = assumeRoleBlock("domain_name", "acme") }),
			wantErr: `Missing Agency Name: The agency's domain is set (from argument) but not the agency's name.`},
		{name: "bad HW_ASSUME_ROLE_DURATION", model: withKeys(model()),
			env:     map[string]string{envAgencyName: "ops", envAgencyDomain: "acme", envAgencyTTL: "60", envRegion: "cn-north-4"},
			wantErr: `Invalid HW_ASSUME_ROLE_DURATION: HW_ASSUME_ROLE_DURATION="60" is not a number of seconds from 900 to 43200.`},
		{name: "agency without a region or auth_url", model: withKeys(model()), env: map[string]string{envAgencyName: "ops", envAgencyDomain: "acme"},
			wantErr: `Missing Region for IAM: Assuming the agency "ops" needs IAM's address`},
		{name: "bad HW_AUTH_URL", model: withKeys(model()), env: map[string]string{envAgencyName: "ops", envAgencyDomain: "acme", envAuthURL: "iam.example.com"},
			wantErr: `Invalid IAM Address: "iam.example.com" must start with https:// (or http:// for a local emulator) (from HW_AUTH_URL).`},
		{name: "agency without credentials", model: model(), env: map[string]string{envAgencyName: "ops", envAgencyDomain: "acme", envRegion: "cn-north-4"},
			wantErr: "Missing Huawei Cloud Credentials"},
		{name: "bad HW_SIGNING_ALGORITHM", model: withKeys(model()), env: map[string]string{envSigning: "HmacMD5"},
			wantErr: `Invalid Signing Algorithm: "HmacMD5" is not a signing algorithm; use one of HmacSHA256, HmacSM3, EcdsaP256SHA256, SM2SM3 (from HW_SIGNING_ALGORITHM).`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, diags := resolve(tt.model, func(k string) string { return tt.env[k] })
			if tt.wantErr == "" {
				if diags.HasError() {
					t.Fatalf("unexpected errors: %v", diags)
				}
				tt.want(t, c)
				return
			}
			var all []string
			for _, d := range diags.Errors() {
				all = append(all, d.Summary()+": "+strings.Join(strings.Fields(d.Detail()), " "))
			}
			if got := strings.Join(all, "\n"); len(all) == 0 || !strings.Contains(got, strings.Join(strings.Fields(tt.wantErr), " ")) {
				t.Fatalf("errors:\n%s\nwant one containing %q", got, tt.wantErr)
			}
		})
	}
}

// A refused credential is named, never quoted, wherever it was set.
func TestResolveNeverQuotesARefusedCredential(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{
		{envAccessKey: "ACCESSVALUE0001\n", envSecretKey: "secret-value-0001"},
		{envAccessKey: "ACCESSVALUE0001", envSecretKey: " secret-value-0001"},
		{envAccessKey: "ACCESSVALUE0001", envSecretKey: "secret-value-0001", envSecurityToken: "sts-value-0001\r\n"},
		{envAuthToken: "token-value-0001\n"},
		{envSDKAccessKey: "ACCESSVALUE0001", envSDKSecretKey: "secret-\nvalue-0001"},
	} {
		_, diags := resolve(model(), func(k string) string { return env[k] })
		if !diags.HasError() {
			t.Fatalf("%q: no error", env)
		}
		for _, d := range diags.Errors() {
			for _, v := range env {
				if strings.Contains(d.Detail(), strings.TrimSpace(v)) || strings.Contains(d.Summary(), strings.TrimSpace(v)) {
					t.Fatalf("the error quotes a credential: %s: %s", d.Summary(), d.Detail())
				}
			}
		}
	}
}

// What the block alone tells is checked at validate time, and unknown values pass.
func TestValidateConfigAuthentication(t *testing.T) {
	t.Parallel()
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	tests := []struct {
		name        string
		args        map[string]tftypes.Value
		wantError   string
		wantWarning string
	}{
		{name: "token beside access keys", args: map[string]tftypes.Value{"token": str("t"), "access_key": str("AK"), "secret_key": str("SK")},
			wantError: "Token and Access Keys Both Set"},
		{name: "token beside the secret key alone", args: map[string]tftypes.Value{"token": str("t"), "secret_key": str("SK")},
			wantError: "Token and Access Keys Both Set"},
		{name: "token beside empty keys", args: map[string]tftypes.Value{"token": str("t"), "access_key": str(""), "secret_key": str("")}},
		{name: "token alone", args: map[string]tftypes.Value{"token": str("t")}},
		{name: "auth_url with a path", args: map[string]tftypes.Value{"auth_url": str("https://iam.example.com/identity/v3")},
			wantError: "Invalid IAM Address"},
		{name: "endpoints.iam not a URL", args: map[string]tftypes.Value{"endpoints": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
			map[string]tftypes.Value{"iam": str("iam.example.com")})}, wantError: "Invalid IAM Address"},
		{name: "unknown auth_url and token", args: map[string]tftypes.Value{"auth_url": unknown, "token": unknown, "access_key": str("AK")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			diags := validateConfig(t, tt.args)
			var errs, warns []string
			for _, d := range diags {
				if d.Severity() == diag.SeverityError {
					errs = append(errs, d.Summary())
				} else {
					warns = append(warns, d.Summary())
				}
			}
			if got := strings.Join(errs, "; "); (tt.wantError == "") != (got == "") || !strings.Contains(got, tt.wantError) {
				t.Fatalf("errors %q, want %q", got, tt.wantError)
			}
			if got := strings.Join(warns, "; "); (tt.wantWarning == "") != (got == "") || !strings.Contains(got, tt.wantWarning) {
				t.Fatalf("warnings %q, want %q", got, tt.wantWarning)
			}
		})
	}
}
