package resources_test

import (
	"context"
	"fmt"
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

// Duplicate, malformed and too many request IDs are refused at plan, and nothing is sent.
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

// priorState checks the state a plan starts from.
type priorState func(*tfjson.State) error

func (f priorState) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan.PriorState)
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

// A partial failure fails the apply with one diagnostic naming each failed
// request, keeps what was cancelled in the (tainted) state, and the next
// apply replaces the resource and tries again without cancelling twice.
func TestAsyncInvocationsCancelResource_partialFailure(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	good := invokeN(t, emu, urn, 8)
	unknown := []string{"00000000-0000-4000-8000-00000000dead", "00000000-0000-4000-8000-00000000beef"}
	all := append(append([]string{}, good[:4]...), unknown[0])
	all = append(append(all, good[4:]...), unknown[1])

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: bulkConfig(emu, urn, all),
				ExpectError: acctest.ErrorPattern(`Failed to Cancel 2 of 10 Async Invocations.*8 invocations were cancelled.*` +
					`- ` + unknown[0] + `: HTTP 400 FSS.0400.*- ` + unknown[1] + `: HTTP 400 FSS.0400.*` +
					`next apply replaces this resource`),
			},
			{
				Config:             bulkConfig(emu, urn, all),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bulkAddr, plancheck.ResourceActionReplace),
					priorState(func(s *tfjson.State) error {
						cancelled, failed, err := bulkStateLists(s)
						if err != nil {
							return err
						}
						got := make([]string, len(cancelled))
						for i, v := range cancelled {
							got[i], _ = v.(string)
						}
						if fmt.Sprint(got) != fmt.Sprint(good) || len(failed) != 2 {
							return fmt.Errorf("state records cancelled %v and %d failed, want %v and 2", got, len(failed), good)
						}
						f, _ := failed[0].(map[string]any)
						if f["request_id"] != unknown[0] || f["status_code"] != float64(400) || f["error_code"] != "FSS.0400" {
							return fmt.Errorf("failed[0] = %v", f)
						}
						return nil
					}),
				}},
				Check: expectEachCancelledOnce(emu, urn, good),
			},
			{
				// Without the unknown IDs the replacement finds the rest already cancelled.
				Config: bulkConfig(emu, urn, good),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(good)),
					statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("failed"), knownvalue.ListSizeExact(0)),
				},
				Check: expectEachCancelledOnce(emu, urn, good),
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
