package resources

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// What the bulk cancel resource and action share: the descriptions, the
// checks, the run, and the summary. One cancel is sent as the single cancel
// sends it; the bulk adds the worker pool (in internal/fgs) and the summary.

const bulkCancelTypeName = "fgs_async_invocations_cancel"

const (
	// maxBulkRequestIDs bounds request_ids: one apply, one state entry.
	maxBulkRequestIDs     = 10000
	defaultMaxConcurrency = 10
	maxMaxConcurrency     = 100
	// failuresListed is how many failed requests the summary names one by one.
	failuresListed = 20
)

var (
	descBulkFunctionURN = "The URN of the function whose invocations to cancel: `" + fgs.URNFormat + "`. " +
		"Its region and project decide where the cancels go."
	descRequestIDs = fmt.Sprintf("The request IDs of the asynchronous invocations to cancel, at most %d, each once. "+
		"Omit it to cancel every invocation of the function that is `RUNNING` when the cancels are sent.", maxBulkRequestIDs)
	descQueryBeginTime = "Without `request_ids`: only cancel invocations that started at or after this time, in RFC 3339 format, " +
		"such as `2026-01-02T15:04:05Z`. Defaults to 72 hours (259,200 s, FunctionGraph's default maximum execution duration) " +
		"before the cancels are sent; FunctionGraph's own default would look at the last hour only."
	descQueryEndTime = "Without `request_ids`: only cancel invocations that started at or before this time, in RFC 3339 format. " +
		"Defaults to the time the cancels are sent."
	descMaxConcurrency = fmt.Sprintf("The most cancel requests in flight at once, %d to %d. Defaults to %d. "+
		"All of them wait their turn at FunctionGraph's quota, which the provider learns from its `429` answers.", 1, maxMaxConcurrency, defaultMaxConcurrency)
	descBulkWaitForStop = "Whether to wait, after the cancels are accepted, until none of the cancelled invocations is still " +
		"`WAIT` or `RUNNING`, listing the function's unfinished invocations with backoff within the timeout. Defaults to `true`."
)

// bulkCancelArgs are the arguments the bulk resource and action have in common.
type bulkCancelArgs struct {
	FunctionURN    types.String
	Region         types.String
	Type           types.String
	RequestIDs     types.List
	QueryBeginTime types.String
	QueryEndTime   types.String
	MaxConcurrency types.Int64
}

func (a bulkCancelArgs) single() cancelArgs {
	return cancelArgs{FunctionURN: a.FunctionURN, Type: a.Type, Region: a.Region}
}

// validate checks what needs no provider: the region against the URN,
// duplicate request IDs (in one pass: the framework's UniqueValues is
// quadratic), and the window's order.
func (a bulkCancelArgs) validate(diags *diag.Diagnostics) {
	a.single().validateAgainstURN(diags)
	if !a.RequestIDs.IsNull() && !a.RequestIDs.IsUnknown() {
		first := make(map[string]int, len(a.RequestIDs.Elements()))
		for i, v := range a.RequestIDs.Elements() {
			s, ok := v.(types.String)
			if !ok || s.IsNull() || s.IsUnknown() {
				continue
			}
			id := s.ValueString()
			if j, dup := first[id]; dup {
				diags.AddAttributeError(path.Root("request_ids").AtListIndex(i), "Duplicate Request ID",
					fmt.Sprintf("request_ids lists %q at index %d and again at index %d. Each request is cancelled once; remove the repeat.", id, j, i))
				continue
			}
			first[id] = i
		}
	}
	begin, okBegin := knownTime(a.QueryBeginTime)
	end, okEnd := knownTime(a.QueryEndTime)
	if okBegin && okEnd && begin.After(end) {
		diags.AddAttributeError(path.Root("query_end_time"), "Query Ends Before It Begins",
			fmt.Sprintf("query_end_time (%s) is before query_begin_time (%s); no invocation could match.",
				a.QueryEndTime.ValueString(), a.QueryBeginTime.ValueString()))
	}
}

// target parses the URN and checks it against the provider, as the single
// cancel's request builder does, reporting on the argument to blame.
func (a bulkCancelArgs) target(pd *ProviderData, diags *diag.Diagnostics) (fgs.URN, bool) {
	urn, err := fgs.ParseURN(a.FunctionURN.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("function_urn"), "Invalid Function URN", err.Error())
		return fgs.URN{}, false
	}
	n := diags.ErrorsCount()
	a.single().validateAgainstURN(diags)
	checkProviderFits(pd, urn, diags)
	return urn, diags.ErrorsCount() == n
}

func (a bulkCancelArgs) maxConcurrency() int {
	if a.MaxConcurrency.IsNull() || a.MaxConcurrency.IsUnknown() {
		return defaultMaxConcurrency
	}
	return int(a.MaxConcurrency.ValueInt64())
}

// bulkCancelRun is one bulk cancel as the resource and the action both send it.
type bulkCancelRun struct {
	data           *ProviderData
	args           bulkCancelArgs
	waitForStop    bool
	timeout        time.Duration
	timeoutSetting string
	// progress, if set, hears the counts at least once a second, and each step.
	progress func(string)
}

// bulkCancelOutcome is what a bulk run achieved; results is nil when nothing was sent.
type bulkCancelOutcome struct {
	urn     fgs.URN
	results []fgs.BulkResult
}

// send finds the targets, cancels them through the client's worker pool,
// waits for them to stop if asked, and turns failures into one diagnostic.
// The outcome holds every result, so what was accepted is always recorded.
func (r bulkCancelRun) send(ctx context.Context, diags *diag.Diagnostics) (out bulkCancelOutcome, ok bool) {
	urn, ok := r.args.target(r.data, diags)
	out.urn = urn
	if !ok {
		return out, false
	}
	client := r.data.client("the cancels had to be sent", diags)
	if client == nil {
		return out, false
	}
	ctx, stop := context.WithTimeout(ctx, r.timeout)
	defer stop()
	ctx, watch := watchThrottling(ctx, client, urn, "bulk cancel")

	ids, ok := r.targets(ctx, client, urn, diags)
	if !ok {
		return out, false
	}
	reqs := make([]fgs.CancelRequest, len(ids))
	for i, id := range ids {
		reqs[i] = fgs.CancelRequest{URN: urn, RequestID: id, Type: fgs.CancelType(r.args.Type.ValueString())}
	}
	endpoint, _ := client.Endpoint(urn.Region)
	workers := r.args.maxConcurrency()
	r.report(fmt.Sprintf("Cancelling %d async requests of %s at %s, at most %d at a time", len(reqs), urn, endpoint, workers))
	tflog.Info(ctx, "Cancelling async invocations", map[string]any{
		"function_urn": urn.String(), "count": len(reqs), "max_concurrency": workers, "endpoint": endpoint,
	})

	ticker := r.startTicker(watch)
	out.results = client.CancelMany(ctx, reqs, fgs.BulkOptions{MaxConcurrency: workers, Progress: ticker.set})
	final := ticker.stop()
	r.report(progressText(final) + " (done)")
	tflog.Info(ctx, "Async invocations cancelled", map[string]any{
		"cancelled": final.Cancelled, "ended": final.Ended, "failed": final.Failed,
	})

	addBulkDiagnostics(diags, out.results, callContext{
		action: "Cancel Async Invocation", cancelling: true, timeoutSetting: r.timeoutSetting, timeout: r.timeout,
	})
	if r.waitForStop {
		r.wait(ctx, client, urn, out.results, diags)
	}
	return out, true
}

// targets are request_ids, or what is RUNNING now within the window.
func (r bulkCancelRun) targets(ctx context.Context, client *fgs.Client, urn fgs.URN, diags *diag.Diagnostics) ([]string, bool) {
	if !r.args.RequestIDs.IsNull() {
		var ids []string
		diags.Append(r.args.RequestIDs.ElementsAs(ctx, &ids, false)...)
		return ids, !diags.HasError()
	}
	begin, _ := knownTime(r.args.QueryBeginTime)
	end, _ := knownTime(r.args.QueryEndTime)
	r.report(fmt.Sprintf("Listing the RUNNING invocations of %s", urn))
	ids, err := client.ListRunning(ctx, urn, begin, end)
	if err != nil {
		addCallError(diags, err, callContext{
			action: "List Running Async Invocations", timeoutSetting: r.timeoutSetting, timeout: r.timeout,
		})
		return nil, false
	}
	return ids, true
}

// wait polls until the accepted cancels have stopped their invocations. The
// cancels are recorded whatever happens here.
func (r bulkCancelRun) wait(ctx context.Context, client *fgs.Client, urn fgs.URN, results []fgs.BulkResult, diags *diag.Diagnostics) {
	var ids []string
	for _, res := range results {
		if res.Err == nil && res.Result.AcceptedNow() {
			ids = append(ids, res.Request.RequestID)
		}
	}
	if len(ids) == 0 {
		return
	}
	r.report(fmt.Sprintf("Waiting for %d cancelled invocations to stop", len(ids)))
	still, err := client.WaitForStopMany(ctx, urn, ids, r.data.StopPoll)
	if err == nil {
		return
	}
	facts := fmt.Sprintf("\n\nFunction URN: %s\nStill unfinished: %d of %d\n%s", urn, len(still), len(ids), listed(still))
	e, _ := fgs.AsError(err)
	switch {
	case e != nil && (e.Kind == fgs.KindTimeout || e.Kind == fgs.KindCanceled):
		diags.AddError("Invocations Still Running After Cancel",
			fmt.Sprintf("FunctionGraph accepted the cancels, but some invocations had not stopped when waiting ended (%s). "+
				"The accepted cancels are recorded in the state; they were not sent again.\n\n"+
				"Raise %s to wait longer, or set wait_for_stop = false to return once the cancels are accepted.", e.Message, r.timeoutSetting)+facts)
	default:
		summary, detail := describeCallError(err, callContext{action: "Confirm the Stop"})
		diags.AddWarning("Stop Not Confirmed",
			"FunctionGraph accepted the cancels, but the invocations' status could not be read to confirm they stopped. "+
				"The cancels themselves are recorded.\n\n"+summary+"\n"+detail+facts)
	}
}

func (r bulkCancelRun) report(msg string) {
	if r.progress != nil {
		r.progress(msg)
	}
}

// progressTicker reports the counts at least once a second while a bulk runs.
type progressTicker struct {
	mu    sync.Mutex
	last  fgs.BulkProgress
	done  chan struct{}
	wg    sync.WaitGroup
	watch *throttleWatch
}

const progressInterval = 500 * time.Millisecond

func (r bulkCancelRun) startTicker(watch *throttleWatch) *progressTicker {
	t := &progressTicker{done: make(chan struct{}), watch: watch}
	if r.progress == nil {
		return t
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(progressInterval)
		defer tick.Stop()
		for {
			select {
			case <-t.done:
				return
			case <-tick.C:
				t.mu.Lock()
				p := t.last
				t.mu.Unlock()
				r.report(progressText(p) + pacedText(t.watch, p))
			}
		}
	}()
	return t
}

func (t *progressTicker) set(p fgs.BulkProgress) {
	t.mu.Lock()
	t.last = p
	t.mu.Unlock()
}

func (t *progressTicker) stop() fgs.BulkProgress {
	close(t.done)
	t.wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// progressText is "312 of 1000 cancelled, 2 failed".
func progressText(p fgs.BulkProgress) string {
	s := fmt.Sprintf("%d of %d cancelled", p.Cancelled, p.Total)
	if p.Ended > 0 {
		s += fmt.Sprintf(", %d had ended on their own", p.Ended)
	}
	return s + fmt.Sprintf(", %d failed", p.Failed)
}

// addBulkDiagnostics adds one error naming each failed request (the first
// failuresListed of them) with the first failure explained in full, and one
// warning for the requests that had ended on their own.
func addBulkDiagnostics(diags *diag.Diagnostics, results []fgs.BulkResult, cc callContext) {
	var failed, ended []fgs.BulkResult
	cancelled := 0
	for _, r := range results {
		switch {
		case r.Err != nil:
			failed = append(failed, r)
		case r.EndedOnItsOwn():
			ended = append(ended, r)
		default:
			cancelled++
		}
	}
	if len(ended) > 0 {
		lines := make([]string, 0, min(len(ended), failuresListed))
		for _, r := range ended[:min(len(ended), failuresListed)] {
			lines = append(lines, fmt.Sprintf("- %s: %s", r.Request.RequestID, r.Result.AlreadyStopped.Outcome()))
		}
		diags.AddWarning("Some Invocations Had Already Ended",
			fmt.Sprintf("%d of %d invocations had ended on their own before the cancel reached them; there was nothing to cancel. "+
				"They are listed in ended_request_ids, not in cancelled_request_ids.\n\n%s%s",
				len(ended), len(results), strings.Join(lines, "\n"), moreText(len(ended))))
	}
	if len(failed) == 0 {
		return
	}
	lines := make([]string, 0, min(len(failed), failuresListed))
	for _, r := range failed[:min(len(failed), failuresListed)] {
		lines = append(lines, fmt.Sprintf("- %s: %s", r.Request.RequestID, failureReason(r)))
	}
	cc.requestID = failed[0].Request.RequestID
	summary, detail := describeCallError(failed[0].Err, cc)
	diags.AddError(fmt.Sprintf("Failed to Cancel %d of %d Async Invocations", len(failed), len(results)),
		fmt.Sprintf("%d invocations were cancelled and are recorded in the state (cancelled_request_ids); these %d were not:\n\n%s%s\n\n"+
			"The next apply replaces this resource and tries again (the cancelled ones are refused as no longer running and stay recorded).\n\n"+
			"The first failure in full: %s\n%s",
			cancelled, len(failed), strings.Join(lines, "\n"), moreText(len(failed)), summary, detail))
}

func moreText(n int) string {
	if n <= failuresListed {
		return ""
	}
	return fmt.Sprintf("\n… and %d more", n-failuresListed)
}

// failureReason says in one line why a request failed.
func failureReason(r fgs.BulkResult) string {
	e, ok := fgs.AsError(r.Err)
	switch {
	case !ok:
		return r.Err.Error()
	case !r.Sent:
		return "not sent: " + e.Message
	case e.Kind == fgs.KindTimeout && (e.Pace != nil || e.Throttled > 0):
		return throttledReason(e)
	case e.Kind == fgs.KindCanceled:
		return "interrupted before FunctionGraph answered; the cancel may or may not have been carried out"
	case e.Note != "":
		return retryReason(e) + ": " + e.Note
	case e.StatusCode != 0 && e.Message != "":
		return retryReason(e) + ": " + e.Message
	}
	return retryReason(e)
}

func listed(ids []string) string {
	shown := ids[:min(len(ids), failuresListed)]
	return "- " + strings.Join(shown, "\n- ") + moreText(len(ids))
}

// bulkFailureType is the object type of the failed attribute.
var bulkFailureType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"request_id": types.StringType, "status_code": types.Int64Type, "error_code": types.StringType, "message": types.StringType,
}}

// bulkRecord turns results into the state's lists: cancelled, ended on their own, failed.
func bulkRecord(results []fgs.BulkResult) (cancelled, ended, failed types.List) {
	var c, e []attr.Value
	var f []attr.Value
	for _, r := range results {
		switch {
		case r.Err != nil:
			status, code, msg := int64(0), "", r.Err.Error()
			if fe, ok := fgs.AsError(r.Err); ok {
				status, code, msg = int64(fe.StatusCode), fe.Code, failureReason(r)
			}
			f = append(f, types.ObjectValueMust(bulkFailureType.AttrTypes, map[string]attr.Value{
				"request_id": types.StringValue(r.Request.RequestID), "status_code": types.Int64Value(status),
				"error_code": types.StringValue(code), "message": types.StringValue(msg),
			}))
		case r.EndedOnItsOwn():
			e = append(e, types.StringValue(r.Request.RequestID))
		default:
			c = append(c, types.StringValue(r.Request.RequestID))
		}
	}
	return listOf(types.StringType, c), listOf(types.StringType, e), listOf(bulkFailureType, f)
}

func listOf(t attr.Type, elems []attr.Value) types.List {
	if elems == nil {
		elems = []attr.Value{}
	}
	return types.ListValueMust(t, elems)
}
