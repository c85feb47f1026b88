package provider

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// cliConfig is a Huawei Cloud CLI config.json with a profile per case.
const cliConfig = `{
  "current": "dev",
  "profiles": [
    {"name": "dev", "mode": "AKSK", "accessKeyId": "PROFILEAK0001", "secretAccessKey": "profile-sk", "region": "ap-southeast-1",
     "projectId": "11111111111111111111111111111111"},
    {"name": "sso", "mode": "SSO", "region": "cn-north-4",
     "ssoAuth": {"stsToken": {"accessKeyId": "SSOAK00000001", "secretAccessKey": "sso-sk", "securityToken": "sso-token"}}},
    {"name": "agency", "mode": "AKSK", "accessKeyId": "AGENCYAK00001", "secretAccessKey": "agency-sk", "region": "cn-north-4",
     "agencyName": "ops", "agencyDomainName": "acme"},
    {"name": "empty", "mode": "AKSK"},
    {"name": "ecs", "mode": "ecsAgency"}
  ]
}`

// writeFile writes content to dir/name, making its directories, and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// assumeRoleBlock is an assume_role block of these name and value pairs; the rest are null.
func assumeRoleBlock(kv ...string) types.Object {
	v := map[string]attr.Value{
		"agency_name": types.StringNull(), "domain_name": types.StringNull(), "domain_id": types.StringNull(), "duration": types.Int64Null(),
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = types.StringValue(kv[i+1])
	}
	return types.ObjectValueMust(assumeRoleAttributeTypes, v)
}

// validateConfig runs the provider's ValidateConfig on a block with these
// arguments; every other argument is null.
func validateConfig(t *testing.T, args map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	p := &huaweicloudProvider{getenv: func(string) string { return "" }}
	var s provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &s)
	typ, ok := s.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the provider schema is not an object")
	}
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
		if v, ok := args[name]; ok {
			values[name] = v
		}
	}
	var resp provider.ValidateConfigResponse
	p.ValidateConfig(ctx, provider.ValidateConfigRequest{Config: tfsdk.Config{Schema: s.Schema, Raw: tftypes.NewValue(typ, values)}}, &resp)
	return resp.Diagnostics
}

// endpoints is an endpoints map of these key and value pairs.
func endpoints(kv ...string) types.Map {
	m := map[string]attr.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = types.StringValue(kv[i+1])
	}
	return types.MapValueMust(types.StringType, m)
}

// model is an empty provider block: every argument null.
func model() providerModel {
	return providerModel{
		Region: types.StringNull(), AccessKey: types.StringNull(), SecretKey: types.StringNull(),
		SecurityToken: types.StringNull(), ProjectID: types.StringNull(), Cloud: types.StringNull(),
		Endpoints: types.MapNull(types.StringType), Insecure: types.BoolNull(), MaxRetries: types.NumberNull(),
		MaxRequestsPerS: types.Float64Null(),
	}
}
