package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

func expectListRequests(emu *fgsemu.Emulator, check func(int64) bool, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := emu.Stats().RequestsByOp[fgsemu.OpList]; !check(n) {
			return fmt.Errorf("%d status queries, want %s", n, want)
		}
		return nil
	}
}

// The apply waits until the cancelled invocation has ended, and records how:
// the emulator's clock stands still until the first status query has been
// answered (RUNNING), then passes the stop, so only an apply that queries
// again after that finds the end.
func TestWaitForStop_waitsForTheEnd(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("slow")
	clock := acctest.NewClock()
	var passStop sync.Once
	emu := acctest.StartEmulatorWith(t, fgsemu.Options{Now: clock.Now, Observe: func(m fgsemu.Moment, s fgsemu.Stats) {
		if m == fgsemu.Answered && s.RequestsByOp[fgsemu.OpList] > 0 {
			passStop.Do(func() { clock.Advance(time.Minute) })
		}
	}}, fgsemu.Function{URN: urn, StopDelay: time.Minute})
	id := acctest.Invoke(t, emu, urn)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("stop_pending"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_error_code"), knownvalue.StringExact("4208")),
			},
			Check: resource.ComposeTestCheckFunc(
				expectStats(emu, 1, 1),
				expectListRequests(emu, func(n int64) bool { return n >= 2 }, "one while the stop was pending and one after it"),
			),
		}},
	})
}

// A wait cut short by the deadline keeps the accepted cancel's record,
// untainted and marked stop_pending; the next apply of the same
// configuration waits again in place, sends no cancel, keeps cancelled_at
// and api_request_id, and records the end; the apply after it has nothing to do.
func TestWaitForStop_deadline(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("slow")
	clock := acctest.NewClock() // stands still: the stop comes only when the test says
	emu := acctest.StartEmulatorWith(t, fgsemu.Options{Now: clock.Now}, fgsemu.Function{URN: urn, StopDelay: time.Minute})
	id := acctest.Invoke(t, emu, urn)
	config := cancelConfig(emu, urn, id, `timeouts { create = "2s" }`)
	cancelledAt := statecheck.CompareValue(compare.ValuesSame())
	apiRequestID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("stop_pending"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.Null()),
					cancelledAt.AddStateValue(cancelAddr, tfjsonpath.New("cancelled_at")),
					apiRequestID.AddStateValue(cancelAddr, tfjsonpath.New("api_request_id")),
				},
				Check: resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectNotTainted(cancelAddr)),
				// The record's pending stop is itself the change the next plan makes.
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(cancelAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(cancelAddr, tfjsonpath.New("final_status")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("stop_pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_error_code"), knownvalue.StringExact("4208")),
					cancelledAt.AddStateValue(cancelAddr, tfjsonpath.New("cancelled_at")),
					apiRequestID.AddStateValue(cancelAddr, tfjsonpath.New("api_request_id")),
				},
				PreConfig: func() { passStop(t, clock, emu, urn, time.Minute, id) },
				Check:     expectStats(emu, 1, 1),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            expectStats(emu, 1, 1),
			},
		},
	})
}

// passStop moves the emulator's clock past the stop and checks that the
// invocations have ended, so the next apply finds their end at its first status query.
func passStop(t *testing.T, clock *acctest.Clock, emu *fgsemu.Emulator, urn string, stopDelay time.Duration, ids ...string) {
	t.Helper()
	clock.Advance(stopDelay)
	for _, id := range ids {
		if inv, _ := emu.Invocation(urn, id); inv.Status == fgsemu.StatusRunning {
			t.Fatalf("the invocation still runs after its stop: %+v", inv)
		}
	}
}

// expectNotTainted fails unless the resource's record is untainted.
func expectNotTainted(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if r := s.RootModule().Resources[addr]; r == nil || r.Primary == nil || r.Primary.Tainted {
			return fmt.Errorf("%s is missing or tainted: %+v", addr, r)
		}
		return nil
	}
}

// With wait_for_stop turned off, a pending record stops waiting: in place,
// with no status query and no cancel.
func TestWaitForStop_pendingThenDisabled(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("stuck")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, NeverStops: true})
	id := acctest.Invoke(t, emu, urn)
	var lists int64
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:             cancelConfig(emu, urn, id, `timeouts { create = "2s" }`),
				Check:              func(*terraform.State) error { lists = emu.Stats().RequestsByOp[fgsemu.OpList]; return nil },
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cancelConfig(emu, urn, id, `timeouts { create = "2s" }`, `wait_for_stop = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(cancelAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("stop_pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.StringRegexp(rfc3339UTC)),
				},
				Check: resource.ComposeTestCheckFunc(
					expectStats(emu, 1, 1),
					expectListRequests(emu, func(n int64) bool { return n == lists }, "none since the first apply"),
				),
			},
		},
	})
}

// With wait_for_stop = false the apply returns once the cancel is accepted.
func TestWaitForStop_disabled(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("stuck")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, NeverStops: true})
	id := acctest.Invoke(t, emu, urn)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id, `wait_for_stop = false`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.Null()),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("wait_for_stop"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeTestCheckFunc(
				expectStats(emu, 1, 1),
				expectListRequests(emu, func(n int64) bool { return n == 0 }, "none"),
			),
		}},
	})
}

// A refused status query is not a failed cancel: the apply succeeds with the
// final status left empty.
func TestWaitForStop_statusQueryRefused(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpList, Status: 403, Body: `{"error_code":"FSS.0403","error_msg":"no permission to list"}`}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.Null()),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("api_request_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`))),
			},
			Check: expectStats(emu, 1, 1),
		}},
	})
}

// The action reports each status change while it waits, and warns when the
// stop cannot be confirmed.
func TestWaitForStop_actionProgress(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("slow")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, StopDelay: 300 * time.Millisecond})
	p := acctest.NewProtocolProvider(t)
	p.ConfigureForEmulator(emu, nil)
	id := acctest.Invoke(t, emu, urn)
	res := p.Invoke(context.Background(), cancelActionType, p.ActionConfig(cancelActionType, map[string]tftypes.Value{
		"function_urn": acctest.String(urn), "request_id": acctest.String(id),
	}))
	if hasError(res.Diagnostics) {
		t.Fatal(diagText(res.Diagnostics))
	}
	expectProgress(t, res.Progress, []string{
		`^Cancelling async request `,
		`^Cancel accepted `,
		`^Waiting for request ` + id + ` to stop$`,
		`^Request ` + id + ` is RUNNING after 0s$`,
		`^Request ` + id + ` is FAIL \(4208: function invocation canceled\) after ([3-9]00ms|1(\.\d)?s)$`,
	})

	// Status queries refused: a warning, not a failure.
	id2 := acctest.Invoke(t, emu, urn)
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpList, Status: 403}); err != nil {
		t.Fatal(err)
	}
	res = p.Invoke(context.Background(), cancelActionType, p.ActionConfig(cancelActionType, map[string]tftypes.Value{
		"function_urn": acctest.String(urn), "request_id": acctest.String(id2),
	}))
	if hasError(res.Diagnostics) || !regexp.MustCompile(`(?s)WARNING.*Stop Not Confirmed.*HTTP status: 403`).MatchString(diagText(res.Diagnostics)) {
		t.Fatalf("diagnostics: %s", diagText(res.Diagnostics))
	}

	// wait_for_stop = false: no status query at all.
	id3 := acctest.Invoke(t, emu, urn)
	emu.ClearFaults()
	before := emu.Stats().RequestsByOp[fgsemu.OpList]
	res = p.Invoke(context.Background(), cancelActionType, p.ActionConfig(cancelActionType, map[string]tftypes.Value{
		"function_urn": acctest.String(urn), "request_id": acctest.String(id3), "wait_for_stop": tftypes.NewValue(tftypes.Bool, false),
	}))
	if hasError(res.Diagnostics) || len(res.Progress) != 2 || emu.Stats().RequestsByOp[fgsemu.OpList] != before {
		t.Fatalf("progress %q, diagnostics %s", res.Progress, diagText(res.Diagnostics))
	}
}

// cancelled_at is when the answer accepting the cancel came, not when the
// wait for the invocation to end was over: with a stop taking 2.5 s, the
// two are more than two seconds apart, at one-second resolution.
func TestWaitForStop_cancelledAtIsWhenAccepted(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("slow")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, StopDelay: 2500 * time.Millisecond})
	id := acctest.Invoke(t, emu, urn)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
			},
			Check: func(s *terraform.State) error {
				at, err := time.Parse(time.RFC3339, s.RootModule().Resources[cancelAddr].Primary.Attributes["cancelled_at"])
				if err != nil {
					return err
				}
				inv, _ := emu.Invocation(urn, id)
				if gap := inv.EndTime.Sub(at); gap < 2*time.Second {
					return fmt.Errorf("cancelled_at %s is %s before the invocation ended at %s; want the time of acceptance, 2.5 s before", at, gap, inv.EndTime)
				}
				return nil
			},
		}},
	})
}

// An accepted cancel whose invocation is then not listed is recorded, with
// its final status unknown: the apply succeeds.
func TestWaitForStop_notListed(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpList, Status: 200, Body: `{"invocations":[],"count":0,"next_marker":0}`}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.Null()),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.StringRegexp(rfc3339UTC)),
			},
			Check: resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectListRequests(emu, func(n int64) bool { return n == 1 }, "one")),
		}},
	})
}

// Through the CLI, as a pipeline sees it: a wait cut short by the deadline
// is a warning, and the postcondition the resource page suggests turns it
// into a failed apply without tainting the record; the next plan waits
// again in place and sends nothing.
func TestWaitForStop_deadlineWarnsAndPostconditionFails(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("stuck")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, NeverStops: true})
	id := acctest.Invoke(t, emu, urn)
	cli := acctest.NewCLI(t)
	cli.Configure(cancelConfig(emu, urn, id, `timeouts { create = "2s" }`, `lifecycle {
    postcondition {
      condition     = !self.stop_pending
      error_message = "The invocation was not seen to stop."
    }
  }`))

	res := cli.Run("apply", "-auto-approve")
	if res.Code == 0 {
		t.Fatalf("the postcondition did not fail the apply:\n%s", res)
	}
	expectOutput(t, res, `Warning: Invocation Still Running After Cancel.*was still RUNNING after waiting [0-9]+s.*recorded in the state with stop_pending = true; it was not sent again. `+
		`The next apply waits again.*Raise timeouts.create.*Error: Resource postcondition failed.*The invocation was not seen to stop`)
	if strings.Contains(res.Output, "tainted") {
		t.Fatalf("the record was tainted:\n%s", res)
	}

	res = cli.MustRun("plan")
	expectOutput(t, res, `will be updated in-place.*Plan: 0 to add, 1 to change, 0 to destroy.*Warning: Waiting Again for the Invocation to Stop.*sends no new cancel`)
	if s := emu.Stats(); s.RequestsByOp[fgsemu.OpCancel] != 1 || s.AcceptedCancels != 1 {
		t.Fatalf("%d cancels sent, %d accepted; want 1 of each", s.RequestsByOp[fgsemu.OpCancel], s.AcceptedCancels)
	}
}
