package resources_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
)

var functionsNeedTerraform18 = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

func TestURNFunctions_roundTrip(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   functionsNeedTerraform18,
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
locals {
  parsed = provider::huaweicloud::parse_function_urn(%q)
}

output "parsed" {
  value = local.parsed
}

output "rebuilt" {
  value = provider::huaweicloud::function_urn(local.parsed.region, local.parsed.project_id, local.parsed.package, local.parsed.function_name, local.parsed.version)
}

output "unversioned" {
  value = provider::huaweicloud::parse_function_urn(provider::huaweicloud::function_urn("ap-southeast-1", %q, "pkg", "job", ""))
}
`, urn, acctest.ProjectID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("parsed", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"region":        knownvalue.StringExact(acctest.Region),
					"project_id":    knownvalue.StringExact(acctest.ProjectID),
					"package":       knownvalue.StringExact("default"),
					"function_name": knownvalue.StringExact("hello"),
					"version":       knownvalue.StringExact("latest"),
				})),
				statecheck.ExpectKnownOutputValue("rebuilt", knownvalue.StringExact(urn)),
				statecheck.ExpectKnownOutputValue("unversioned", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"region":        knownvalue.StringExact("ap-southeast-1"),
					"project_id":    knownvalue.StringExact(acctest.ProjectID),
					"package":       knownvalue.StringExact("pkg"),
					"function_name": knownvalue.StringExact("job"),
					"version":       knownvalue.StringExact(""),
				})),
			},
		}},
	})
}

// Invalid input is a function error that names the argument and what is wrong.
func TestURNFunctions_rejectBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		expr string
		want string
	}{
		{"parse: too few parts", `provider::huaweicloud::parse_function_urn("urn:fss:cn-north-4:hello")`,
			`"urn" parameter: function URN has 4 colon-separated parts, expected 7 or 8. A function URN has the form urn:fss:<region>`},
		{"parse: bad project", `provider::huaweicloud::parse_function_urn("urn:fss:cn-north-4:abc:function:default:hello:latest")`,
			`"urn" parameter: project_id "abc" is not a project ID`},
		{"build: bad region", fmt.Sprintf(`provider::huaweicloud::function_urn("North", %q, "default", "hello", "latest")`, acctest.ProjectID),
			`"region" parameter: region "North" is not a region ID`},
		{"build: bad project", `provider::huaweicloud::function_urn("cn-north-4", "p1", "default", "hello", "latest")`,
			`"project_id" parameter: project_id "p1" is not a project ID`},
		{"build: bad name", fmt.Sprintf(`provider::huaweicloud::function_urn("cn-north-4", %q, "default", "hello/x", "latest")`, acctest.ProjectID),
			`"function_name" parameter: function_name "hello/x" is not a function name`},
		{"build: bad version", fmt.Sprintf(`provider::huaweicloud::function_urn("cn-north-4", %q, "default", "hello", "v 1")`, acctest.ProjectID),
			`"version" parameter: version "v 1" is not a version or alias`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   functionsNeedTerraform18,
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("output \"x\" {\n  value = %s\n}\n", tt.expr),
					ExpectError: acctest.ErrorPattern(`Invalid function argument.*` + tt.want),
				}},
			})
		})
	}
}
