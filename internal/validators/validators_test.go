package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The enumerations' errors name every allowed value and what to do instead;
// status passes in any case, type only as the API spells it.
func TestOneOf(t *testing.T) {
	tests := []struct {
		name  string
		v     validator.String
		value types.String
		want  []string // substrings of the detail; nil means accepted
	}{
		{"type force", CancelType(), types.StringValue("force"), nil},
		{"type recursive", CancelType(), types.StringValue("recursive"), nil},
		{"type null", CancelType(), types.StringNull(), nil},
		{"type unknown value", CancelType(), types.StringUnknown(), nil},
		{"type unknown word", CancelType(), types.StringValue("soft"),
			[]string{`type "soft" is not one of "force" or "recursive".`, `Set type = "force"`, "leave type out"}},
		{"type in capitals", CancelType(), types.StringValue("FORCE"),
			[]string{`Did you mean "force"? Its case matters.`}},
		{"status upper", InvocationStatus(), types.StringValue("RUNNING"), nil},
		{"status lower", InvocationStatus(), types.StringValue("running"), nil},
		{"status mixed", InvocationStatus(), types.StringValue("Discard"), nil},
		{"status of another API", InvocationStatus(), types.StringValue("started"),
			[]string{`status "started" is not one of "WAIT", "RUNNING", "SUCCESS", "FAIL" or "DISCARD".`, "(in any case)", "leave it out"}},
		{"status empty", InvocationStatus(), types.StringValue(""), []string{`status "" is not one of`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp validator.StringResponse
			tt.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: tt.value}, &resp)
			if tt.want == nil {
				if resp.Diagnostics.HasError() {
					t.Fatalf("refused: %v", resp.Diagnostics)
				}
				return
			}
			if resp.Diagnostics.ErrorsCount() != 1 {
				t.Fatalf("want one error, got %v", resp.Diagnostics)
			}
			d := resp.Diagnostics.Errors()[0]
			if !strings.HasPrefix(d.Summary(), "Invalid ") || strings.Contains(d.Summary(), "Match") {
				t.Errorf("summary %q", d.Summary())
			}
			for _, w := range tt.want {
				if !strings.Contains(d.Detail(), w) {
					t.Errorf("detail lacks %q:\n%s", w, d.Detail())
				}
			}
		})
	}
}
