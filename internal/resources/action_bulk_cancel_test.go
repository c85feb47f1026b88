package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
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

const bulkActionType = "huaweicloud_fgs_async_invocations_cancel"

// The bulk action takes the bulk resource's arguments, with timeout for timeouts.
func TestAsyncInvocationsCancelAction_schemaMatchesResourceArguments(t *testing.T) {
	t.Parallel()
	s := acctest.NewProtocolProvider(t).ActionSchema(bulkActionType).Schema.Block
	var got []string
	for _, a := range s.Attributes {
		if a.Description == "" {
			t.Errorf("attribute %s has no description", a.Name)
		}
		kind := "optional"
		if a.Required {
			kind = "required"
		}
		got = append(got, a.Name+"="+kind)
	}
	want := "[function_urn=required max_concurrency=optional query_begin_time=optional query_end_time=optional region=optional " +
		"request_ids=optional started_within=optional statuses=optional timeout=optional type=optional wait_for_stop=optional]"
	if fmt.Sprint(got) != want {
		t.Fatalf("action attributes %v, want %s", got, want)
	}
}

// One invoke cancels every ID once, reports progress while it works and a
// summary at the end; validate and plan send nothing.
func TestAsyncInvocationsCancelAction_invoke(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	f.emu.SetLatency(20 * time.Millisecond)
	ids, err := f.emu.InvokeN(f.urn, 100)
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.bulkConfig(map[string]tftypes.Value{"request_ids": requestIDList(ids), "max_concurrency": tftypes.NewValue(tftypes.Number, 2)})
	v, err := f.p.Actions.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{ActionType: bulkActionType, Config: cfg})
	if err != nil || len(v.Diagnostics) > 0 {
		t.Fatalf("validate: %v %s", err, diagText(v.Diagnostics))
	}
	plan, err := f.p.Actions.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{ActionType: bulkActionType, Config: cfg})
	if err != nil || len(plan.Diagnostics) > 0 {
		t.Fatalf("plan: %v %s", err, diagText(plan.Diagnostics))
	}
	if n := f.emu.Stats().Requests; n != 0 {
		t.Fatalf("validate and plan sent %d requests; only invoke may", n)
	}

	res := f.p.Invoke(context.Background(), bulkActionType, cfg)
	if !res.Completed || len(res.Diagnostics) > 0 {
		t.Fatalf("invoke: completed=%v %s", res.Completed, diagText(res.Diagnostics))
	}
	if s := f.emu.Stats(); s.AcceptedCancels != 100 || s.RequestsByOp[fgsemu.OpCancel] != 100 || s.MaxCancelsInFlight > 2 {
		t.Fatalf("emulator: %+v", s)
	}
	p := res.Progress
	if len(p) < 4 {
		t.Fatalf("progress: %q", p)
	}
	first := `^Cancelling 100 async requests of ` + regexp.QuoteMeta(f.urn+" at "+f.emu.URL()) + `, at most 2 at a time$`
	counts := regexp.MustCompile(`^(\d+) of 100 cancelled, 0 failed$`)
	if !regexp.MustCompile(first).MatchString(p[0]) {
		t.Fatalf("progress[0] = %q", p[0])
	}
	// About 1 s of cancels: at least one count while working, never going down.
	seen, last := 0, -1
	for _, m := range p[1:] {
		if c := counts.FindStringSubmatch(m); c != nil {
			k, err := strconv.Atoi(c[1])
			if err != nil {
				t.Fatal(err)
			}
			if k < last {
				t.Fatalf("progress went down: %q", p)
			}
			last, seen = k, seen+1
		}
	}
	if seen == 0 {
		t.Fatalf("no count while working: %q", p)
	}
	tail := strings.Join(p[len(p)-3:], "\n")
	if !regexp.MustCompile(`100 of 100 cancelled, 0 failed \(done\)\nWaiting for 100 cancelled invocations to stop\nSummary: 100 of 100 cancelled, 0 failed$`).MatchString(tail) {
		t.Fatalf("last progress: %q", tail)
	}
}

// A failed request makes the invoke fail with one diagnostic naming it.
func TestAsyncInvocationsCancelAction_partialFailure(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	ids, err := f.emu.InvokeN(f.urn, 5)
	if err != nil {
		t.Fatal(err)
	}
	unknown := "00000000-0000-4000-8000-00000000dead"
	res := f.p.Invoke(context.Background(), bulkActionType,
		f.bulkConfig(map[string]tftypes.Value{"request_ids": requestIDList(append(ids, unknown))}))
	d := diagText(res.Diagnostics)
	if !hasError(res.Diagnostics) || strings.Count(d, "[ERROR]") != 1 ||
		!regexp.MustCompile(`Failed to Cancel 1 of 6 Async Invocations: Invocation Cannot Be Cancelled: 5 invocations were cancelled.*- `+unknown+`: HTTP 400 FSS.0400`).MatchString(strings.ReplaceAll(d, "\n", " ")) {
		t.Fatalf("diagnostics: %s", d)
	}
	if s := f.emu.Stats(); s.AcceptedCancels != 5 {
		t.Fatalf("emulator: %+v", s)
	}
	if p := res.Progress; p[len(p)-1] != "Summary: 5 of 6 cancelled, 1 failed" {
		t.Fatalf("progress: %q", p)
	}
	// An action has no state, record or apply to speak of.
	if m := regexp.MustCompile(`(?i)\bstate\b|\brecord|next apply|apply again`).FindString(d + strings.Join(res.Progress, "\n")); m != "" {
		t.Fatalf("the action speaks of %q: %s", m, d)
	}
	if !strings.Contains(strings.ReplaceAll(d, "\n", " "), "this one was not") || !strings.Contains(d, "invoke the action again") {
		t.Fatalf("diagnostics: %s", d)
	}
}

// Without request_ids the action lists the queue as well as what runs, and
// its progress and summary count each status.
func TestAsyncInvocationsCancelAction_summaryCountsStatuses(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	urn := strings.Replace(f.urn, ":hello:", ":queued:", 1)
	if err := f.emu.AddFunction(fgsemu.Function{URN: urn, MaxInstances: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emu.InvokeN(urn, 3); err != nil {
		t.Fatal(err)
	}
	res := f.p.Invoke(context.Background(), bulkActionType, f.bulkConfig(map[string]tftypes.Value{
		"function_urn": acctest.String(urn), "started_within": acctest.String("1h"),
	}))
	if !res.Completed || len(res.Diagnostics) > 0 {
		t.Fatalf("invoke: completed=%v %s", res.Completed, diagText(res.Diagnostics))
	}
	p := strings.Join(res.Progress, "\n")
	for _, want := range []string{
		"Listing every WAIT or RUNNING invocation started within 1h of " + urn,
		"Found 1 RUNNING and 2 WAIT invocations",
		"Summary: 3 of 3 cancelled, 0 failed; listed 1 RUNNING and 2 WAIT invocations",
	} {
		if !strings.Contains(p, want) {
			t.Fatalf("progress lacks %q:\n%s", want, p)
		}
	}
}

// Through Terraform 1.14+: a null request ID and a zero timeout are refused
// at plan, naming the argument, and nothing is sent; without request_ids the
// queued invocations are cancelled as well as the running one, each once.
func TestAsyncInvocationsCancelAction_checksAndQueue(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, MaxInstances: 1})
	ids, err := emu.InvokeN(urn, 3) // 1 RUNNING, 2 WAIT
	if err != nil {
		t.Fatal(err)
	}
	config := func(args string) string {
		return acctest.ProviderConfig(emu) + fmt.Sprintf(`
action "huaweicloud_fgs_async_invocations_cancel" "stop" {
  config {
    function_urn = %q
    %s
  }
}

resource "terraform_data" "deploy" {
  input = "v1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.huaweicloud_fgs_async_invocations_cancel.stop]
    }
  }
}
`, urn, args)
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   acctest.RunsActions,
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      config(fmt.Sprintf(`request_ids = [%q, null]`, ids[0])),
				ExpectError: acctest.ErrorPattern(`Invalid Request ID.*request_ids\[1\] is null`),
			},
			{
				Config:      config(`timeout = "0s"`),
				ExpectError: acctest.ErrorPattern(`Invalid Timeout.*timeout is "0s": a cancel needs a positive time`),
			},
			{
				Config: config(`started_within = "1h"`),
				Check: func(*terraform.State) error {
					if n := emu.Stats().RequestsByOp[fgsemu.OpCancel]; n != 3 {
						return fmt.Errorf("%d cancel requests, want 3 (the refused configurations send none)", n)
					}
					for _, id := range ids {
						if inv, _ := emu.Invocation(urn, id); inv.ErrorCode != fgsemu.CanceledErrorCode || inv.CancelRequests != 1 {
							return fmt.Errorf("invocation %s is %s after %d cancel requests, want cancelled by one", id, inv.Status, inv.CancelRequests)
						}
					}
					return nil
				},
			},
		},
	})
}

// Ctrl-C (the context ending) stops a bulk whose cancels hang: every one
// ends as interrupted, not by a timeout, so the interrupt is what ended it.
func TestAsyncInvocationsCancelAction_interruptReturnsPromptly(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	ids, err := f.emu.InvokeN(f.urn, 50)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Hang: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	res := f.p.Invoke(ctx, bulkActionType, f.bulkConfig(map[string]tftypes.Value{"request_ids": requestIDList(ids)}))
	if d := diagText(res.Diagnostics); !regexp.MustCompile(`Failed to Cancel 50 of 50 Async Invocations.*interrupted before FunctionGraph answered.*not sent`).MatchString(strings.ReplaceAll(d, "\n", " ")) {
		t.Fatalf("diagnostics: %s", d)
	}
}

// End to end through Terraform 1.14+: invoking the action cancels what is running.
func TestAsyncInvocationsCancelAction_invokedByTerraform(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	ids, err := emu.InvokeN(urn, 20)
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   acctest.RunsActions,
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(emu) + fmt.Sprintf(`
action "huaweicloud_fgs_async_invocations_cancel" "stop" {
  config {
    function_urn    = %q
    max_concurrency = 5
  }
}

resource "terraform_data" "deploy" {
  input = "v1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.huaweicloud_fgs_async_invocations_cancel.stop]
    }
  }
}
`, urn),
			Check: func(*terraform.State) error {
				if s := emu.Stats(); s.AcceptedCancels != int64(len(ids)) || s.MaxCancelsInFlight > 5 {
					return fmt.Errorf("the action made %d accepted cancels (want %d), %d at once", s.AcceptedCancels, len(ids), s.MaxCancelsInFlight)
				}
				return nil
			},
		}},
	})
}
