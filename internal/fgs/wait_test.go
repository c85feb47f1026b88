package fgs_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// tenSecondURN names a function whose invocations end on their own after 10 s.
var tenSecondURN = fgs.URN{Region: "cn-north-4", ProjectID: testProject, Package: "default", FunctionName: "ten-seconds", Version: "latest"}

// waitScene is an emulator and a client that share one test clock, so an
// invocation ends when the client's waits have moved the clock far enough.
func waitScene(t *testing.T) (*fgsemu.Emulator, *fgs.Client, *testClock) {
	t.Helper()
	clock := newTestClock()
	emu := startIAMEmulator(t, fgsemu.Options{Now: clock.Now})
	if err := emu.AddFunction(fgsemu.Function{URN: tenSecondURN.String(), RunFor: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, emu.URL(), 0)
	useClock(c, clock)
	return emu, c, clock
}

// backedOff is the waits of a PollPolicy{Interval: 1 s, MaxInterval: 3 s}.
var (
	backOffPolicy = fgs.PollPolicy{Interval: time.Second, MaxInterval: 3 * time.Second}
	backedOff     = []time.Duration{time.Second, 1500 * time.Millisecond, 2250 * time.Millisecond, 3 * time.Second, 3 * time.Second}
)

// WaitForStop queries until the invocation has ended, each wait half as
// long again as the last up to MaxInterval, and reports each new status
// with the time waited by the client's clock.
func TestWaitForStopBacksOffUntilTheEnd(t *testing.T) {
	t.Parallel()
	emu, c, clock := waitScene(t)
	id := invoke(t, emu, tenSecondURN)
	type heard struct {
		status string
		waited time.Duration
	}
	var statuses []heard
	inv, err := c.WaitForStop(context.Background(), tenSecondURN, id, backOffPolicy, func(inv fgs.Invocation, waited time.Duration) {
		statuses = append(statuses, heard{inv.Status, waited})
	})
	if err != nil || inv.Status != "SUCCESS" {
		t.Fatalf("got %+v, %v; want SUCCESS", inv, err)
	}
	if got := clock.Slept(); !slices.Equal(got, backedOff) {
		t.Fatalf("waited %v, want %v", got, backedOff)
	}
	if want := []heard{{"RUNNING", 0}, {"SUCCESS", 10750 * time.Millisecond}}; !slices.Equal(statuses, want) {
		t.Fatalf("heard %v, want %v", statuses, want)
	}
	if n := emu.Stats().RequestsByOp[fgsemu.OpList]; n != int64(len(backedOff)+1) {
		t.Fatalf("%d status queries, want one before each wait and one after the last", n)
	}
}

// A deadline that passes while waiting ends the wait with the last status,
// the time waited and the queries made.
func TestWaitForStopDeadline(t *testing.T) {
	t.Parallel()
	emu, c, clock := waitScene(t)
	id := invoke(t, emu, testURN) // runs until cancelled
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(5*time.Second))
	defer cancel()
	_, err := c.WaitForStop(ctx, testURN, id, backOffPolicy, nil)
	var still *fgs.StillRunningError
	if !errors.As(err, &still) || still.Last.Status != "RUNNING" || still.Waited != 5*time.Second || still.Polls != 4 {
		t.Fatalf("got %v (%+v), want still RUNNING after 5 s and 4 queries", err, still)
	}
}

// An interrupt while waiting between queries ends the wait at once, as
// canceled, without another query.
func TestWaitForStopInterrupted(t *testing.T) {
	t.Parallel()
	emu, c, _ := waitScene(t)
	id := invoke(t, emu, testURN)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := c.WaitForStop(ctx, testURN, id, backOffPolicy, func(fgs.Invocation, time.Duration) { cancel() })
	e, ok := fgs.AsError(err)
	if !ok || e.Kind != fgs.KindCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want a canceled error", err)
	}
	if n := emu.Stats().RequestsByOp[fgsemu.OpList]; n != 1 {
		t.Fatalf("%d status queries, want 1", n)
	}
}

// WaitForStopMany polls at the same backoff until none of the invocations
// is unfinished; at a deadline it returns those still unfinished, in order.
func TestWaitForStopMany(t *testing.T) {
	t.Parallel()
	emu, c, clock := waitScene(t)
	ids := []string{invoke(t, emu, tenSecondURN), invoke(t, emu, tenSecondURN)}
	still, err := c.WaitForStopMany(context.Background(), tenSecondURN, ids, backOffPolicy)
	if err != nil || len(still) != 0 {
		t.Fatalf("still %v, %v; want none", still, err)
	}
	if got := clock.Slept(); !slices.Equal(got, backedOff) {
		t.Fatalf("waited %v, want %v", got, backedOff)
	}

	forever := []string{invoke(t, emu, testURN), invoke(t, emu, testURN)}
	ctx, stop := context.WithDeadline(context.Background(), clock.Now().Add(5*time.Second))
	defer stop()
	still, err = c.WaitForStopMany(ctx, testURN, []string{forever[1], "11111111-2222-4333-8444-555555555555", forever[0]}, backOffPolicy)
	if !slices.Equal(still, []string{forever[1], forever[0]}) || err == nil {
		t.Fatalf("still %v, %v; want both invocations that run until cancelled, in the order asked", still, err)
	}
}
