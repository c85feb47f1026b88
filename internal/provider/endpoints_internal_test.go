package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

// A regions file that cannot be used is the one error: the valid region
// it might have given an endpoint for is not blamed as well.
func TestResolveUnreadableRegionsFileIsOneError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "regions.yaml")
	if err := os.WriteFile(bad, []byte("FUNCTIONGRAPH: [id: {\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"cn-north-4", "xx-new-1"} {
		m := model()
		m.AccessKey, m.SecretKey, m.Region = types.StringValue("AK"), types.StringValue("SK"), types.StringValue(region)
		env := map[string]string{"HUAWEICLOUD_SDK_REGIONS_FILE": bad}
		_, diags := resolve(m, func(k string) string { return env[k] })
		if errs := diags.Errors(); len(errs) != 1 || errs[0].Summary() != "Invalid SDK Region Endpoints" {
			t.Fatalf("region %s: want one error about the regions file, got %v", region, errs)
		}
	}
}
