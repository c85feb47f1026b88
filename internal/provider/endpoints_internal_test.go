package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Endpoint keys are matched regardless of case; a key no huaweicloud
// provider reads is an error, naming it and the keys this one uses.
func TestValidateConfigEndpointKeys(t *testing.T) {
	t.Parallel()
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	endpointsOf := func(kv ...string) map[string]tftypes.Value {
		m := map[string]tftypes.Value{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = str(kv[i+1])
		}
		return map[string]tftypes.Value{"endpoints": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, m)}
	}
	tests := []struct {
		name         string
		args         map[string]tftypes.Value
		wantErrors   []string
		wantWarnings []string
	}{
		{name: "fgs in capitals", args: endpointsOf("FGS", "https://fgs.example.com")},
		{name: "fgs in capitals, checked", args: endpointsOf("FGS", "https://fgs.example.com/v2"), wantErrors: []string{`Invalid FunctionGraph Endpoint: "https://fgs.example.com/v2" has a path`}},
		{name: "another service of the official provider", args: endpointsOf("ecs", "https://ecs.example.com/v1", "fgs", "https://fgs.example.com")},
		{name: "misspelt service", args: endpointsOf("functiongraph", "https://fgs.example.com"),
			wantErrors: []string{`Unknown Endpoint Key: endpoints key "functiongraph" is not a service key of the huaweicloud provider. Requests are not sent anywhere until it is fixed: ignoring it would send them to the default endpoint instead of the one written here. Did you mean fgs? This provider uses "fgs" (FunctionGraph) and "iam" (IAM, for assume_role), in any case;`}},
		{name: "fgs with a space", args: endpointsOf("fgs ", "https://fgs.example.com"),
			wantErrors: []string{`Unknown Endpoint Key: endpoints key "fgs " is not a service key of the huaweicloud provider. Requests are not sent anywhere until it is fixed: ignoring it would send them to the default endpoint instead of the one written here. Did you mean fgs? Write the key exactly, in plain ASCII letters`}},
		{name: "full-width fgs", args: endpointsOf("ｆｇｓ", "https://fgs.example.com"), wantErrors: []string{`Unknown Endpoint Key: endpoints key "ｆｇｓ" is not a service key of the huaweicloud provider. Requests are not sent anywhere until it is fixed: ignoring it would send them to the default endpoint instead of the one written here. Did you mean fgs? Write the key exactly`}},
		{name: "fgs_endpoint", args: endpointsOf("fgs_endpoint", "https://fgs.example.com"), wantErrors: []string{`Unknown Endpoint Key: endpoints key "fgs_endpoint"`}},
		{name: "unknown key with an unknown value", args: map[string]tftypes.Value{"endpoints": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
			map[string]tftypes.Value{"FunctionGraph": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)})},
			wantErrors: []string{`Unknown Endpoint Key: endpoints key "FunctionGraph"`}},
		{name: "twice in different case", args: endpointsOf("fgs", "https://a.example.com", "Fgs", "https://b.example.com"),
			wantErrors: []string{`Endpoint Set Twice: endpoints sets "Fgs" and "fgs", which are the same service`}},
		{name: "IAM in capitals, checked", args: endpointsOf("IAM", "iam.example.com"), wantErrors: []string{`Invalid IAM Address: "iam.example.com" must start with https://`}},
		{name: "token beside keys: one error", args: map[string]tftypes.Value{"token": str("t"), "access_key": str("AK"), "secret_key": str("SK")},
			wantErrors: []string{"Token and Access Keys Both Set: The provider block sets both token and access keys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var errs, warns []string
			for _, d := range validateConfig(t, tt.args) {
				s := d.Summary() + ": " + strings.Join(strings.Fields(d.Detail()), " ")
				if d.Severity() == diag.SeverityError {
					errs = append(errs, s)
				} else {
					warns = append(warns, s)
				}
			}
			for _, got := range [][2][]string{{errs, tt.wantErrors}, {warns, tt.wantWarnings}} {
				if len(got[0]) != len(got[1]) {
					t.Fatalf("got %q, want %q", got[0], got[1])
				}
				for i := range got[1] {
					if !strings.HasPrefix(got[0][i], got[1][i]) {
						t.Fatalf("got %q, want %q", got[0][i], got[1][i])
					}
				}
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
