package resources

import (
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

func TestPaceText(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 30, 0, time.UTC)
	cases := []struct {
		s    fgs.PaceStatus
		left int
		want string
	}{
		{fgs.PaceStatus{Quota: fgs.Quota{Limit: 100, Window: time.Minute}, Rate: 100.0 / 60, NextWindow: now.Add(35 * time.Second)}, 150,
			"throttled by FunctionGraph (100 per minute): pacing at 1.7/s, 150 left, about 95 s"},
		{fgs.PaceStatus{Quota: fgs.Quota{Limit: 3, Window: time.Minute}, Rate: 0.05, NextWindow: now.Add(10 * time.Second)}, 7,
			"throttled by FunctionGraph (3 per minute): pacing at 0.05/s, 7 left, about 2 min 10 s"},
		{fgs.PaceStatus{Rate: 12}, 24, "throttled by FunctionGraph (no quota stated): pacing at 12/s, 24 left, about 2 s"},
		{fgs.PaceStatus{}, 0, "throttled by FunctionGraph (no quota stated): pacing by its answers"},
	}
	for _, c := range cases {
		if got := paceText(c.s, c.left, now); got != c.want {
			t.Errorf("paceText = %q\nwant        %q", got, c.want)
		}
	}
}

// Throttling is named only where it had a part in the failure.
func TestThrottlingNamedOnlyWhereItMattered(t *testing.T) {
	pace := &fgs.PaceStatus{API: "cancel", Quota: fgs.Quota{Limit: 100, Window: time.Minute}, Throttled: 7}
	cc := callContext{action: "Cancel Async Invocation", cancelling: true, timeoutSetting: "timeouts.create", timeout: time.Minute}
	cases := []struct {
		e    *fgs.Error
		want string
	}{
		{&fgs.Error{Kind: fgs.KindTimeout, Pace: pace}, "Failed to Cancel Async Invocation: Throttled Until the Timeout"},
		{&fgs.Error{Kind: fgs.KindCanceled, Pace: pace}, "Failed to Cancel Async Invocation: Interrupted While Throttled"},
		{&fgs.Error{Kind: fgs.KindAPI, StatusCode: 429, Pace: pace}, "Failed to Cancel Async Invocation: Throttled"},
		{&fgs.Error{Kind: fgs.KindAPI, StatusCode: 500, Pace: pace}, "Failed to Cancel Async Invocation: FunctionGraph Server Error"},
		{&fgs.Error{Kind: fgs.KindTimeout}, "Failed to Cancel Async Invocation: Timed Out"},
	}
	for _, c := range cases {
		if got, detail := describeCallError(c.e, cc); got != c.want {
			t.Errorf("%+v: %q, want %q\n%s", c.e, got, c.want, detail)
		}
	}
}
