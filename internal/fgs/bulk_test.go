package fgs_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// Every request gets one result in order, each accepted once, never more
// than MaxConcurrency in flight, and progress counts up to the total.
func TestCancelMany(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	emu.SetLatency(5 * time.Millisecond)
	reqs := cancelRequests(t, emu, 60)
	var mu sync.Mutex
	var last fgs.BulkProgress
	calls := 0
	results := newClient(t, emu.URL(), 3).CancelMany(context.Background(), reqs, fgs.BulkOptions{
		MaxConcurrency: 7,
		Progress: func(p fgs.BulkProgress) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if p.Settled() != last.Settled()+1 {
				t.Errorf("progress went from %+v to %+v", last, p)
			}
			last = p
		},
	})
	for i, r := range results {
		if r.Request.RequestID != reqs[i].RequestID || r.Err != nil || !r.Sent || r.Outcome() != fgs.OutcomeCancelled || !r.Result.AcceptedNow() {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
	if s := emu.Stats(); s.AcceptedCancels != 60 || s.RequestsByOp[fgsemu.OpCancel] != 60 || s.MaxCancelsInFlight > 7 {
		t.Fatalf("emulator: %+v", s)
	}
	if calls != 60 || last != (fgs.BulkProgress{Total: 60, Cancelled: 60}) {
		t.Fatalf("%d progress calls, last %+v", calls, last)
	}
}

// A 429 with Retry-After holds back every request of the bulk, not only the
// one that got it: within a deadline shorter than the pause, no new request
// is sent after the 429, so only the first round (one per worker) reached
// the server, where without the pause all of them would have. The 429 comes
// at once and the other answers of the round 300 ms later, so the pause is
// known before any worker is free to send again, however slow the machine.
func TestCancelManySharedPause(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	reqs := cancelRequests(t, emu, 40)
	inject(t, emu, fgsemu.Fault{Op: fgsemu.OpCancel, Times: 1, Status: 429, RetryAfter: "5"})
	inject(t, emu, fgsemu.Fault{Op: fgsemu.OpCancel, Times: len(reqs), Delay: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	results := newClient(t, emu.URL(), 3).CancelMany(ctx, reqs, fgs.BulkOptions{MaxConcurrency: 4})
	sent := emu.Stats().RequestsByOp[fgsemu.OpCancel]
	if sent > 4 {
		t.Fatalf("%d cancels were sent; after a 429 asked every request to wait 5 s, only the first round of 4 may have gone", sent)
	}
	accepted, failed := 0, 0
	for _, r := range results {
		if r.Err == nil {
			accepted++
			continue
		}
		failed++
		if e, ok := fgs.AsError(r.Err); !ok || (e.Kind != fgs.KindTimeout && e.StatusCode != 429) {
			t.Fatalf("result for %s: %v", r.Request.RequestID, r.Err)
		}
	}
	if int64(accepted) != emu.Stats().AcceptedCancels || accepted+failed != len(reqs) {
		t.Fatalf("%d accepted and %d failed of %d; the emulator accepted %d", accepted, failed, len(reqs), emu.Stats().AcceptedCancels)
	}
}

// An interrupt stops sending at once; every cancel the server accepted is
// among the results as accepted, or as interrupted in flight (its answer
// never came), and what was never sent says so.
func TestCancelManyInterrupted(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	emu.SetLatency(50 * time.Millisecond)
	reqs := cancelRequests(t, emu, 200)
	ctx, cancel := context.WithCancel(context.Background())
	const settledAtInterrupt, workers = 10, 2
	results := newClient(t, emu.URL(), 3).CancelMany(ctx, reqs, fgs.BulkOptions{MaxConcurrency: workers, Progress: func(p fgs.BulkProgress) {
		if p.Settled() == settledAtInterrupt {
			cancel()
		}
	}})
	if sent := emu.Stats().RequestsByOp[fgsemu.OpCancel]; sent > settledAtInterrupt+workers-1 {
		t.Fatalf("%d cancels sent; after the interrupt at %d settled, only the one then in flight may have gone", sent, settledAtInterrupt)
	}
	accepted, inFlight, unsent := 0, 0, 0
	for _, r := range results {
		switch {
		case r.Err == nil:
			accepted++
		case r.Sent:
			inFlight++
			if e, ok := fgs.AsError(r.Err); !ok || e.Kind != fgs.KindCanceled {
				t.Fatalf("in-flight result: %v", r.Err)
			}
		default:
			unsent++
			if e, ok := fgs.AsError(r.Err); !ok || e.Kind != fgs.KindCanceled {
				t.Fatalf("unsent result: %v", r.Err)
			}
		}
	}
	got := emu.Stats().AcceptedCancels
	if got < int64(accepted) || got > int64(accepted+inFlight) || accepted == 0 || unsent == 0 || inFlight > 2 {
		t.Fatalf("%d accepted and %d interrupted in flight in the results, %d accepted by the emulator; %d unsent", accepted, inFlight, got, unsent)
	}
}

// ListUnfinished looks back 72 hours, not the API's one hour, and lists
// only the statuses asked for, each invocation once with its status.
func TestListUnfinished(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	urn, err := fgs.ParseURN(strings.Replace(testURN.String(), ":function:default:", ":function:queued:", 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.AddFunction(fgsemu.Function{URN: urn.String(), MaxInstances: 2}); err != nil {
		t.Fatal(err)
	}
	old, err := emu.InvokeStartedAt(urn.String(), time.Now().Add(-48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := emu.InvokeN(urn.String(), 3) // one RUNNING beside old, two WAIT
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, emu.URL(), 0)
	if _, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: urn, RequestID: ids[2]}); err != nil {
		t.Fatal(err)
	}
	running, err := c.ListUnfinished(context.Background(), urn, []string{"RUNNING"}, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	both, err := c.ListUnfinished(context.Background(), urn, nil, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	text := func(list []fgs.Invocation) string {
		var s []string
		for _, inv := range list {
			s = append(s, inv.RequestID+"="+inv.Status)
		}
		return fmt.Sprint(s)
	}
	want := fmt.Sprint([]string{old + "=RUNNING", ids[0] + "=RUNNING"})
	if got := text(running); got != want {
		t.Fatalf("running: %s, want %s", got, want)
	}
	want = fmt.Sprint([]string{ids[1] + "=WAIT", old + "=RUNNING", ids[0] + "=RUNNING"})
	if got := text(both); got != want {
		t.Fatalf("wait and running: %s, want %s", got, want)
	}
}
