package resources

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// What every type shows of throttling: one INFO line when FunctionGraph
// first throttles a run, the pace in the bulk's progress, and the quota in
// the diagnostic of a call the quota outlasted.

// throttleWatch hears the throttled answers of one run.
type throttleWatch struct {
	client *fgs.Client
	urn    fgs.URN
	mu     sync.Mutex
	last   *fgs.PaceStatus
	logged bool
}

// watchThrottling returns ctx with an observer that logs the first
// throttle of the run at INFO and keeps the latest pace for progress.
func watchThrottling(ctx context.Context, client *fgs.Client, urn fgs.URN, what string) (context.Context, *throttleWatch) {
	w := &throttleWatch{client: client, urn: urn}
	logCtx := ctx
	return fgs.WithThrottleObserver(ctx, func(s fgs.PaceStatus) {
		w.mu.Lock()
		first := !w.logged
		w.logged, w.last = true, &s
		w.mu.Unlock()
		if first {
			tflog.Info(logCtx, "Throttled by FunctionGraph; waiting for the quota instead of failing", map[string]any{
				"what": what, "api": s.API, "quota": s.Describe(), "pace_per_second": roundRate(s.Rate),
			})
		}
	}), w
}

// status is the latest pace heard, nil before any throttle.
func (w *throttleWatch) status() *fgs.PaceStatus {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// paceText is "throttled by FunctionGraph (100 per minute): pacing at 1.7/s, 150 left, about 95 s".
func paceText(s fgs.PaceStatus, left int, now time.Time) string {
	text := fmt.Sprintf("throttled by FunctionGraph (%s)", s.Describe())
	if s.Rate > 0 {
		text += fmt.Sprintf(": pacing at %s/s", formatRate(s.Rate))
	} else {
		text += ": pacing by its answers"
	}
	if left > 0 {
		text += fmt.Sprintf(", %d left", left)
		if eta := s.TimeFor(left, now); eta > 0 {
			text += fmt.Sprintf(", about %s", formatWait(eta))
		}
	}
	return text
}

func roundRate(r float64) float64 { return float64(int(r*100+0.5)) / 100 }

// formatRate writes a rate with two decimals below 1, one below 10, none above.
func formatRate(r float64) string {
	if r < 1 {
		return fmt.Sprintf("%.2f", r)
	}
	if r < 10 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

// formatWait writes "95 s" or "4 min 10 s".
func formatWait(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s < 120 {
		return fmt.Sprintf("%d s", max(s, 1))
	}
	if s%60 == 0 {
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d min %d s", s/60, s%60)
}

// wasThrottled reports a call that throttling ended: a last answer of 429,
// or a deadline or interrupt that came while it waited for the quota.
func wasThrottled(e *fgs.Error) bool {
	switch e.Kind {
	case fgs.KindAPI:
		return e.StatusCode == 429
	case fgs.KindTimeout, fgs.KindCanceled:
		return e.Pace != nil || e.Throttled > 0
	}
	return false
}

// explainThrottled explains a call that throttling kept from completing.
func explainThrottled(e *fgs.Error, cc callContext) (title, why, todo string) {
	quota := "no quota stated in its answers"
	if e.Pace != nil && e.Pace.Quota.Limit > 0 {
		quota = e.Pace.Quota.String() + " for this API and credential"
	}
	more := "Give it more time"
	if cc.timeoutSetting != "" {
		more = "Give it more time (" + cc.timeoutSetting + ")"
	}
	todo = more + ", send fewer at once (max_concurrency of the bulk cancel, or Terraform's -parallelism), or ask Huawei Cloud for a " +
		"higher API Gateway quota for this API. Other work with the same credentials shares the quota; " +
		"the provider's max_requests_per_second caps this provider's share of it."
	limit := "its timeout"
	if cc.timeout > 0 {
		limit = fmt.Sprintf("its %s of %s", cc.timeoutSetting, cc.timeout)
	}
	switch e.Kind {
	case fgs.KindCanceled:
		return "Interrupted While Throttled",
			fmt.Sprintf("Terraform was interrupted while the call waited for FunctionGraph's quota (%s).", quota), ""
	case fgs.KindAPI:
		return "Throttled",
			fmt.Sprintf("FunctionGraph refused the call with 429 Too Many Requests (quota: %s). %s", quota, stoppedText(e)), todo
	}
	return "Throttled Until the Timeout",
		fmt.Sprintf("FunctionGraph's API Gateway throttled the calls (quota: %s), and the call could not go within %s. "+
			"Throttled answers are waited out and sent again when the quota allows; they do not use up max_retries.", quota, limit),
		todo
}

// quotaFact is the quota as FunctionGraph stated it, for a diagnostic's facts.
func quotaFact(e *fgs.Error) string {
	if e.Pace == nil || e.Pace.Quota.Limit == 0 {
		return ""
	}
	return fmt.Sprintf("%s (as FunctionGraph stated it), %s/s on average", e.Pace.Quota, formatRate(e.Pace.Quota.PerSecond()))
}

// throttledFact counts the call's throttled answers.
func throttledFact(e *fgs.Error) string {
	if e.Throttled == 0 {
		return ""
	}
	return fmt.Sprint(e.Throttled)
}

// pacedText is the bulk's progress suffix while throttled, empty before:
// the pace as it stands now, once a throttle was heard.
func pacedText(w *throttleWatch, p fgs.BulkProgress) string {
	s := w.status()
	if s == nil {
		return ""
	}
	if now, ok := w.client.PaceNow(w.urn, s.API); ok {
		s = &now
	}
	return "; " + paceText(*s, p.Total-p.Settled(), time.Now())
}

// throttledReason says in one line that a request's turn never came.
func throttledReason(e *fgs.Error) string {
	quota := "no quota stated"
	if e.Pace != nil && e.Pace.Quota.Limit > 0 {
		quota = e.Pace.Quota.String()
	}
	return fmt.Sprintf("throttled by FunctionGraph (%s): the timeout ended before the quota let it through, not sent again", quota)
}
