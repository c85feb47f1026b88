package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

func TestAsyncInvocationCancelAction_schemaMatchesResourceArguments(t *testing.T) {
	t.Parallel()
	s := acctest.NewProtocolProvider(t).ActionSchema(cancelActionType).Schema.Block
	got := map[string]string{}
	for _, a := range s.Attributes {
		kind := "optional"
		if a.Required {
			kind = "required"
		}
		got[a.Name] = kind
		if a.Description == "" && a.DescriptionKind != tfprotov6.StringKindMarkdown {
			t.Errorf("attribute %s has no description", a.Name)
		}
	}
	want := map[string]string{"function_urn": "required", "request_id": "required", "type": "optional", "region": "optional", "timeout": "optional", "wait_for_stop": "optional"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("action attributes %v, want %v", got, want)
	}
}

// One invoke sends exactly one accepted cancel and reports it in order.
func TestAsyncInvocationCancelAction_invoke(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	id := acctest.Invoke(t, f.emu, f.urn)
	cfg := f.config(map[string]tftypes.Value{"request_id": acctest.String(id), "type": acctest.String("force")})

	v, err := f.p.Actions.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{ActionType: cancelActionType, Config: cfg})
	if err != nil || len(v.Diagnostics) > 0 {
		t.Fatalf("validate: %v %s", err, diagText(v.Diagnostics))
	}
	plan, err := f.p.Actions.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{ActionType: cancelActionType, Config: cfg})
	if err != nil || len(plan.Diagnostics) > 0 {
		t.Fatalf("plan: %v %s", err, diagText(plan.Diagnostics))
	}
	if n := f.emu.Stats().Requests; n != 0 {
		t.Fatalf("validate and plan sent %d requests; only invoke may", n)
	}

	res := f.p.Invoke(context.Background(), cancelActionType, cfg)
	if !res.Completed || len(res.Diagnostics) > 0 {
		t.Fatalf("invoke: completed=%v %s", res.Completed, diagText(res.Diagnostics))
	}
	want := []string{
		`^Cancelling async request ` + regexp.QuoteMeta(id+" of "+f.urn+" at "+f.emu.URL()) + `$`,
		`^Cancel accepted \(X-Request-Id: [0-9a-f]{32}, 1 attempt\)$`,
		`^Waiting for request ` + id + ` to stop$`,
		`^Request ` + id + ` is FAIL \(4208: function invocation canceled\) after \d`,
	}
	expectProgress(t, res.Progress, want)
	if s := f.emu.Stats(); s.AcceptedCancels != 1 || s.RequestsByOp[fgsemu.OpCancel] != 1 || s.RequestsByOp[fgsemu.OpList] != 1 {
		t.Fatalf("emulator: %+v", s)
	}
	if inv, _ := f.emu.Invocation(f.urn, id); inv.Status != "FAIL" || inv.ErrorCode != 4208 {
		t.Fatalf("invocation after cancel: %+v", inv)
	}
}

// Each retry is reported with its reason and wait, before the outcome.
func TestAsyncInvocationCancelAction_progressReportsRetries(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	id := acctest.Invoke(t, f.emu, f.urn)
	if err := f.emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Times: 2, Status: 503, Body: `{"error_code":"FSS.0503","error_msg":"busy"}`}); err != nil {
		t.Fatal(err)
	}
	res := f.p.Invoke(context.Background(), cancelActionType, f.config(map[string]tftypes.Value{"request_id": acctest.String(id)}))
	if hasError(res.Diagnostics) {
		t.Fatal(diagText(res.Diagnostics))
	}
	expectProgress(t, res.Progress, []string{
		`^Cancelling async request `,
		`^Attempt 1 failed \(HTTP 503 FSS\.0503\); retrying in \d+ms$`,
		`^Attempt 2 failed \(HTTP 503 FSS\.0503\); retrying in \d+ms$`,
		`^Cancel accepted \(X-Request-Id: [0-9a-f]{32}, 3 attempts\)$`,
		`^Waiting for request `,
		`^Request .* is FAIL `,
	})
	if s := f.emu.Stats(); s.AcceptedCancels != 1 || s.RequestsByOp[fgsemu.OpCancel] != 3 {
		t.Fatalf("emulator: %+v", s)
	}
}

// API failures become the same diagnostics as the resource's.
func TestAsyncInvocationCancelAction_apiErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     *fgsemu.Fault
		requestID string
		urn       string
		want      string
	}{
		{name: "unknown request", requestID: "no-such-request", want: `Failed to Cancel Async Invocation: Invocation Cannot Be Cancelled.*no-such-request.*FSS\.0400`},
		{name: "unknown function", urn: acctest.FunctionURN("missing"), want: `Function Not Found.*HTTP status: 404`},
		{name: "forbidden", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 403}, want: `Access Denied.*HTTP status: 403`},
		{name: "server error", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 502}, want: `FunctionGraph Server Error.*Attempts: 6`},
		{name: "html", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedHTML}, want: `Unreadable Answer`},
		{name: "timeout", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Hang: true}, want: `Timed Out.*within its timeout of 1s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newActionFixture(t, nil)
			id := tt.requestID
			if id == "" {
				id = acctest.Invoke(t, f.emu, f.urn)
			}
			if tt.fault != nil {
				if err := f.emu.InjectFault(*tt.fault); err != nil {
					t.Fatal(err)
				}
			}
			values := map[string]tftypes.Value{"request_id": acctest.String(id), "timeout": acctest.String("1s")}
			if tt.urn != "" {
				values["function_urn"] = acctest.String(tt.urn)
			}
			res := f.p.Invoke(context.Background(), cancelActionType, f.config(values))
			if !res.Completed || !hasError(res.Diagnostics) || !regexp.MustCompile(`(?s)`+tt.want).MatchString(diagText(res.Diagnostics)) {
				t.Fatalf("diagnostics:\n%s\nwant %s", diagText(res.Diagnostics), tt.want)
			}
			if f.emu.Stats().AcceptedCancels != 0 {
				t.Fatal("a cancel was accepted")
			}
		})
	}
}

// Bad input fails at validate or plan, with the argument to blame, and
// unknown values wait until they are known.
func TestAsyncInvocationCancelAction_validateAndPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		values   map[string]tftypes.Value
		provider map[string]tftypes.Value
		stage    string // "validate" or "plan"; empty: no error anywhere
		want     string
	}{
		{name: "malformed urn", values: map[string]tftypes.Value{"function_urn": acctest.String("urn:fss:x"), "request_id": acctest.String("r")},
			stage: "validate", want: `Invalid Function URN.*\(at AttributeName\("function_urn"\)\)`},
		{name: "spaced request id", values: map[string]tftypes.Value{"request_id": acctest.String("a b")},
			stage: "validate", want: `Invalid Request ID.*white space.*request_id`},
		{name: "unknown type", values: map[string]tftypes.Value{"request_id": acctest.String("r"), "type": acctest.String("gentle")},
			stage: "validate", want: `type.*force.*recursive`},
		{name: "bad timeout", values: map[string]tftypes.Value{"request_id": acctest.String("r"), "timeout": acctest.String("-1s")},
			stage: "validate", want: `Invalid Timeout.*timeout is "-1s": a cancel needs a positive time`},
		{name: "zero timeout", values: map[string]tftypes.Value{"request_id": acctest.String("r"), "timeout": acctest.String("0s")},
			stage: "validate", want: `Invalid Timeout.*timeout is "0s": a cancel needs a positive time.*\(at AttributeName\("timeout"\)\)`},
		{name: "region contradicts urn", values: map[string]tftypes.Value{"request_id": acctest.String("r"), "region": acctest.String("ap-southeast-1")},
			stage: "validate", want: `Region Contradicts Function URN.*ap-southeast-1.*cn-north-4`},
		{name: "project contradicts provider", values: map[string]tftypes.Value{"request_id": acctest.String("r")},
			provider: map[string]tftypes.Value{"project_id": acctest.String("ffffffffffffffffffffffffffffffff")},
			stage:    "plan", want: `Project ID Contradicts Function URN`},
		{name: "unknown values wait", values: map[string]tftypes.Value{"function_urn": acctest.UnknownString(), "request_id": acctest.UnknownString(), "region": acctest.UnknownString()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newActionFixture(t, tt.provider)
			cfg := f.config(tt.values)
			v, err := f.p.Actions.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{ActionType: cancelActionType, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := f.p.Actions.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{ActionType: cancelActionType, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]*tfprotov6.Diagnostic{"validate": v.Diagnostics, "plan": plan.Diagnostics}
			for stage, diags := range got {
				if stage == tt.stage {
					if !hasError(diags) || !regexp.MustCompile(`(?s)`+tt.want).MatchString(diagText(diags)) {
						t.Fatalf("%s diagnostics:\n%s\nwant %s", stage, diagText(diags), tt.want)
					}
				} else if tt.stage == "" && len(diags) > 0 {
					t.Fatalf("%s diagnostics: %s", stage, diagText(diags))
				}
			}
			if n := f.emu.Stats().Requests; n != 0 {
				t.Fatalf("%d requests reached the emulator", n)
			}
		})
	}
}

// Ctrl-C (the context ending) stops a hanging invoke: the call ends as
// interrupted, not by a timeout (the attempt's 30 s, the action's 5 m), so
// the interrupt is what ended it; no wall-clock bound is needed.
func TestAsyncInvocationCancelAction_interruptReturnsPromptly(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	id := acctest.Invoke(t, f.emu, f.urn)
	if err := f.emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Hang: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	res := f.p.Invoke(ctx, cancelActionType, f.config(map[string]tftypes.Value{"request_id": acctest.String(id)}))
	if !regexp.MustCompile(`Interrupted`).MatchString(diagText(res.Diagnostics)) {
		t.Fatalf("diagnostics: %s", diagText(res.Diagnostics))
	}
}

// End to end through Terraform 1.14+: a terraform_data's creation triggers
// the action. Terraform 1.11 rejects action blocks, so this skips there.
func TestAsyncInvocationCancelAction_triggeredByTerraform(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   acctest.RunsActions,
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(emu) + fmt.Sprintf(`
action "huaweicloud_fgs_async_invocation_cancel" "stop" {
  config {
    function_urn = %q
    request_id   = %q
  }
}

resource "terraform_data" "deploy" {
  input = "v1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.huaweicloud_fgs_async_invocation_cancel.stop]
    }
  }
}
`, urn, id),
			PostApplyFunc: func() {
				if s := emu.Stats(); s.AcceptedCancels != 1 {
					t.Errorf("the triggered action made %d accepted cancels, want 1", s.AcceptedCancels)
				}
			},
			Check: func(*terraform.State) error {
				if inv, _ := emu.Invocation(urn, id); inv.Status != "FAIL" {
					return fmt.Errorf("invocation is %s after the action", inv.Status)
				}
				return nil
			},
		}},
	})
}

// Off the happy path the action says what happened in words that fit an
// action, which keeps no state: an invocation ended on its own or already
// cancelled is a warning, not a failure; a stop that cannot be confirmed
// names no HTTP status that never came; a cancel sent without an answer may
// have been carried out, and says so.
func TestAsyncInvocationCancelAction_offTheHappyPath(t *testing.T) {
	t.Parallel()
	hourly := acctest.FunctionURN("hourly")
	stubborn := acctest.FunctionURN("stubborn")
	tests := []struct {
		name string
		// prepare returns the URN and request ID to cancel.
		prepare   func(t *testing.T, f actionFixture) (string, string)
		wantError bool
		want      string
		progress  string
		accepted  int64
	}{
		{name: "ended on its own", want: `\[WARNING\] Invocation Had Already Ended: .*ended on its own with status SUCCESS.*Nothing was cancelled`,
			progress: `had already ended on its own: SUCCESS; nothing was cancelled`,
			prepare: func(t *testing.T, f actionFixture) (string, string) {
				id, err := f.emu.InvokeStartedAt(hourly, time.Now().Add(-2*time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				return hourly, id
			}},
		{name: "already cancelled", want: `\[WARNING\] Invocation Already Cancelled: .*Most often an earlier attempt did it`, accepted: 1,
			progress: `had already been cancelled: FAIL \(4208`,
			prepare: func(t *testing.T, f actionFixture) (string, string) {
				id := acctest.Invoke(t, f.emu, f.urn)
				if res := f.p.Invoke(context.Background(), cancelActionType, f.config(map[string]tftypes.Value{"request_id": acctest.String(id)})); hasError(res.Diagnostics) {
					t.Fatal(diagText(res.Diagnostics))
				}
				return f.urn, id
			}},
		{name: "stop not listed", want: `\[WARNING\] Stop Not Confirmed: .*not listed among the function's invocations of the last 72 hours.*accepted cancel stands`, accepted: 1,
			prepare: func(t *testing.T, f actionFixture) (string, string) {
				if err := f.emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpList, Status: 200, Body: `{"invocations":[],"count":0,"next_marker":0}`}); err != nil {
					t.Fatal(err)
				}
				return f.urn, acctest.Invoke(t, f.emu, f.urn)
			}},
		{name: "still running at the deadline", wantError: true, accepted: 1,
			want: `\[ERROR\] Invocation Still Running After Cancel: .*status queries?\). The accepted cancel stands; it was not sent again`,
			prepare: func(t *testing.T, f actionFixture) (string, string) {
				return stubborn, acctest.Invoke(t, f.emu, stubborn)
			}},
		{name: "timed out after sending", wantError: true,
			want: `\[ERROR\] Failed to Cancel Async Invocation: Timed Out: .*The cancel reached FunctionGraph and no answer came back for it, so FunctionGraph may have carried it out\. Run it again`,
			prepare: func(t *testing.T, f actionFixture) (string, string) {
				if err := f.emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Hang: true}); err != nil {
					t.Fatal(err)
				}
				return f.urn, acctest.Invoke(t, f.emu, f.urn)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newActionFixture(t, nil)
			for _, fn := range []fgsemu.Function{{URN: hourly, RunFor: time.Hour}, {URN: stubborn, NeverStops: true}} {
				if err := f.emu.AddFunction(fn); err != nil {
					t.Fatal(err)
				}
			}
			urn, id := tt.prepare(t, f)
			res := f.p.Invoke(context.Background(), cancelActionType, f.config(map[string]tftypes.Value{
				"function_urn": acctest.String(urn), "request_id": acctest.String(id), "timeout": acctest.String("1s"),
			}))
			text := diagText(res.Diagnostics)
			if !res.Completed || hasError(res.Diagnostics) != tt.wantError || !regexp.MustCompile(`(?s)`+tt.want).MatchString(text) {
				t.Fatalf("diagnostics:\n%s\nwant %s (an error: %v)", text, tt.want, tt.wantError)
			}
			for _, wrong := range []string{"state", "HTTP 0", "HTTP status: 0", "final_status"} {
				if strings.Contains(text, wrong) {
					t.Fatalf("an action's diagnostic says %q:\n%s", wrong, text)
				}
			}
			if tt.progress != "" && !regexp.MustCompile(tt.progress).MatchString(strings.Join(res.Progress, "\n")) {
				t.Fatalf("progress %q, want %s", res.Progress, tt.progress)
			}
			if got := f.emu.Stats().AcceptedCancels; got != tt.accepted {
				t.Fatalf("%d accepted cancels, want %d", got, tt.accepted)
			}
		})
	}
}
