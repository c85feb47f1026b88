package reliability

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

const bulkAddr = "huaweicloud_fgs_async_invocations_cancel.stop"

// bulkBlock is one bulk cancel resource of ids named name.
func bulkBlock(name, urn string, ids []string, lines ...string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	body := ""
	for _, l := range lines {
		body += "  " + l + "\n"
	}
	return fmt.Sprintf("resource \"huaweicloud_fgs_async_invocations_cancel\" %q {\n  function_urn = %q\n  request_ids  = [%s]\n%s}\n",
		name, urn, strings.Join(quoted, ", "), body)
}

// bulkFaults fail about 10 % of cancel requests in every way a cancel can
// fail transiently, the lost answer (carried out, then cut off) included.
var bulkFaults = []fgsemu.Fault{
	{Op: fgsemu.OpCancel, Probability: 0.04, Status: 503},
	{Op: fgsemu.OpCancel, Probability: 0.03, Drop: fgsemu.DropBefore},
	{Op: fgsemu.OpCancel, Probability: 0.02, Drop: fgsemu.DropAfter},
	{Op: fgsemu.OpCancel, Probability: 0.01, Status: 429, RetryAfter: "1"},
}

// 1000 request IDs in one bulk under 10 % faults: every one is cancelled
// and recorded, and FunctionGraph accepted each exactly once.
func TestBulkUnderFaults(t *testing.T) {
	t.Parallel()
	const n = 1000
	urn := acctest.FunctionURN("report")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	ids, err := emu.InvokeN(urn, n)
	if err != nil {
		t.Fatal(err)
	}
	emu.inject(t, bulkFaults...)
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu), bulkBlock("stop", urn, ids, "max_concurrency = 50"))
	w.init()
	res := w.mustSucceed(w.apply())

	s := emu.Stats()
	r := stateResources(w.state())[bulkAddr]
	if r == nil {
		t.Fatalf("the state has no %s", bulkAddr)
	}
	cancelled, _ := r.AttributeValues["cancelled_request_ids"].([]any)
	failed, _ := r.AttributeValues["failed"].([]any)
	if s.AcceptedCancels != n || len(cancelled) != n || len(failed) != 0 {
		t.Fatalf("%d accepted cancels, %d recorded cancelled, %d failed; want %d, %d, 0", s.AcceptedCancels, len(cancelled), len(failed), n, n)
	}
	for _, id := range ids {
		if inv, _ := emu.Invocation(urn, id); inv.Status != fgsemu.StatusFail || inv.ErrorCode != fgsemu.CanceledErrorCode {
			t.Fatalf("invocation %s is %+v, want cancelled", id, inv)
		}
	}
	if s.MaxCancelsInFlight > 50 {
		t.Fatalf("%d cancels in flight at once, more than max_concurrency = 50", s.MaxCancelsInFlight)
	}
	figures.load(fmt.Sprintf("bulk cancel of %d under 10 %% faults (%d injected, %d cancel requests): %d accepted once each, in %s",
		n, s.FaultsApplied, s.RequestsByOp[fgsemu.OpCancel], s.AcceptedCancels, res.elapsed.Round(100*time.Millisecond)))
}

// Ctrl-C in the middle of a bulk: Terraform exits promptly, the state
// (tainted) records every cancel whose acceptance came back, and the next
// apply cancels the rest, sending nothing for what was recorded.
func TestBulkInterrupt(t *testing.T) {
	t.Parallel()
	const n = 300
	var exitAfter time.Duration
	figures.interrupt(t, &exitAfter)
	urn := acctest.FunctionURN("report")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	ids, err := emu.InvokeN(urn, n)
	if err != nil {
		t.Fatal(err)
	}
	emu.SetLatency(50 * time.Millisecond)
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu), bulkBlock("stop", urn, ids, "max_concurrency = 4", "wait_for_stop = false"))
	w.init()

	var res tfResult
	res, exitAfter = w.interruptedApply(func() bool { return emu.Stats().AcceptedCancels >= 20 }, func() string {
		return fmt.Sprintf("the apply never reached 20 accepted cancels: %+v", emu.Stats())
	})
	if res.code == 0 {
		t.Fatalf("an interrupted apply succeeded:\n%s", res)
	}
	expectOutput(t, res, `Interrupt received.*Error: Failed to Cancel \d+ of 300 Async Invocations.*not sent`)
	t.Logf("terraform exited %s after SIGINT", exitAfter.Round(time.Millisecond))

	accepted := emu.Stats().AcceptedCancels
	r := stateResources(w.state())[bulkAddr]
	if r == nil || !r.Tainted {
		t.Fatalf("the interrupted bulk is not recorded as tainted: %+v", r)
	}
	cancelled, _ := r.AttributeValues["cancelled_request_ids"].([]any)
	// A cancel in flight at the interrupt may have been carried out without its answer arriving.
	if int64(len(cancelled)) > accepted || int64(len(cancelled)) < accepted-4 || accepted >= n {
		t.Fatalf("%d cancels recorded, %d accepted by FunctionGraph of %d", len(cancelled), accepted, n)
	}

	emu.SetLatency(0)
	second := w.mustSucceed(w.apply())
	expectOutput(t, second, `is tainted, so (it )?must be replaced`) // OpenTofu adds "it"
	// The replacement sends nothing for what the tainted record shows cancelled.
	for _, v := range cancelled {
		id, _ := v.(string)
		if inv, _ := emu.Invocation(urn, id); inv.CancelRequests != 1 {
			t.Fatalf("recorded cancelled %s got %d cancel requests, want 1", id, inv.CancelRequests)
		}
	}
	r = stateResources(w.state())[bulkAddr]
	cancelled, _ = r.AttributeValues["cancelled_request_ids"].([]any)
	if s := emu.Stats(); s.AcceptedCancels != n || len(cancelled) != n {
		t.Fatalf("after a second apply: %d accepted cancels, %d recorded; want %d each", s.AcceptedCancels, len(cancelled), n)
	}
}
