package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// 1000 request IDs in one bulk under an API Gateway quota and 10 % faults:
// throttled answers are waited out, faults retried, and FunctionGraph
// accepted each cancel exactly once.
func TestBulkUnderQuotaAndFaults(t *testing.T) {
	t.Parallel()
	const n, limit = 1000, 100
	urn := acctest.FunctionURN("report")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	ids, err := emu.InvokeN(urn, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.SetQuota(fgsemu.OpCancel, limit, time.Second); err != nil {
		t.Fatal(err)
	}
	emu.inject(t, bulkFaults...)
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu), bulkBlock("stop", urn, ids, "max_concurrency = 50", "wait_for_stop = false"))
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
	throttled := s.ThrottledByOp[fgsemu.OpCancel]
	if throttled > n/10 {
		t.Fatalf("%d throttled answers for %d cancels; the pace should keep them under 10 %%", throttled, n)
	}
	lines := throttleLogLines(t, w)
	if throttled > 0 && lines != 1 {
		t.Fatalf("%d INFO lines say the bulk was throttled; want one per run", lines)
	}
	figures.load(fmt.Sprintf("bulk cancel of %d under a quota of %d per second and 10 %% faults (%d injected, %d throttled answers, %d cancel requests): %d accepted once each, in %s",
		n, limit, s.FaultsApplied, throttled, s.RequestsByOp[fgsemu.OpCancel], s.AcceptedCancels, res.elapsed.Round(100*time.Millisecond)))
}

// Ctrl-C while the bulk waits for the next window of a per-minute quota:
// Terraform exits promptly, the state records what was accepted, and the
// next apply cancels the rest, accepting none twice.
func TestInterruptWhileThrottled(t *testing.T) {
	t.Parallel()
	const n = 8
	var exitAfter time.Duration
	figures.interrupt(t, &exitAfter)
	urn := acctest.FunctionURN("report")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	ids, err := emu.InvokeN(urn, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.SetQuota(fgsemu.OpCancel, 3, time.Minute); err != nil {
		t.Fatal(err)
	}
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu), bulkBlock("stop", urn, ids, "max_concurrency = 2", "wait_for_stop = false"))
	w.init()

	var res tfResult
	res, exitAfter = w.interruptedApply(func() bool {
		s := emu.Stats()
		return s.AcceptedCancels >= 3 && s.Throttled >= 1
	}, func() string {
		return fmt.Sprintf("the apply was never throttled: %+v", emu.Stats())
	})
	if res.code == 0 {
		t.Fatalf("an interrupted apply succeeded:\n%s", res)
	}
	expectOutput(t, res, `Interrupt received.*Error: Failed to Cancel \d of 8 Async Invocations.*`)
	t.Logf("terraform exited %s after SIGINT while throttled", exitAfter.Round(time.Millisecond))

	accepted := emu.Stats().AcceptedCancels
	r := stateResources(w.state())[bulkAddr]
	if r == nil || !r.Tainted {
		t.Fatalf("the interrupted bulk is not recorded as tainted: %+v", r)
	}
	cancelled, _ := r.AttributeValues["cancelled_request_ids"].([]any)
	if int64(len(cancelled)) > accepted || int64(len(cancelled)) < accepted-2 || accepted >= n {
		t.Fatalf("%d cancels recorded, %d accepted by FunctionGraph of %d", len(cancelled), accepted, n)
	}

	emu.ClearQuotas()
	second := w.mustSucceed(w.apply())
	expectOutput(t, second, `is tainted, so (it )?must be replaced`)
	if s := emu.Stats(); s.AcceptedCancels != n {
		t.Fatalf("after a second apply FunctionGraph accepted %d cancels of %d", s.AcceptedCancels, n)
	}
}

// throttleLine is the INFO line a run logs when FunctionGraph first throttles it.
var throttleLine = regexp.MustCompile(`\[INFO\].*Throttled by FunctionGraph; waiting for the quota instead of failing`)

// throttleLogLines counts the throttle INFO lines in the applies' TRACE logs.
func throttleLogLines(t *testing.T, w *workspace) int {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(w.dir, "logs", "*-apply.log"))
	if len(logs) == 0 {
		t.Fatal("no TRACE log of the apply")
	}
	n := 0
	for _, l := range logs {
		b, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		n += len(throttleLine.FindAll(b, -1))
	}
	return n
}
