package resources_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// Every listing stops at fgs.MaxListedInvocations: a list without end (full
// pages of RUNNING invocations whose next_marker always moves on) costs the
// pages up to the cap and one more, then a diagnostic saying what to narrow.
// The data source's case is in its own table of API errors.

const pagesToTheCap = int64(fgs.MaxListedInvocations/fgs.ListPageSize + 1)

func expectListingsToTheCap(emu *fgsemu.Emulator, listings int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s := emu.Stats()
		if n := s.RequestsByOp[fgsemu.OpList]; n != listings*pagesToTheCap {
			return fmt.Errorf("%d list requests, want %d listings of %d pages", n, listings, pagesToTheCap)
		}
		return nil
	}
}

// The bulk cancel without request_ids lists what is running: that listing
// fails the apply, and nothing is cancelled.
func TestListingCap_bulkWithoutRequestIDs(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("batch")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpList, Malformed: fgsemu.MalformedEndless}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderConfig(emu) + fmt.Sprintf("resource \"huaweicloud_fgs_async_invocations_cancel\" \"all\" {\n  function_urn = %q\n}\n", urn),
				ExpectError: acctest.ErrorPattern(`Too Many Invocations.*more than 100,000 invocations \(status [A-Z]+, started .* 201 pages\).*` +
					`the bulk cancel takes request_ids instead of listing what is running`),
			},
			{
				// Nothing was cancelled, and the listing asked for no page past the cap.
				PreConfig: func() {
					if s := emu.Stats(); s.RequestsByOp[fgsemu.OpCancel] != 0 || s.RequestsByOp[fgsemu.OpList] != pagesToTheCap {
						t.Errorf("%d cancels and %d list requests, want none and %d", s.RequestsByOp[fgsemu.OpCancel], s.RequestsByOp[fgsemu.OpList], pagesToTheCap)
					}
				},
				Config:   acctest.ProviderConfig(emu),
				PlanOnly: true,
			},
		},
	})
}

// The single cancel's wait for the stop looks the invocation up by a list:
// a list without end there leaves the stop unconfirmed, a warning, and the
// accepted cancel is recorded.
func TestListingCap_waitForStop(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpList, Malformed: fgsemu.MalformedEndless}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.Null()),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("stop_pending"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.StringRegexp(rfc3339UTC)),
			},
			Check: resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectListingsToTheCap(emu, 1)),
		}},
	})
}

// The bulk cancel's wait for the stop lists the function's unfinished
// invocations: a list without end there leaves the stop unconfirmed, a
// warning, and the accepted cancels are kept.
func TestListingCap_bulkWaitForStop(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("batch")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpList, Malformed: fgsemu.MalformedEndless}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(emu) + fmt.Sprintf("resource \"huaweicloud_fgs_async_invocations_cancel\" \"ids\" {\n  function_urn = %q\n  request_ids  = [%q]\n}\n", urn, id),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr("huaweicloud_fgs_async_invocations_cancel.ids", "cancelled_request_ids.0", id),
				expectStats(emu, 1, 1),
				expectListingsToTheCap(emu, 1),
			),
		}},
	})
}
