package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// Under API Gateway's quotas (the emulator's, N calls per fixed window,
// 429 APIGW.0308 without Retry-After) every request waits its turn at one
// pace per process: nothing fails, each ID is accepted once, and only a
// few answers are throttled (the first window's overflow, a probe or two).

// quotaEmulator is an emulator with one function, n invocations and quotas.
func quotaEmulator(t *testing.T, n int, quotas ...fgsemu.Quota) (*fgsemu.Emulator, string, []string) {
	t.Helper()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	for _, q := range quotas {
		if err := emu.SetQuota(q.Op, q.Limit, q.Window); err != nil {
			t.Fatal(err)
		}
	}
	return emu, urn, invokeN(t, emu, urn, n)
}

// expectPaced fails unless every cancel was accepted once, and each throttled
// answer was sent again: cancels sent = accepted + throttled, at most maxThrottled.
func expectPaced(emu *fgsemu.Emulator, urn string, ids []string, maxThrottled int64) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(expectEachCancelledOnce(emu, urn, ids), func(*terraform.State) error {
		s := emu.Stats()
		throttled := s.ThrottledByOp[fgsemu.OpCancel]
		if sent := s.RequestsByOp[fgsemu.OpCancel]; sent != int64(len(ids))+throttled {
			return fmt.Errorf("%d cancels sent for %d IDs and %d throttled answers", sent, len(ids), throttled)
		}
		if throttled > maxThrottled {
			return fmt.Errorf("%d throttled answers to cancels; want at most %d", throttled, maxThrottled)
		}
		return nil
	})
}

func bulkPacedChecks(ids []string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("cancelled_request_ids"), stringList(ids)),
		statecheck.ExpectKnownValue(bulkAddr, tfjsonpath.New("failed"), knownvalue.ListSizeExact(0)),
	}
}

// A per-second window: 60 IDs under 10 cancels per second, and the waits
// for the stop under their own list quota of 2 per second.
func TestAsyncInvocationsCancelResource_quotaPerSecond(t *testing.T) {
	t.Parallel()
	emu, urn, ids := quotaEmulator(t, 60,
		fgsemu.Quota{Op: fgsemu.OpCancel, Limit: 10, Window: time.Second},
		fgsemu.Quota{Op: fgsemu.OpList, Limit: 2, Window: time.Second})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:            bulkConfig(emu, urn, ids, "max_concurrency = 10", "wait_for_stop = true"),
			ConfigStateChecks: bulkPacedChecks(ids),
			Check: resource.ComposeTestCheckFunc(expectPaced(emu, urn, ids, 20), func(*terraform.State) error {
				if s := emu.Stats(); s.RequestsByOp[fgsemu.OpList] == 0 || s.ThrottledByOp[fgsemu.OpList] > s.RequestsByOp[fgsemu.OpList]/2+2 {
					return fmt.Errorf("lists: %d sent, %d throttled", s.RequestsByOp[fgsemu.OpList], s.ThrottledByOp[fgsemu.OpList])
				}
				return nil
			}),
		}},
	})
}

// A per-minute window: 8 IDs under 5 cancels per minute wait for the next
// minute's window (up to a minute) instead of failing.
func TestAsyncInvocationsCancelResource_quotaPerMinute(t *testing.T) {
	t.Parallel()
	emu, urn, ids := quotaEmulator(t, 8, fgsemu.Quota{Op: fgsemu.OpCancel, Limit: 5, Window: time.Minute})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:            bulkConfig(emu, urn, ids, "max_concurrency = 4", "wait_for_stop = false"),
			ConfigStateChecks: bulkPacedChecks(ids),
			Check:             expectPaced(emu, urn, ids, 8),
		}},
	})
}

// A quota that outlasts the timeout fails the apply with the quota as
// FunctionGraph stated it and what to do; what was accepted stays recorded.
func TestAsyncInvocationsCancelResource_quotaOutlastsTimeout(t *testing.T) {
	t.Parallel()
	emu, urn, ids := quotaEmulator(t, 8, fgsemu.Quota{Op: fgsemu.OpCancel, Limit: 3, Window: time.Minute})
	config := bulkConfig(emu, urn, ids, "max_concurrency = 2", "wait_for_stop = false", "timeouts {\n    create = \"3s\"\n  }")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ExpectError: acctest.ErrorPattern(`Failed to Cancel [0-9] of 8 Async Invocations: Throttled Until the Timeout.*invocations were cancelled and recorded in the state.*The next apply retries only these.*` +
					`Throttled Until the Timeout.*quota: 3 per minute.*within its timeouts.create of 3s.*do not use up max_retries.*` +
					`Give it more time \(timeouts.create\).*max_concurrency.*higher API Gateway quota.*Quota: 3 per minute \(as FunctionGraph stated it\)`),
			},
			{
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					priorState(func(s *tfjson.State) error {
						cancelled, failed, err := bulkStateLists(s)
						if err != nil {
							return err
						}
						accepted := emu.Stats().AcceptedCancels
						if int64(len(cancelled)) != accepted || accepted < 3 || len(cancelled)+len(failed) != len(ids) {
							return fmt.Errorf("state records %d cancelled and %d failed; the emulator accepted %d", len(cancelled), len(failed), accepted)
						}
						for _, v := range cancelled {
							if inv, _ := emu.Invocation(urn, v.(string)); inv.ErrorCode != 4208 {
								return fmt.Errorf("%v is recorded as cancelled but is %s", v, inv.Status)
							}
						}
						return nil
					}),
				}},
			},
		},
	})
}

// Single resources applied in parallel share one pace: 30 cancels under
// 5 per second at Terraform's -parallelism of 10.
func TestAsyncInvocationCancelResource_parallelUnderQuota(t *testing.T) {
	t.Parallel()
	emu, urn, ids := quotaEmulator(t, 30, fgsemu.Quota{Op: fgsemu.OpCancel, Limit: 5, Window: time.Second})
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	config := acctest.ProviderConfig(emu) + fmt.Sprintf(`
locals {
  ids = [%s]
}

resource "huaweicloud_fgs_async_invocation_cancel" "each" {
  count         = length(local.ids)
  function_urn  = %q
  request_id    = local.ids[count.index]
  wait_for_stop = false
}
`, strings.Join(quoted, ", "), urn)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config,
			Check:  expectPaced(emu, urn, ids, 15),
		}},
	})
}

// The data source follows its pages under a list quota of one per second.
func TestAsyncInvocationsDataSource_pagesUnderListQuota(t *testing.T) {
	t.Parallel()
	emu, urn, ids := quotaEmulator(t, 1100, fgsemu.Quota{Op: fgsemu.OpList, Limit: 1, Window: time.Second})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: invocationsConfig(emu, urn),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(invocationsAddr, "invocations.#", fmt.Sprint(len(ids))),
				func(*terraform.State) error {
					s := emu.Stats()
					throttled := s.ThrottledByOp[fgsemu.OpList]
					// Terraform reads the data source at plan and again at apply: 3 pages each.
					if pages := s.RequestsByOp[fgsemu.OpList] - throttled; pages%3 != 0 || throttled > pages {
						return fmt.Errorf("%d pages listed (want a multiple of 3), %d throttled answers", pages, throttled)
					}
					return nil
				},
			),
		}},
	})
}

// The bulk action's progress says it is throttled, the quota and the pace.
func TestAsyncInvocationsCancelAction_progressWhenThrottled(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	if err := f.emu.SetQuota(fgsemu.OpCancel, 10, time.Second); err != nil {
		t.Fatal(err)
	}
	ids, err := f.emu.InvokeN(f.urn, 40)
	if err != nil {
		t.Fatal(err)
	}
	res := f.p.Invoke(context.Background(), bulkActionType, f.bulkConfig(map[string]tftypes.Value{
		"request_ids": requestIDList(ids), "max_concurrency": tftypes.NewValue(tftypes.Number, 5),
		"wait_for_stop": tftypes.NewValue(tftypes.Bool, false),
	}))
	if !res.Completed || hasError(res.Diagnostics) {
		t.Fatalf("invoke: completed=%v %s", res.Completed, diagText(res.Diagnostics))
	}
	paced := regexp.MustCompile(`^\d+ of 40 cancelled, 0 failed; throttled by FunctionGraph \(10 per second\): pacing at 10/s, \d+ left(, about \d+ s)?$`)
	seen := 0
	for _, m := range res.Progress {
		if paced.MatchString(m) {
			seen++
		}
	}
	if seen == 0 {
		t.Fatalf("no progress said the cancels were throttled: %q", res.Progress)
	}
	if s := f.emu.Stats(); s.AcceptedCancels != 40 || s.Throttled > 10 {
		t.Fatalf("emulator: %d accepted, %d throttled", s.AcceptedCancels, s.Throttled)
	}
}

// End to end through Terraform 1.14+: the action under a quota cancels every
// RUNNING invocation (its list under its own quota), each once.
func TestAsyncInvocationsCancelAction_underQuotaByTerraform(t *testing.T) {
	t.Parallel()
	emu, urn, ids := quotaEmulator(t, 30,
		fgsemu.Quota{Op: fgsemu.OpCancel, Limit: 10, Window: time.Second},
		fgsemu.Quota{Op: fgsemu.OpList, Limit: 1, Window: time.Second})
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
			Check: expectPaced(emu, urn, ids, 10),
		}},
	})
}

// max_requests_per_second caps the provider's own pace below a quota it
// shares: the quota never has to refuse a request.
func TestAsyncInvocationsCancelResource_maxRequestsPerSecond(t *testing.T) {
	t.Parallel()
	emu, urn, ids := quotaEmulator(t, 9, fgsemu.Quota{Op: fgsemu.OpCancel, Limit: 5, Window: time.Second})
	config := strings.Replace(bulkConfig(emu, urn, ids, "max_concurrency = 10", "wait_for_stop = false"),
		"provider \"huaweicloud\" {", "provider \"huaweicloud\" {\n  max_requests_per_second = 3", 1)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: bulkPacedChecks(ids),
			Check:             expectPaced(emu, urn, ids, 0),
		}},
	})
}

// priorState checks the state a plan starts from.
type priorState func(*tfjson.State) error

func (f priorState) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan.PriorState)
}
