package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// The figures under API Gateway quotas: the emulator enforces N calls per
// fixed window (aligned to multiples of the window since the epoch, 429
// APIGW.0308 without Retry-After), and the provider paces every request
// of its process to it. Each case is one apply; the time that counts is
// from the first accepted cancel to the last, beside the quota's floor.

var (
	quotaRuns = flag.Int("quota-runs", 1, "applies per case under a quota (0 skips them)")
	onlyQuota = flag.Bool("only-quota", false, "measure only the cases under a quota (and print them)")
)

// Targets under a quota: within 1.15 × the floor, throttled answers at most 10 % of the cancels sent.
const (
	targetQuotaRatio     = 1.15
	targetThrottledShare = 0.10
)

// quotaCase is one apply under a quota.
type quotaCase struct {
	name        string
	kind        string // kindBulk or kindCancel
	n           int
	cancelQuota fgsemu.Quota
	listQuota   fgsemu.Quota
	concurrency int // the bulk's max_concurrency, or Terraform's -parallelism for single resources
	waitForStop bool
}

var quotaCases = func() []quotaCase {
	cancel := func(limit int) fgsemu.Quota {
		return fgsemu.Quota{Op: fgsemu.OpCancel, Limit: limit, Window: 10 * time.Second}
	}
	list := fgsemu.Quota{Op: fgsemu.OpList, Limit: 20, Window: 10 * time.Second}
	var cs []quotaCase
	for _, wait := range []bool{false, true} {
		cs = append(cs,
			quotaCase{name: "bulk of 300", kind: kindBulk, n: 300, cancelQuota: cancel(100), listQuota: list, concurrency: 20, waitForStop: wait},
			quotaCase{name: "bulk of 1000", kind: kindBulk, n: 1000, cancelQuota: cancel(200), listQuota: list, concurrency: 20, waitForStop: wait},
			quotaCase{name: "100 single resources", kind: kindCancel, n: 100, cancelQuota: cancel(20), listQuota: list, concurrency: 10, waitForStop: wait},
		)
	}
	return cs
}()

// QuotaResults is one case's figures.
type QuotaResults struct {
	Name        string  `json:"name"`
	N           int     `json:"n"`
	Quota       string  `json:"quota"`
	ListQuota   string  `json:"list_quota,omitempty"`
	Concurrency int     `json:"concurrency"`
	WaitForStop bool    `json:"wait_for_stop"`
	Runs        int     `json:"runs"`
	Failed      int64   `json:"failed"`
	Accepted    int64   `json:"accepted"`
	CancelsSent int64   `json:"cancels_sent"`
	Throttled   int64   `json:"throttled"`
	ListsSent   int64   `json:"lists_sent"`
	ListsThrott int64   `json:"lists_throttled"`
	PacedS      float64 `json:"paced_s"` // first accepted cancel to the last, worst run
	FloorS      float64 `json:"floor_s"` // the quota's floor for that run
	Ratio       float64 `json:"ratio"`   // worst PacedS / FloorS
	ApplyS      float64 `json:"apply_s"` // the apply's wall time, worst run
}

// measureQuota applies every case under its quota.
func measureQuota(ctx context.Context, ws *workspace, emu *fgsemu.Emulator) ([]QuotaResults, error) {
	if *quotaRuns <= 0 {
		return nil, nil
	}
	defer emu.ClearQuotas()
	emu.SetLatency(0)
	var out []QuotaResults
	for _, c := range quotaCases {
		r := QuotaResults{Name: c.name, N: c.n, Quota: quotaText(c.cancelQuota), Concurrency: c.concurrency, WaitForStop: c.waitForStop}
		if c.waitForStop {
			r.ListQuota = quotaText(c.listQuota)
		}
		for run := range *quotaRuns {
			progress("quota %s run %d/%d: %d under %s, concurrency %d, wait_for_stop %v", c.name, run+1, *quotaRuns, c.n, r.Quota, c.concurrency, c.waitForStop)
			if err := applyUnderQuota(ctx, ws, emu, c, &r); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func applyUnderQuota(ctx context.Context, ws *workspace, emu *fgsemu.Emulator, c quotaCase, r *QuotaResults) error {
	ids, err := emu.InvokeN(benchURN, c.n)
	if err != nil {
		return err
	}
	// Setting a quota starts its counts afresh: no earlier apply uses up the window.
	for _, q := range []fgsemu.Quota{c.cancelQuota, c.listQuota} {
		if err := emu.SetQuota(q.Op, q.Limit, q.Window); err != nil {
			return err
		}
	}
	emu.ResetStats()
	vars := map[string]any{"request_ids": ids, "wait_for_stop": c.waitForStop}
	parallelism := c.concurrency
	if c.kind == kindBulk {
		vars["max_concurrency"], parallelism = c.concurrency, 10
	}
	res, applyErr := ws.apply(ctx, c.kind, vars, parallelism)
	st := emu.Stats()
	var first, last time.Time
	for _, id := range ids {
		inv, _ := emu.Invocation(benchURN, id)
		if inv.ErrorCode != fgsemu.CanceledErrorCode {
			continue
		}
		if first.IsZero() || inv.EndTime.Before(first) {
			first = inv.EndTime
		}
		if inv.EndTime.After(last) {
			last = inv.EndTime
		}
	}
	r.Runs++
	r.Accepted = st.AcceptedCancels
	r.Failed = max(r.Failed, int64(c.n)-st.AcceptedCancels)
	r.CancelsSent = max(r.CancelsSent, st.RequestsByOp[fgsemu.OpCancel])
	r.Throttled = max(r.Throttled, st.ThrottledByOp[fgsemu.OpCancel])
	r.ListsSent = max(r.ListsSent, st.RequestsByOp[fgsemu.OpList])
	r.ListsThrott = max(r.ListsThrott, st.ThrottledByOp[fgsemu.OpList])
	r.ApplyS = max(r.ApplyS, seconds(res.Wall))
	if !first.IsZero() {
		paced, floor := seconds(last.Sub(first)), seconds(quotaFloor(first, c.n, c.cancelQuota))
		if floor > 0 && paced/floor > r.Ratio {
			r.PacedS, r.FloorS, r.Ratio = paced, floor, paced/floor
		}
	}
	if applyErr != nil || st.AcceptedCancels != int64(c.n) {
		progress("quota %s: %d of %d accepted, apply error: %v", c.name, st.AcceptedCancels, c.n, applyErr)
	}
	return nil
}

// quotaFloor is the time fixed windows of q need to let n calls through,
// from the first one at first: zero when one window holds them all,
// otherwise until the opening of the window the last of them can go in,
// counting first's own window as a whole one. Windows are aligned to
// multiples of their length since the epoch, as the emulator counts them.
func quotaFloor(first time.Time, n int, q fgsemu.Quota) time.Duration {
	windows := (n + q.Limit - 1) / q.Limit
	if windows <= 1 {
		return 0
	}
	next := first.Truncate(q.Window).Add(q.Window)
	return next.Sub(first) + time.Duration(windows-2)*q.Window
}

func quotaText(q fgsemu.Quota) string {
	if q.Window == time.Minute {
		return fmt.Sprintf("%d per minute", q.Limit)
	}
	return fmt.Sprintf("%d per %s", q.Limit, q.Window)
}

// throttledShare is the throttled answers as a share of the cancels sent.
func (r QuotaResults) throttledShare() float64 {
	if r.CancelsSent == 0 {
		return 0
	}
	return float64(r.Throttled) / float64(r.CancelsSent)
}

// quotaTargets are the lines of the targets table under a quota.
func quotaTargets(rs []QuotaResults) []Target {
	var ts []Target
	for _, r := range rs {
		what := fmt.Sprintf("%s under %s (concurrency %d%s)", r.Name, r.Quota, r.Concurrency, waitText(r))
		ts = append(ts, Target{
			Name:     what + ": 0 failed",
			Target:   "0",
			Measured: fmt.Sprint(r.Failed),
			Pass:     r.Failed == 0,
		})
		if r.Name != "100 single resources" {
			ts = append(ts,
				Target{
					Name:     what + ": within 1.15 × the quota's floor",
					Target:   fmt.Sprintf("≤ %.2f s", targetQuotaRatio*r.FloorS),
					Measured: fmt.Sprintf("%.2f s (%.3f×)", r.PacedS, r.Ratio),
					Pass:     r.Ratio <= targetQuotaRatio,
				},
				Target{
					Name:     what + ": throttled answers ≤ 10 % of cancels sent",
					Target:   "≤ 10 %",
					Measured: fmt.Sprintf("%.1f %% (%d of %d)", 100*r.throttledShare(), r.Throttled, r.CancelsSent),
					Pass:     r.throttledShare() <= targetThrottledShare,
				})
		}
	}
	return ts
}

func waitText(r QuotaResults) string {
	if r.WaitForStop {
		return ", wait_for_stop, lists " + r.ListQuota
	}
	return ""
}

// printQuota writes the table of the cases under a quota.
func printQuota(w io.Writer, rs []QuotaResults) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(w, "\nUnder API Gateway quotas (the emulator's fixed windows, 429 APIGW.0308 without Retry-After), worst of %d run(s)\n", rs[0].Runs)
	fmt.Fprintln(w, "  paced: first accepted cancel to the last; floor: what the windows need (bench/README.md); targets ≤ 1.15× and ≤ 10 % throttled")
	for _, r := range rs {
		fmt.Fprintf(w, "  %-22s %-16s conc %-3d wait_for_stop %-5v  failed %d  paced %6.2f s  floor %6.2f s  %.3f×  throttled %d of %d (%.1f %%)  lists %d (%d throttled)  apply %.1f s\n",
			r.Name, r.Quota, r.Concurrency, r.WaitForStop, r.Failed, r.PacedS, r.FloorS, r.Ratio,
			r.Throttled, r.CancelsSent, 100*r.throttledShare(), r.ListsSent, r.ListsThrott, r.ApplyS)
	}
}
