package fgsemu

import (
	"testing"
	"time"
)

// TestLifecycle follows invocations on a fake clock: stop delays, shared
// instances, runtimes that never stop, waiting and more instances.
func TestLifecycle(t *testing.T) {
	const cancelled = "function invocation canceled"
	type want struct {
		status   string
		instance int
		cancels  int
	}
	check := func(t *testing.T, e *Emulator, id string, w want) Invocation {
		t.Helper()
		inv, ok := e.Invocation(testURN, id)
		if !ok {
			t.Fatalf("invocation %s missing", id)
		}
		if inv.Status != w.status || inv.Instance != w.instance || inv.Cancels != w.cancels {
			t.Fatalf("invocation %+v, want %+v", inv, w)
		}
		if ended := inv.Status != StatusWait && inv.Status != StatusRunning; ended == inv.EndTime.IsZero() {
			t.Fatalf("status %s with end time %v", inv.Status, inv.EndTime)
		}
		if (inv.Status == StatusFail || inv.Status == StatusDiscard) && (inv.ErrorCode != 4208 || inv.ErrorMessage != cancelled) {
			t.Fatalf("cancelled invocation without 4208: %+v", inv)
		}
		return inv
	}

	t.Run("stop delay", func(t *testing.T) {
		clock := newFakeClock()
		e, base := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, StopDelay: 5 * time.Second})
		id, _ := e.Invoke(testURN)
		body := `{"request_id":"` + id + `"}`
		cancelAt := clock.Now()
		if res := call(t, "POST", fnURL(base, testURN, "cancel"), body); res.status != 200 {
			t.Fatal(res.body)
		}
		clock.Advance(4 * time.Second)
		check(t, e, id, want{StatusRunning, 0, 1})
		// A second cancel while the stop is pending is still accepted.
		if res := call(t, "POST", fnURL(base, testURN, "cancel"), body); res.status != 200 {
			t.Fatal(res.body)
		}
		clock.Advance(time.Second)
		inv := check(t, e, id, want{StatusFail, 0, 2})
		if !inv.EndTime.Equal(cancelAt.Add(5 * time.Second)) {
			t.Errorf("ended at %v, want cancel + stop delay", inv.EndTime)
		}
		if res := call(t, "POST", fnURL(base, testURN, "cancel"), body); res.status != 400 {
			t.Errorf("cancel after the end: %d %s", res.status, res.body)
		}
	})

	t.Run("1:N stops the whole instance", func(t *testing.T) {
		clock := newFakeClock()
		e, _ := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, Concurrency: 3, StopDelay: time.Second})
		ids, _ := e.InvokeN(testURN, 4) // three on instance 0, one on instance 1
		check(t, e, ids[3], want{StatusRunning, 1, 0})
		fn, _ := e.lookup(testURN)
		if fn.cancel(clock.Now(), ids[1]) != cancelAccepted {
			t.Fatal("cancel refused")
		}
		clock.Advance(500 * time.Millisecond)
		late, _ := e.Invoke(testURN) // instance 1 has free slots
		check(t, e, late, want{StatusRunning, 1, 0})
		clock.Advance(500 * time.Millisecond)
		end := check(t, e, ids[0], want{StatusFail, 0, 0}).EndTime
		for i, id := range ids[1:3] {
			if got := check(t, e, id, want{StatusFail, 0, 1 - min(i, 1)}).EndTime; !got.Equal(end) {
				t.Errorf("instance mates ended at different times: %v vs %v", got, end)
			}
		}
		check(t, e, ids[3], want{StatusRunning, 1, 0})
		// The freed instance takes new work again.
		next, _ := e.Invoke(testURN)
		check(t, e, next, want{StatusRunning, 0, 0})
	})

	t.Run("never stops", func(t *testing.T) {
		clock := newFakeClock()
		e, _ := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, NeverStops: true})
		id, _ := e.Invoke(testURN)
		fn, _ := e.lookup(testURN)
		fn.cancel(clock.Now(), id)
		clock.Advance(time.Hour)
		if fn.cancel(clock.Now(), id) != cancelAccepted {
			t.Fatal("a still-running invocation must accept another cancel")
		}
		check(t, e, id, want{StatusRunning, 0, 2})
	})

	t.Run("run for", func(t *testing.T) {
		clock := newFakeClock()
		e, _ := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, RunFor: time.Minute})
		id, _ := e.Invoke(testURN)
		clock.Advance(59 * time.Second)
		check(t, e, id, want{StatusRunning, 0, 0})
		clock.Advance(time.Second)
		inv := check(t, e, id, want{StatusSuccess, 0, 0})
		if inv.ErrorCode != 0 || inv.ErrorMessage != "" {
			t.Errorf("success with an error: %+v", inv)
		}
	})

	t.Run("WAIT then RUNNING, WAIT cancelled is DISCARD", func(t *testing.T) {
		clock := newFakeClock()
		e, _ := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, MaxInstances: 1, RunFor: 10 * time.Second})
		ids, _ := e.InvokeN(testURN, 3)
		check(t, e, ids[0], want{StatusRunning, 0, 0})
		check(t, e, ids[1], want{StatusWait, -1, 0})
		fn, _ := e.lookup(testURN)
		if fn.cancel(clock.Now(), ids[2]) != cancelAccepted {
			t.Fatal("cancel of a waiting invocation refused")
		}
		inv := check(t, e, ids[2], want{StatusDiscard, -1, 1})
		if !inv.EndTime.Equal(clock.Now()) {
			t.Errorf("DISCARD should be at once: %v", inv.EndTime)
		}
		clock.Advance(10 * time.Second)
		check(t, e, ids[0], want{StatusSuccess, 0, 0})
		check(t, e, ids[1], want{StatusRunning, 0, 0})
		clock.Advance(10 * time.Second)
		check(t, e, ids[1], want{StatusSuccess, 0, 0})
		if fn.cancel(clock.Now(), ids[2]) != cancelEnded {
			t.Error("a discarded invocation must refuse cancel")
		}
	})

	t.Run("more instances let waiting invocations run", func(t *testing.T) {
		clock := newFakeClock()
		e, _ := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, MaxInstances: 1})
		ids, _ := e.InvokeN(testURN, 3)
		fn, _ := e.lookup(testURN)
		fn.cancel(clock.Now(), ids[1]) // a discarded entry stays queued ahead of ids[2]
		if err := e.AddFunction(Function{URN: testURN, MaxInstances: 2}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		check(t, e, ids[2], want{StatusRunning, 1, 0})
		next, _ := e.Invoke(testURN)
		check(t, e, next, want{StatusWait, -1, 0})
	})

	t.Run("events replay in order across a long gap", func(t *testing.T) {
		clock := newFakeClock()
		e, _ := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, MaxInstances: 1, RunFor: time.Second})
		ids, _ := e.InvokeN(testURN, 5)
		clock.Advance(time.Hour)
		for i, id := range ids {
			inv := check(t, e, id, want{StatusSuccess, 0, 0})
			if wantEnd := e.Invocations(testURN)[0].StartTime.Add(time.Duration(i+1) * time.Second); !inv.EndTime.Equal(wantEnd) {
				t.Errorf("invocation %d ended %v, want %v", i, inv.EndTime, wantEnd)
			}
		}
	})
}
