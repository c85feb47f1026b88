package resources_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

const bulkAddr = "huaweicloud_fgs_async_invocations_cancel.test"

// bulkConfig is a bulk cancel of ids (nil: no request_ids) with extra lines.
func bulkConfig(emu *fgsemu.Emulator, urn string, ids []string, extra ...string) string {
	body := ""
	if ids != nil {
		quoted := make([]string, len(ids))
		for i, id := range ids {
			quoted[i] = fmt.Sprintf("%q", id)
		}
		body += "  request_ids = [" + strings.Join(quoted, ", ") + "]\n"
	}
	for _, e := range extra {
		body += "  " + e + "\n"
	}
	return acctest.ProviderConfig(emu) + fmt.Sprintf(`
resource "huaweicloud_fgs_async_invocations_cancel" "test" {
  function_urn = %q
%s}
`, urn, body)
}

func invokeN(t *testing.T, emu *fgsemu.Emulator, urn string, n int) []string {
	t.Helper()
	ids, err := emu.InvokeN(urn, n)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// stringList matches a list of exactly these strings, in this order.
func stringList(ids []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		checks[i] = knownvalue.StringExact(id)
	}
	return knownvalue.ListExact(checks)
}

// expectEachCancelledOnce fails unless every id is FAIL (cancelled) and the
// emulator accepted exactly that many cancels.
func expectEachCancelledOnce(emu *fgsemu.Emulator, urn string, ids []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if s := emu.Stats(); s.AcceptedCancels != int64(len(ids)) {
			return fmt.Errorf("emulator accepted %d cancels, want %d (by op: %v)", s.AcceptedCancels, len(ids), s.RequestsByOp)
		}
		for _, id := range ids {
			if inv, _ := emu.Invocation(urn, id); inv.Status != "FAIL" || inv.ErrorCode != 4208 {
				return fmt.Errorf("invocation %s is %s (%d), want cancelled", id, inv.Status, inv.ErrorCode)
			}
		}
		return nil
	}
}

// Every ID is cancelled with exactly one accepted cancel, never more than
// max_concurrency in flight; a second plan is empty; changing how cancels
// are sent updates in place and sends nothing; destroy sends nothing.
func TestAsyncInvocationsCancelResource_basic(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	emu.SetLatency(20 * time.Millisecond)
	ids := invokeN(t, emu, urn, 40)
	var afterApply int64

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if n := emu.Stats().Requests; n != afterApply {
				return fmt.Errorf("plans, updates and destroy sent %d requests", n-afterApply)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: bulkConfig(emu, urn, ids, "max_concurrency = 5"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(ids)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("ended_request_ids"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("failed"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("max_concurrency"), knownvalue.Int64Exact(5)),
				},
				Check: resource.ComposeTestCheckFunc(
					expectEachCancelledOnce(emu, urn, ids),
					func(*terraform.State) error {
						s := emu.Stats()
						afterApply = s.Requests
						if s.RequestsByOp[fgsemu.OpCancel] != int64(len(ids)) {
							return fmt.Errorf("%d cancel requests, want %d", s.RequestsByOp[fgsemu.OpCancel], len(ids))
						}
						if s.MaxCancelsInFlight > 5 || s.MaxCancelsInFlight < 2 {
							return fmt.Errorf("at most %d cancels were in flight at once, want 2 to 5", s.MaxCancelsInFlight)
						}
						return nil
					},
				),
			},
			{
				Config:           bulkConfig(emu, urn, ids, "max_concurrency = 5"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: bulkConfig(emu, urn, ids, "max_concurrency = 50", `type = "force"`, "wait_for_stop = false",
					"timeouts {\n    create = \"1m\"\n  }"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(ids)),
				},
				Check: func(*terraform.State) error {
					if n := emu.Stats().Requests; n != afterApply {
						return fmt.Errorf("an in-place update sent %d requests", n-afterApply)
					}
					return nil
				},
			},
		},
	})
}

// Null, empty, duplicate, malformed and too many request IDs, a timeout of
// zero or less and unknown statuses are refused at plan, and nothing is sent.
func TestAsyncInvocationsCancelResource_refusedAtPlan(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	ids := invokeN(t, emu, urn, 3)
	tooMany := make([]string, 10001)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
	}
	tests := []struct {
		name, config, want string
	}{
		{"duplicate", bulkConfig(emu, urn, []string{ids[0], ids[1], ids[0]}),
			`Duplicate Request ID.*request_ids lists "` + ids[0] + `" at index 0 and again at index 2`},
		{"malformed", bulkConfig(emu, urn, []string{ids[0], "not a request id!"}), `Invalid Request ID.*"not a request id!"`},
		{"too many", bulkConfig(emu, urn, tooMany), `at most 10000`},
		{"window with ids", bulkConfig(emu, urn, ids, `query_begin_time = "2026-01-01T00:00:00Z"`), `Invalid Attribute Combination`},
		{"window reversed", bulkConfig(emu, urn, nil, `query_begin_time = "2026-01-02T00:00:00Z"`, `query_end_time = "2026-01-01T00:00:00Z"`),
			`Query Ends Before It Begins`},
		{"concurrency", bulkConfig(emu, urn, ids, "max_concurrency = 101"), `max_concurrency.*between 1 and 100`},
		{"null id", strings.Replace(bulkConfig(emu, urn, ids), `"`+ids[1]+`"`, "null", 1), `Invalid Request ID.*request_ids\[1\] is null`},
		{"empty id", bulkConfig(emu, urn, []string{ids[0], ""}), `Invalid Request ID`},
		{"zero timeout", bulkConfig(emu, urn, ids, "timeouts {\n    create = \"0s\"\n  }"), `Invalid Timeout.*timeouts.create is "0s"`},
		{"negative update timeout", bulkConfig(emu, urn, ids, "timeouts {\n    update = \"-1m\"\n  }"), `Invalid Timeout.*timeouts.update is "-1m"`},
		{"statuses", bulkConfig(emu, urn, nil, `statuses = ["DONE"]`), `statuses.*WAIT.*RUNNING`},
		{"window and started_within", bulkConfig(emu, urn, nil, `started_within = "1h"`, `query_begin_time = "2026-01-01T00:00:00Z"`), `Invalid Attribute Combination`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps:                    []resource.TestStep{{Config: tt.config, ExpectError: acctest.ErrorPattern(tt.want)}},
			})
		})
	}
	if n := emu.Stats().Requests; n != 0 {
		t.Fatalf("refused configurations sent %d requests", n)
	}
}

// A region known only at apply stays unknown in the plan (no "Provider
// produced invalid plan") and the cancels go out once it is known.
func TestAsyncInvocationsCancelResource_regionKnownAtApply(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	ids := invokeN(t, emu, urn, 2)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: `resource "terraform_data" "region" {
  input = "` + acctest.Region + `"
}
` + bulkConfig(emu, urn, ids, "region = terraform_data.region.output"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(bulkAddr, tfjsonpath.New("region")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
			},
			Check: expectCancels(emu, urn, 2, eachOnce(ids...)),
		}},
	})
}

// 5xx answers, 429s with Retry-After, connection resets and a lost answer
// are all ridden out: every ID ends cancelled, each accepted once.
func TestAsyncInvocationsCancelResource_faultsSurvived(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	ids := invokeN(t, emu, urn, 30)
	for _, f := range []fgsemu.Fault{
		{Op: fgsemu.OpCancel, Times: 4, Status: 503},
		{Op: fgsemu.OpCancel, Times: 3, Status: 429, RetryAfter: "1"},
		{Op: fgsemu.OpCancel, Times: 3, Drop: fgsemu.DropBefore},
		{Op: fgsemu.OpCancel, Times: 1, Drop: fgsemu.DropAfter},
	} {
		if err := emu.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: bulkConfig(emu, urn, ids, "max_concurrency = 8"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(ids)),
				statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("failed"), knownvalue.ListSizeExact(0)),
			},
			Check: resource.ComposeTestCheckFunc(
				expectEachCancelledOnce(emu, urn, ids),
				func(*terraform.State) error {
					if s := emu.Stats(); s.FaultsApplied != 11 || s.MaxCancelsInFlight > 8 {
						return fmt.Errorf("emulator applied %d faults (want 11), max in flight %d", s.FaultsApplied, s.MaxCancelsInFlight)
					}
					return nil
				},
			),
		}},
	})
}

func bulkStateLists(s *tfjson.State) (cancelled, failed []any, err error) {
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return nil, nil, fmt.Errorf("no state")
	}
	for _, r := range s.Values.RootModule.Resources {
		if r.Address == bulkAddr {
			c, _ := r.AttributeValues["cancelled_request_ids"].([]any)
			f, _ := r.AttributeValues["failed"].([]any)
			return c, f, nil
		}
	}
	return nil, nil, fmt.Errorf("%s is not in the state", bulkAddr)
}

// cancelsSent counts, per request ID, the cancel requests that reached the
// emulator's function (accepted or refused), and fails unless each is want[id].
func cancelsSent(emu *fgsemu.Emulator, urn string, want map[string]int) error {
	for id, n := range want {
		inv, ok := emu.Invocation(urn, id)
		if !ok {
			return fmt.Errorf("emulator has no invocation %s", id)
		}
		if inv.CancelRequests != n {
			return fmt.Errorf("invocation %s got %d cancel requests, want %d", id, inv.CancelRequests, n)
		}
	}
	return nil
}

// expectCancels checks the cancels sent per request ID and in all (faulted ones included).
func expectCancels(emu *fgsemu.Emulator, urn string, total int64, want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := emu.Stats().RequestsByOp[fgsemu.OpCancel]; n != total {
			return fmt.Errorf("%d cancel requests in all, want %d", n, total)
		}
		return cancelsSent(emu, urn, want)
	}
}

func eachOnce(ids ...string) map[string]int {
	m := make(map[string]int, len(ids))
	for _, id := range ids {
		m[id] = 1
	}
	return m
}

func expectSends(want string) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("sends"), knownvalue.StringExact(want))
}

// The record is what every apply converges on: a new order is no change, an
// added ID is cancelled in place and alone, a removed one is forgotten and
// sent nothing; no cancel is ever sent twice for one request ID.
func TestAsyncInvocationsCancelResource_convergesOnRequestIDs(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, StopDelay: time.Minute}) // still stopping: a second cancel would be accepted
	ids := invokeN(t, emu, urn, 4)
	a, b, c, d := ids[0], ids[1], ids[2], ids[3]
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionUpdate)}}
	update.PreApply = append(update.PreApply, expectSends("1 to cancel"))

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: bulkConfig(emu, urn, []string{a, b, c}, "wait_for_stop = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("sends"), knownvalue.StringExact("3 to cancel")),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList([]string{a, b, c})),
				},
				Check: expectCancels(emu, urn, 3, eachOnce(a, b, c)),
			},
			{
				Config:           bulkConfig(emu, urn, []string{c, a, b}, "wait_for_stop = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            expectCancels(emu, urn, 3, eachOnce(a, b, c)),
			},
			{
				Config:           bulkConfig(emu, urn, []string{c, a, b, d}, "wait_for_stop = false"),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList([]string{a, b, c, d})),
				},
				Check: expectCancels(emu, urn, 4, eachOnce(a, b, c, d)),
			},
			{
				Config: bulkConfig(emu, urn, []string{c, b, d}, "wait_for_stop = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionUpdate), expectSends("nothing"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList([]string{b, c, d})),
				},
				Check: expectCancels(emu, urn, 4, eachOnce(a, b, c, d)),
			},
			{
				// Known only at apply, in another order: still nothing to send.
				Config: fmt.Sprintf("resource \"terraform_data\" \"ids\" {\n  input = [%q, %q, %q]\n}\n", d, c, b) +
					bulkConfig(emu, urn, nil, "request_ids = terraform_data.ids.output", "wait_for_stop = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(bulkAddr, tfjsonpath.New("sends")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("sends"), knownvalue.StringExact("nothing")),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList([]string{b, c, d})),
				},
				Check: expectCancels(emu, urn, 4, eachOnce(a, b, c, d)),
			},
		},
	})
}

// terraform plan says what an update will send: the added request ID only,
// and that the ones already cancelled are not sent again; destroy sends and
// says nothing.
func TestAsyncInvocationsCancelResource_planSaysWhatIsSent(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	ids := invokeN(t, emu, urn, 3)
	cli := acctest.NewCLI(t)
	block := func(ids ...string) string { return bulkConfig(emu, urn, ids, "wait_for_stop = false") }
	cli.Configure(block(ids[0], ids[1]))
	cli.MustRun("apply", "-auto-approve")
	cli.Configure(block(ids[1], ids[0], ids[2]))
	out := strings.Join(strings.Fields(cli.MustRun("plan").Output), " ")
	want := `Plan: 0 to add, 1 to change, 0 to destroy. .*Warning: Bulk Cancel Plan: 1 to Cancel .*` +
		`This apply sends cancels for these request IDs only; 2 request IDs the record shows cancelled or ended are not sent again. ` +
		`To cancel \(not in the record yet\): - ` + ids[2] + `$`
	if !regexp.MustCompile(want).MatchString(out) || strings.Contains(out, "To retry") {
		t.Fatalf("plan output:\n%s", out)
	}
	if n := emu.Stats().RequestsByOp[fgsemu.OpCancel]; n != 2 {
		t.Fatalf("%d cancel requests, want the 2 of the first apply", n)
	}
	// Destroy forgets the record and says nothing, as the single cancel's does.
	if out := cli.MustRun("destroy", "-auto-approve").Output; strings.Contains(out, "Warning") || !strings.Contains(out, "1 destroyed") {
		t.Fatalf("destroy:\n%s", out)
	}
	if n := emu.Stats().RequestsByOp[fgsemu.OpCancel]; n != 2 {
		t.Fatalf("destroy sent %d cancel requests", n-2)
	}
}

// A partial failure fails the apply with one diagnostic naming the failed
// request and records what was done. After a failed create (which Terraform
// taints) the replacement sends only the failed one; after a failed update
// (not tainted) the next apply retries it in place, and only it.
func TestAsyncInvocationsCancelResource_retriesOnlyFailed(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, StopDelay: time.Minute})
	ids := invokeN(t, emu, urn, 5)
	first, more := ids[:3], ids[3:]
	refuseOnce := func() {
		if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Times: 1, Status: 403}); err != nil {
			t.Fatal(err)
		}
	}
	// One worker: the first ID sent is the one refused.
	opts := []string{"max_concurrency = 1", "wait_for_stop = false"}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				PreConfig:   refuseOnce,
				Config:      bulkConfig(emu, urn, first, opts...),
				ExpectError: acctest.ErrorPattern(`Failed to Cancel 1 of 3 Async Invocations: Access Denied.*2 invocations were cancelled.*this one was not.*- ` + first[0] + `: HTTP 403.*next apply retries only these`),
				Check:       expectCancels(emu, urn, 3, map[string]int{first[0]: 0, first[1]: 1, first[2]: 1}),
			},
			{
				Config: bulkConfig(emu, urn, first, opts...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(first)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("failed"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("sends"), knownvalue.StringExact("1 to cancel, 2 already done by the replaced record")),
				},
				Check: expectCancels(emu, urn, 4, eachOnce(first...)),
			},
			{
				PreConfig:   refuseOnce,
				Config:      bulkConfig(emu, urn, ids, opts...),
				ExpectError: acctest.ErrorPattern(`Failed to Cancel 1 of 2 Async Invocations: Access Denied.*- ` + more[0] + `: HTTP 403`),
				Check:       expectCancels(emu, urn, 6, map[string]int{first[0]: 1, first[1]: 1, first[2]: 1, more[0]: 0, more[1]: 1}),
			},
			{
				Config: bulkConfig(emu, urn, ids, opts...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionUpdate), expectSends("1 to retry"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList([]string{first[0], first[1], first[2], more[1], more[0]})),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("failed"), knownvalue.ListSizeExact(0)),
				},
				Check: expectCancels(emu, urn, 7, eachOnce(ids...)),
			},
		},
	})
}

// Without request_ids the queue is cancelled too: a function running one
// invocation at a time with three queued has all four cancelled, each once,
// counted by status. A change of the window (started_within, or a
// plantimestamp() one) sends nothing; replacing it cancels again.
func TestAsyncInvocationsCancelResource_windowCancelsQueueOnce(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, MaxInstances: 1})
	ids := invokeN(t, emu, urn, 4) // 1 RUNNING, 3 WAIT
	var later string
	cancelledOnce := func(ids ...string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			for _, id := range ids {
				inv, _ := emu.Invocation(urn, id)
				if inv.ErrorCode != fgsemu.CanceledErrorCode || inv.CancelRequests != 1 {
					return fmt.Errorf("invocation %s is %s (%d) after %d cancel requests, want cancelled by one", id, inv.Status, inv.ErrorCode, inv.CancelRequests)
				}
			}
			return nil
		}
	}
	runningUncancelled := func(*terraform.State) error {
		if inv, _ := emu.Invocation(urn, later); inv.Status != "RUNNING" || inv.CancelRequests != 0 {
			return fmt.Errorf("the later invocation is %s after %d cancel requests, want RUNNING and none", inv.Status, inv.CancelRequests)
		}
		return nil
	}
	nothing := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionUpdate), expectSends("nothing"),
	}}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: bulkConfig(emu, urn, nil, `started_within = "12h"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("listed_by_status"), knownvalue.MapExact(map[string]knownvalue.Check{
						"RUNNING": knownvalue.Int64Exact(1), "WAIT": knownvalue.Int64Exact(3),
					})),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("sends"), knownvalue.StringExact("4 to cancel (1 RUNNING and 3 WAIT listed)")),
				},
				Check: resource.ComposeTestCheckFunc(cancelledOnce(ids...), func(*terraform.State) error {
					later = acctest.Invoke(t, emu, urn)
					return nil
				}),
			},
			{
				Config:           bulkConfig(emu, urn, nil, `started_within = "6h"`),
				ConfigPlanChecks: nothing,
				Check:            resource.ComposeTestCheckFunc(cancelledOnce(ids...), runningUncancelled),
			},
			{
				// plantimestamp() moves at every plan: an update that sends nothing.
				Config:             bulkConfig(emu, urn, nil, `query_begin_time = timeadd(plantimestamp(), "-12h")`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: nothing.PreApply},
			},
			{
				Config:           bulkConfig(emu, urn, nil, fmt.Sprintf("query_begin_time = %q", time.Now().UTC().Add(-12*time.Hour).Format(time.RFC3339))),
				ConfigPlanChecks: nothing,
				Check:            resource.ComposeTestCheckFunc(cancelledOnce(ids...), runningUncancelled),
			},
			{
				// What -replace does: the replacement lists again and cancels only what is new.
				Config: bulkConfig(emu, urn, nil, `started_within = "12h"`),
				Taint:  []string{bulkAddr},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionReplace),
				}},
				Check: resource.ComposeTestCheckFunc(cancelledOnce(ids...), func(*terraform.State) error {
					return cancelsSent(emu, urn, map[string]int{later: 1})
				}),
			},
		},
	})
}

// Without request_ids, only what is RUNNING at apply is cancelled, going
// back 72 hours (not the API's one hour): finished invocations are left.
func TestAsyncInvocationsCancelResource_runningOnly(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	var clock atomic.Int64
	start := time.Now().Add(-5 * time.Hour)
	clock.Store(start.UnixNano())
	emu := acctest.StartEmulatorWith(t, fgsemu.Options{Now: func() time.Time { return time.Unix(0, clock.Load()) }},
		fgsemu.Function{URN: urn, RunFor: 3 * time.Hour})
	finished := acctest.Invoke(t, emu, urn)
	clock.Store(start.Add(3*time.Hour + time.Minute).UnixNano())
	old := acctest.Invoke(t, emu, urn) // two hours old at apply
	clock.Store(time.Now().UnixNano())
	recent := invokeN(t, emu, urn, 3)
	running := append([]string{old}, recent...)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: bulkConfig(emu, urn, nil, "wait_for_stop = false"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("request_ids"), knownvalue.Null()),
				statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("failed"), knownvalue.ListSizeExact(0)),
				acctest.StateFunc(func(s *tfjson.State) error {
					cancelled, _, err := bulkStateLists(s)
					if err != nil {
						return err
					}
					got := make([]string, len(cancelled))
					for i, v := range cancelled {
						got[i], _ = v.(string)
					}
					want := append([]string{}, running...)
					sort.Strings(got)
					sort.Strings(want)
					if fmt.Sprint(got) != fmt.Sprint(want) {
						return fmt.Errorf("cancelled %v, want the running %v", got, want)
					}
					return nil
				}),
			},
			Check: resource.ComposeTestCheckFunc(
				expectEachCancelledOnce(emu, urn, running),
				expectInvocationStatus(emu, urn, finished, "SUCCESS"),
			),
		}},
	})
}

// An invocation that ended on its own is neither cancelled nor failed: it is
// recorded in ended_request_ids, with a warning, and the apply succeeds.
func TestAsyncInvocationsCancelResource_endedOnItsOwn(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, RunFor: time.Hour})
	finished, err := emu.InvokeStartedAt(urn, time.Now().Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	running := invokeN(t, emu, urn, 3)
	ids := append([]string{finished}, running...)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: bulkConfig(emu, urn, ids),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(running)),
				statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("ended_request_ids"), stringList([]string{finished})),
				statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("failed"), knownvalue.ListSizeExact(0)),
			},
			Check: resource.ComposeTestCheckFunc(
				expectEachCancelledOnce(emu, urn, running),
				expectInvocationStatus(emu, urn, finished, "SUCCESS"),
			),
		}},
	})
}

// A wait the deadline cuts short keeps the accepted cancels in an untainted
// record, those not seen to stop in stop_pending_request_ids; the next apply
// waits for them again in place, sending no cancel, as the single resource
// does with stop_pending; the apply after it has nothing to do.
func TestAsyncInvocationsCancelResource_waitsAgainAfterDeadline(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("slow")
	clock := acctest.NewClock() // stands still: the stops come only when the test says
	emu := acctest.StartEmulatorWith(t, fgsemu.Options{Now: clock.Now}, fgsemu.Function{URN: urn, StopDelay: time.Minute})
	ids := invokeN(t, emu, urn, 2)
	config := bulkConfig(emu, urn, ids, "timeouts {\n    create = \"2s\"\n  }")
	var listsBefore int64
	waitedAgain := func(*terraform.State) error {
		if lists := emu.Stats().RequestsByOp[fgsemu.OpList]; lists <= listsBefore {
			return fmt.Errorf("the apply read no status (%d status queries before it, %d after): it did not wait again", listsBefore, lists)
		}
		return nil
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(ids)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("stop_pending_request_ids"), stringList(ids)),
				},
				Check: resource.ComposeTestCheckFunc(expectStats(emu, 2, 2), expectNotTainted(bulkAddr)),
				// The pending stops are themselves the change the next plan makes.
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				PreConfig: func() {
					passStop(t, clock, emu, urn, time.Minute, ids...)
					listsBefore = emu.Stats().RequestsByOp[fgsemu.OpList]
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(bulkAddr, tfjsonpath.New("stop_pending_request_ids")),
					plancheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("sends"), knownvalue.StringExact("nothing")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(ids)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("stop_pending_request_ids"), knownvalue.ListExact(nil)),
				},
				Check: resource.ComposeTestCheckFunc(expectStats(emu, 2, 2), waitedAgain),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            expectStats(emu, 2, 2),
			},
		},
	})
}

// With wait_for_stop turned off, pending stops stop being waited for: in
// place, with no status query and no cancel.
func TestAsyncInvocationsCancelResource_pendingThenDisabled(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("slow")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, StopDelay: time.Hour})
	ids := invokeN(t, emu, urn, 1)
	var listsBefore int64
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: bulkConfig(emu, urn, ids, "timeouts {\n    create = \"2s\"\n  }"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("stop_pending_request_ids"), stringList(ids)),
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config:    bulkConfig(emu, urn, ids, "wait_for_stop = false", "timeouts {\n    create = \"2s\"\n  }"),
				PreConfig: func() { listsBefore = emu.Stats().RequestsByOp[fgsemu.OpList] },
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("stop_pending_request_ids"), knownvalue.ListExact(nil)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("stop_pending_request_ids"), knownvalue.ListExact(nil)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(ids)),
				},
				Check: resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), func(*terraform.State) error {
					if lists := emu.Stats().RequestsByOp[fgsemu.OpList]; lists != listsBefore {
						return fmt.Errorf("%d status queries after wait_for_stop was turned off, want none", lists-listsBefore)
					}
					return nil
				}),
			},
		},
	})
}
