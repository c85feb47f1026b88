package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	withKeys := func(m providerModel) providerModel {
		m.AccessKey, m.SecretKey = types.StringValue("AK"), types.StringValue("SK")
		return m
	}
	tests := []struct {
		name    string
		model   providerModel
		env     map[string]string
		check   func(t *testing.T, c resolvedConfig)
		wantErr string // summary and detail, joined
	}{
		{
			name:  "arguments win over environment",
			model: withKeys(model()),
			env:   map[string]string{envAccessKey: "ENVAK", envSecretKey: "ENVSK", envSDKAccessKey: "SDKAK"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "AK" || c.secretKey != "SK" || c.accessKeySource != "argument" {
					t.Fatalf("got %q/%q from %s", c.accessKey, c.secretKey, c.accessKeySource)
				}
			},
		},
		{
			name:  "HW variables before CLOUD_SDK ones",
			model: model(),
			env:   map[string]string{envAccessKey: "ENVAK", envSecretKey: "ENVSK", envSDKAccessKey: "SDKAK", envSDKSecretKey: "SDKSK"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "ENVAK" || c.secretKey != "ENVSK" || c.accessKeySource != envAccessKey {
					t.Fatalf("got %q/%q from %s", c.accessKey, c.secretKey, c.accessKeySource)
				}
			},
		},
		{
			name:  "CLOUD_SDK variables last",
			model: model(),
			env:   map[string]string{envSDKAccessKey: "SDKAK", envSDKSecretKey: "SDKSK"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.accessKey != "SDKAK" || c.secretKey != "SDKSK" || c.secretKeySource != envSDKSecretKey {
					t.Fatalf("got %q/%q", c.accessKey, c.secretKey)
				}
			},
		},
		{
			name:  "defaults",
			model: withKeys(model()),
			check: func(t *testing.T, c resolvedConfig) {
				if c.cloud != "myhuaweicloud.com" || c.maxRetries != 5 || c.insecure || c.fgsEndpoint != "" || c.maxRequestsPS != 0 {
					t.Fatalf("defaults: %+v", c)
				}
			},
		},
		{
			name:  "environment settings",
			model: withKeys(model()),
			env: map[string]string{envRegion: "ap-southeast-1", envProjectID: "0123456789abcdef0123456789abcdef",
				envCloud: "example.com", envInsecure: "true", envMaxRetries: "2", envMaxRequestsPS: "2.5"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.region != "ap-southeast-1" || c.cloud != "example.com" || !c.insecure || c.maxRetries != 2 || c.maxRequestsPS != 2.5 {
					t.Fatalf("environment not applied: %+v", c)
				}
			},
		},
		{
			name:  "a security token only with the keys of its place",
			model: withKeys(model()),
			env:   map[string]string{envSecurityToken: "STALE"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.securityToken != "" || c.securityTokenFrom != "" || c.ignoredSecurityToken != "HW_SECURITY_TOKEN (the access keys come from argument)" {
					t.Fatalf("security token: %+v", c)
				}
			},
		},
		{
			name:  "HW_SECURITY_TOKEN with the environment's keys",
			model: model(),
			env:   map[string]string{envSDKAccessKey: "SDKAK", envSDKSecretKey: "SDKSK", envSecurityToken: "TOKEN"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.securityToken != "TOKEN" || c.securityTokenFrom != envSecurityToken || c.ignoredSecurityToken != "" {
					t.Fatalf("security token: %+v", c)
				}
			},
		},
		{
			name: "endpoint keys in any case, scheme lowercased",
			model: func() providerModel {
				m := withKeys(model())
				m.Endpoints = endpoints("FGS", "HTTP://127.0.0.1:8080/", "Iam", "https://iam.example.com", "ECS", "https://x.example.com")
				return m
			}(),
			check: func(t *testing.T, c resolvedConfig) {
				if c.fgsEndpoint != "http://127.0.0.1:8080" || c.fgsEndpointFrom != "endpoints.FGS" || c.iamEndpoint != "https://iam.example.com" ||
					len(c.ignoredEndpoints) != 1 || c.ignoredEndpoints[0] != "ECS" {
					t.Fatalf("endpoints: %+v", c)
				}
			},
		},
		{
			name:  "the provider region's SDK variable",
			model: func() providerModel { m := withKeys(model()); m.Region = types.StringValue("xx-new-1"); return m }(),
			env:   map[string]string{"HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_XX_NEW_1": "https://fgs.example.com"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.fgsEndpointFrom != "HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_XX_NEW_1" {
					t.Fatalf("endpoint from %q", c.fgsEndpointFrom)
				}
			},
		},
		{
			name: "endpoint override and ignored keys",
			model: func() providerModel {
				m := withKeys(model())
				m.Endpoints = endpoints("fgs", "http://127.0.0.1:8080/", "ecs", "https://ecs.example.com")
				return m
			}(),
			check: func(t *testing.T, c resolvedConfig) {
				if c.fgsEndpoint != "http://127.0.0.1:8080" || len(c.ignoredEndpoints) != 1 || c.ignoredEndpoints[0] != "ecs" {
					t.Fatalf("endpoints: %+v", c)
				}
			},
		},
		{
			name: "unknown region allowed with an endpoint override",
			model: func() providerModel {
				m := withKeys(model())
				m.Region = types.StringValue("xx-new-1")
				m.Endpoints = endpoints("fgs", "https://fgs.example.com")
				return m
			}(),
		},
		{
			name: "unknown region allowed on another cloud",
			model: func() providerModel {
				m := withKeys(model())
				m.Region, m.Cloud = types.StringValue("xx-new-1"), types.StringValue("example.com")
				return m
			}(),
		},
		{name: "no credentials", model: model(),
			wantErr: "Missing Huawei Cloud Credentials: No token, access key or secret key were found. Set access_key and secret_key in the provider block, or the environment variables HW_ACCESS_KEY and HW_SECRET_KEY (CLOUD_SDK_AK and CLOUD_SDK_SK are read last)"},
		{name: "access key without secret", model: model(), env: map[string]string{envAccessKey: "AK"},
			wantErr: "Missing Secret Key: An access key is set (from HW_ACCESS_KEY) but no secret key. Set secret_key in the provider block or HW_SECRET_KEY"},
		{name: "secret without access key", model: func() providerModel { m := model(); m.SecretKey = types.StringValue("SK"); return m }(),
			wantErr: "Missing Access Key: A secret key is set (from argument) but no access key"},
		{name: "unknown region", model: func() providerModel { m := withKeys(model()); m.Region = types.StringValue("cn-nowhere-9"); return m }(),
			wantErr: `Unknown Region: region "cn-nowhere-9" is not a FunctionGraph region the Huawei Cloud SDK knows: ae-ad-1, af-south-1`},
		{name: "misspelt endpoints key", model: func() providerModel {
			m := withKeys(model())
			m.Endpoints = endpoints("functiongraph", "https://x.example.com")
			return m
		}(),
			wantErr: `Unknown Endpoint Key: endpoints key "functiongraph" is not a service key of the huaweicloud provider`},
		{name: "unknown region from environment", model: withKeys(model()), env: map[string]string{envRegion: "eu-nowhere-1"},
			wantErr: "Set region (or HW_REGION_NAME) to one of these"},
		{name: "bad endpoint", model: func() providerModel {
			m := withKeys(model())
			m.Endpoints = endpoints("fgs", "functiongraph.example.com")
			return m
		}(),
			wantErr: "Invalid FunctionGraph Endpoint: \"functiongraph.example.com\" must start with https://"},
		{name: "endpoint with path", model: func() providerModel {
			m := withKeys(model())
			m.Endpoints = endpoints("fgs", "https://x.example.com/v2")
			return m
		}(),
			wantErr: "has a path"},
		{name: "bad max retries variable", model: withKeys(model()), env: map[string]string{envMaxRetries: "many"},
			wantErr: "Invalid HW_MAX_RETRIES: HW_MAX_RETRIES=\"many\" is not a whole number from 0 to 100"},
		{name: "max requests per second from the block wins", model: func() providerModel {
			m := withKeys(model())
			m.MaxRequestsPerS = types.Float64Value(0.5)
			return m
		}(), env: map[string]string{envMaxRequestsPS: "9"},
			check: func(t *testing.T, c resolvedConfig) {
				if c.maxRequestsPS != 0.5 {
					t.Fatalf("max_requests_per_second %g, want the block's 0.5", c.maxRequestsPS)
				}
			}},
		{name: "bad max requests per second variable", model: withKeys(model()), env: map[string]string{envMaxRequestsPS: "0"},
			wantErr: "Invalid HW_MAX_REQUESTS_PER_SECOND: HW_MAX_REQUESTS_PER_SECOND=\"0\" is not a number from 0.01 to 10000"},
		{name: "bad insecure variable", model: withKeys(model()), env: map[string]string{envInsecure: "maybe"},
			wantErr: "Invalid HW_INSECURE"},
		{name: "bad project id variable", model: withKeys(model()), env: map[string]string{envProjectID: "proj-1"},
			wantErr: "Invalid Project ID: project_id \"proj-1\" is not a project ID"},
		{name: "bad cloud", model: withKeys(model()), env: map[string]string{envCloud: "https://example.com/"},
			wantErr: "Invalid Cloud Domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, diags := resolve(tt.model, func(k string) string { return tt.env[k] })
			if tt.wantErr == "" {
				if diags.HasError() {
					t.Fatalf("unexpected errors: %v", diags)
				}
				if tt.check != nil {
					tt.check(t, c)
				}
				return
			}
			if !diags.HasError() {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			var all []string
			for _, d := range diags.Errors() {
				all = append(all, d.Summary()+": "+strings.Join(strings.Fields(d.Detail()), " "))
			}
			if got := strings.Join(all, "\n"); !strings.Contains(got, tt.wantErr) {
				t.Fatalf("errors:\n%s\nwant one containing %q", got, tt.wantErr)
			}
		})
	}
}

// The DEBUG line says where credentials came from and never holds a secret.
func TestLogFieldsHoldNoSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeFile(t, dir, "config.json", cliConfig)
	for _, env := range []map[string]string{
		{envAccessKey: "ENVACCESSKEY0001", envSecretKey: "env-secret", envSecurityToken: "env-security-token"},
		{envAuthToken: "env-auth-token", envAgencyName: "ops", envAgencyDomain: "acme", envRegion: "cn-north-4"},
		{envSharedConfig: file, envProfile: "sso"},
	} {
		c, diags := resolve(model(), func(k string) string { return env[k] })
		if diags.HasError() {
			t.Fatal(diags)
		}
		fields := c.logFields()
		for k, v := range fields {
			s, _ := v.(string)
			for _, secret := range []string{"env-secret", "env-security-token", "env-auth-token", "ENVACCESSKEY0001", "sso-sk", "sso-token", "SSOAK00000001"} {
				if strings.Contains(s, secret) {
					t.Fatalf("field %s holds a secret: %q", k, s)
				}
			}
		}
		if fields["credentials_from"] == "" || fields["auth_method"] == "" {
			t.Fatalf("fields %v do not say where credentials came from", fields)
		}
	}
}
