package resources_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
)

// Terraform 1.11 cannot report action schemas, so nothing but this test ties
// the action's registry page to its schema: every argument, whether it is
// required, its type and its description must match.
func TestAsyncInvocationCancelAction_docsMatchSchema(t *testing.T) {
	t.Parallel()
	expectActionDocsMatchSchema(t, "../../docs/actions/fgs_async_invocation_cancel.md", cancelActionType)
}

func TestAsyncInvocationsCancelAction_docsMatchSchema(t *testing.T) {
	t.Parallel()
	expectActionDocsMatchSchema(t, "../../docs/actions/fgs_async_invocations_cancel.md", bulkActionType)
}

func expectActionDocsMatchSchema(t *testing.T, pagePath, actionType string) {
	t.Helper()
	page, err := os.ReadFile(pagePath)
	if err != nil {
		t.Fatalf("the action's page is missing (run make docs): %v", err)
	}
	documented := map[string]string{} // name -> "group|type|description"
	group := ""
	line := regexp.MustCompile("^- `([a-z_]+)` \\(([A-Za-z ]+)\\) (.*)$")
	inSchema := false
	for _, l := range strings.Split(string(page), "\n") {
		switch {
		case strings.HasPrefix(l, "## Schema"):
			inSchema = true
		case inSchema && strings.HasPrefix(l, "### "):
			group = strings.TrimPrefix(l, "### ")
		case inSchema:
			if m := line.FindStringSubmatch(l); m != nil {
				documented[m[1]] = group + "|" + m[2] + "|" + m[3]
			}
		}
	}
	schema := acctest.NewProtocolProvider(t).ActionSchema(actionType).Schema.Block
	if len(documented) != len(schema.Attributes) {
		t.Errorf("the page documents %d arguments, the schema has %d", len(documented), len(schema.Attributes))
	}
	types := map[string]string{"tftypes.String": "String", "tftypes.Bool": "Boolean", "tftypes.Number": "Number",
		"tftypes.List[tftypes.String]": "List of String"}
	for _, a := range schema.Attributes {
		wantGroup := "Optional"
		if a.Required {
			wantGroup = "Required"
		}
		want := wantGroup + "|" + types[a.Type.String()] + "|" + a.Description
		if got, ok := documented[a.Name]; !ok {
			t.Errorf("argument %s is not documented", a.Name)
		} else if got != want {
			t.Errorf("argument %s documented as\n  %s\nbut the schema says\n  %s", a.Name, got, want)
		}
	}
}
