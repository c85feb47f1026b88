package fgs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

func TestParseAPITime(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{in: "2026-12-01T12:00:00Z", want: want, ok: true},
		{in: "2026-12-01T20:00:00+08:00", want: want, ok: true},
		{in: "2026-12-01T07:00:00-05:00", want: want, ok: true},
		{in: "2026-12-01T20:00:00+0800", want: want, ok: true},
		{in: "2026-12-01T12:00:00", want: want, ok: true},
		{in: "2026-12-01 12:00:00", want: want, ok: true},
		{in: " 2026-12-01T12:00:00 ", want: want, ok: true},
		{in: "2026-12-01T12:00:00.250Z", want: want.Add(250 * time.Millisecond), ok: true},
		{in: "2026-12-01T20:00:00.123456789+08:00", want: want.Add(123456789), ok: true},
		{in: "2026-12-01T12:00:00.5", want: want.Add(500 * time.Millisecond), ok: true},
		{in: "2026-12-01 12:00:00.5", want: want.Add(500 * time.Millisecond), ok: true},
		{in: ""},
		{in: "x"},
		{in: "2026-12-01"},
		{in: "2026-13-01T12:00:00Z"},
	}
	for _, tt := range tests {
		got, ok := fgs.ParseAPITime(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseAPITime(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("ParseAPITime(%q) is in %s, want UTC", tt.in, got.Location())
		}
	}
}

// Start and end times in an answer are read by the same parser, so an
// offset moves neither.
func TestListReadsTimesWithTheirOffset(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	inject(t, emu, fgsemu.Fault{Op: "list", Status: 200, Body: `{"invocations":[{"request_id":"r1","status":"SUCCESS",` +
		`"start_time":"2026-12-01T20:00:00+08:00","end_time":"2026-12-01T20:30:00.5+08:00"}],"count":1,"next_marker":1}`})
	list, err := newClient(t, emu.URL(), 0).ListInvocations(context.Background(), testURN, fgs.ListFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %v", list, err)
	}
	wantStart := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if !list[0].StartTime.Equal(wantStart) || !list[0].EndTime.Equal(wantStart.Add(30*time.Minute+500*time.Millisecond)) {
		t.Fatalf("start %s, end %s; want %s and 30.5 minutes later", list[0].StartTime, list[0].EndTime, wantStart)
	}
}

// The emulator, like the API, lists the last hour only unless asked for a
// window; the client's own lookups ask for one reaching MaxInvocationAge back.
func TestLookupsReachBackAsFarAsAnInvocationRuns(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	running, err := emu.InvokeStartedAt(testURN.String(), time.Now().Add(-5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	recent, _ := emu.Invoke(testURN.String())
	c := newClient(t, emu.URL(), 0)

	lastHour, err := c.ListInvocations(context.Background(), testURN, fgs.ListFilter{})
	if err != nil || len(lastHour) != 1 || lastHour[0].RequestID != recent {
		t.Fatalf("without a window: %+v, %v; want only the recent invocation", lastHour, err)
	}
	all, err := c.ListInvocations(context.Background(), testURN, fgs.ListFilter{Begin: c.LookbackBegin()})
	if err != nil || len(all) != 2 {
		t.Fatalf("with the lookback window: %+v, %v; want both", all, err)
	}
	inv, found, err := c.GetInvocation(context.Background(), testURN, running)
	if err != nil || !found || inv.Status != "RUNNING" {
		t.Fatalf("GetInvocation of the 5-hour-old invocation: %+v, %v, %v", inv, found, err)
	}
	if got := time.Since(inv.StartTime); got < 5*time.Hour || got > 6*time.Hour {
		t.Fatalf("start time %s is %s ago, want 5 hours", inv.StartTime, got)
	}
}

// Every way a cancel can end: accepted now, found cancelled, found ended on
// its own (success, not an error), unknown or still running (errors).
func TestCancelOutcomes(t *testing.T) {
	t.Parallel()
	refusedAsNotRunning := fgsemu.Fault{Op: "cancel", Times: 1, Status: 400, Body: `{"error_code":"FSS.0400","error_msg":"Invalid RequestId"}`}
	tests := []struct {
		name string
		// prepare returns the request ID to cancel, after setting the scene.
		prepare       func(t *testing.T, emu *fgsemu.Emulator, c *fgs.Client) string
		wantErr       string
		acceptedNow   bool
		cancelled     bool
		endedOnItsOwn bool
		answerLost    bool
		finalStatus   string
	}{
		{name: "accepted", acceptedNow: true, cancelled: true,
			prepare: func(t *testing.T, emu *fgsemu.Emulator, _ *fgs.Client) string { return invoke(t, emu, testURN) }},
		{name: "already cancelled", cancelled: true, finalStatus: "FAIL",
			prepare: func(t *testing.T, emu *fgsemu.Emulator, c *fgs.Client) string {
				id := invoke(t, emu, testURN)
				if _, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: id}); err != nil {
					t.Fatal(err)
				}
				return id
			}},
		{name: "ended on its own", endedOnItsOwn: true, finalStatus: "SUCCESS",
			prepare: func(t *testing.T, emu *fgsemu.Emulator, _ *fgs.Client) string {
				id, err := emu.InvokeStartedAt(shortURN.String(), time.Now().Add(-time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				return id
			}},
		{name: "ended on its own long ago", endedOnItsOwn: true, finalStatus: "SUCCESS",
			prepare: func(t *testing.T, emu *fgsemu.Emulator, _ *fgs.Client) string {
				id, err := emu.InvokeStartedAt(shortURN.String(), time.Now().Add(-30*time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				return id
			}},
		{name: "answer lost, then refused", cancelled: true, answerLost: true, finalStatus: "FAIL",
			prepare: func(t *testing.T, emu *fgsemu.Emulator, _ *fgs.Client) string {
				inject(t, emu, fgsemu.Fault{Op: "cancel", Times: 1, Drop: fgsemu.DropAfter})
				return invoke(t, emu, testURN)
			}},
		{name: "throttled, then accepted", acceptedNow: true, cancelled: true,
			prepare: func(t *testing.T, emu *fgsemu.Emulator, _ *fgs.Client) string {
				inject(t, emu, fgsemu.Fault{Op: "cancel", Times: 1, Status: 429, RetryAfter: "0"})
				return invoke(t, emu, testURN)
			}},
		{name: "never invoked", wantErr: "not listed for this function in the last 72 hours",
			prepare: func(*testing.T, *fgsemu.Emulator, *fgs.Client) string { return "11111111-2222-4333-8444-555555555555" }},
		{name: "refused while running", wantErr: "status is RUNNING",
			prepare: func(t *testing.T, emu *fgsemu.Emulator, _ *fgs.Client) string {
				inject(t, emu, refusedAsNotRunning)
				return invoke(t, emu, testURN)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t)
			if err := emu.AddFunction(fgsemu.Function{URN: shortURN.String(), RunFor: time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, emu.URL(), 2)
			clock := newTestClock()
			useClock(c, clock)
			id := tt.prepare(t, emu, c)
			urn := testURN
			if strings.Contains(tt.name, "on its own") {
				urn = shortURN
			}
			clock.Advance(time.Minute) // the answer's time is the client's, not the wall clock's
			res, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: urn, RequestID: id})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error()+noteOf(err), tt.wantErr) {
					t.Fatalf("err = %v (note %q), want one saying %q", err, noteOf(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.AcceptedNow() != tt.acceptedNow || res.Cancelled() != tt.cancelled || res.EndedOnItsOwn() != tt.endedOnItsOwn || res.AnswerLost != tt.answerLost {
				t.Fatalf("%+v: accepted now %v, cancelled %v, ended on its own %v; want %v, %v, %v, answer lost %v",
					res, res.AcceptedNow(), res.Cancelled(), res.EndedOnItsOwn(), tt.acceptedNow, tt.cancelled, tt.endedOnItsOwn, tt.answerLost)
			}
			if tt.acceptedNow && (!res.AcceptedAt.Equal(clock.Now()) || res.APIRequestID == "") {
				t.Fatalf("accepted at %s with X-Request-Id %q, want the time of the answer and its id", res.AcceptedAt, res.APIRequestID)
			}
			if tt.finalStatus != "" && (res.AlreadyStopped == nil || res.AlreadyStopped.Status != tt.finalStatus) {
				t.Fatalf("already stopped %+v, want status %s", res.AlreadyStopped, tt.finalStatus)
			}
			if tt.finalStatus == "" && res.AlreadyStopped != nil {
				t.Fatalf("already stopped %+v, want none", res.AlreadyStopped)
			}
		})
	}
}

// WaitForStop tells an invocation that is not listed from a failed query.
func TestWaitForStopNotListed(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	_, err := newClient(t, emu.URL(), 0).WaitForStop(context.Background(), testURN, "11111111-2222-4333-8444-555555555555", fgs.PollPolicy{}, nil)
	var notListed *fgs.NotListedError
	if !errors.As(err, &notListed) {
		t.Fatalf("err = %v (%T), want *fgs.NotListedError", err, err)
	}
	if _, isCallErr := fgs.AsError(err); isCallErr {
		t.Fatalf("err %v is also an *fgs.Error, which would read as a failed HTTP request", err)
	}
}
