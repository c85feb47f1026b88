package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// Helpers shared by more than one test file of the package; a helper one
// file uses stays beside its tests.

const cancelActionType = "huaweicloud_fgs_async_invocation_cancel"

// actionFixture is an emulator with one function and a configured provider
// speaking protocol 6, as Terraform 1.14 would drive it.
type actionFixture struct {
	emu *fgsemu.Emulator
	p   *acctest.ProtocolProvider
	urn string
}

func newActionFixture(t *testing.T, providerArgs map[string]tftypes.Value) actionFixture {
	t.Helper()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	p := acctest.NewProtocolProvider(t)
	p.ConfigureForEmulator(emu, providerArgs)
	return actionFixture{emu: emu, p: p, urn: urn}
}

func (f actionFixture) config(values map[string]tftypes.Value) *tfprotov6.DynamicValue {
	if _, ok := values["function_urn"]; !ok {
		values["function_urn"] = acctest.String(f.urn)
	}
	return f.p.ActionConfig(cancelActionType, values)
}

func diagText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "[%s] %s: %s", d.Severity, d.Summary, d.Detail)
		if d.Attribute != nil {
			fmt.Fprintf(&b, " (at %s)", d.Attribute)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// expectProgress fails unless the progress messages match the patterns, in order.
func expectProgress(t *testing.T, got []string, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d progress messages, want %d: %q", len(got), len(want), got)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(got[i]) {
			t.Fatalf("progress[%d] = %q, want %s (all: %q)", i, got[i], w, got)
		}
	}
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func expectOutput(t *testing.T, res acctest.CLIResult, pattern string) {
	t.Helper()
	if !acctest.ErrorPattern(pattern).MatchString(res.Output) {
		t.Fatalf("want output matching %s\n%s", pattern, res)
	}
}

const cancelAddr = "huaweicloud_fgs_async_invocation_cancel.test"

func cancelConfig(emu *fgsemu.Emulator, urn, requestID string, extra ...string) string {
	body := ""
	for _, e := range extra {
		body += "  " + e + "\n"
	}
	return acctest.ProviderConfig(emu) + fmt.Sprintf(`
resource "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn = %q
  request_id   = %q
%s}
`, urn, requestID, body)
}

// expectStats fails the step unless the emulator saw this many cancel
// requests and accepted this many.
func expectStats(emu *fgsemu.Emulator, acceptedCancels, cancelRequests int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s := emu.Stats()
		if s.AcceptedCancels != acceptedCancels || s.RequestsByOp[fgsemu.OpCancel] != cancelRequests {
			return fmt.Errorf("emulator saw %d cancel requests and %d accepted cancels, want %d and %d (by op: %v)",
				s.RequestsByOp[fgsemu.OpCancel], s.AcceptedCancels, cancelRequests, acceptedCancels, s.RequestsByOp)
		}
		return nil
	}
}

func expectInvocationStatus(emu *fgsemu.Emulator, urn, requestID, status string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		inv, ok := emu.Invocation(urn, requestID)
		if !ok {
			return fmt.Errorf("emulator has no invocation %s", requestID)
		}
		if inv.Status != status {
			return fmt.Errorf("invocation %s is %s, want %s", requestID, inv.Status, status)
		}
		return nil
	}
}

// startFaultCase starts an emulator that knows urn, with fault injected if
// given, and returns it with the request ID to cancel (requestID, or a new
// invocation's) and the URN to send the cancel to (target, or urn).
func startFaultCase(t *testing.T, urn string, fault *fgsemu.Fault, requestID, target string) (*fgsemu.Emulator, string, string) {
	t.Helper()
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	if requestID == "" {
		requestID = acctest.Invoke(t, emu, urn)
	}
	if target == "" {
		target = urn
	}
	if fault != nil {
		if err := emu.InjectFault(*fault); err != nil {
			t.Fatal(err)
		}
	}
	return emu, requestID, target
}

var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func cancelResourceBlock(urn, requestID string, extra ...string) string {
	body := ""
	for _, e := range extra {
		body += "  " + e + "\n"
	}
	return fmt.Sprintf(`
resource "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn = %q
  request_id   = %q
%s}
`, urn, requestID, body)
}

func (f actionFixture) bulkConfig(values map[string]tftypes.Value) *tfprotov6.DynamicValue {
	if _, ok := values["function_urn"]; !ok {
		values["function_urn"] = acctest.String(f.urn)
	}
	return f.p.ActionConfig(bulkActionType, values)
}

func requestIDList(ids []string) tftypes.Value {
	vals := make([]tftypes.Value, len(ids))
	for i, id := range ids {
		vals[i] = acctest.String(id)
	}
	return tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, vals)
}
