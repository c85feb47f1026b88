package resources

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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
		"Omit it to cancel every invocation of the function that is queued (`WAIT`) or `RUNNING` when the cancels are sent (see `statuses`).", maxBulkRequestIDs)
	descStartedWithin = "Without `request_ids`: only cancel invocations that started within this duration before the cancels are sent, " +
		"such as `12h` or `30m`. The stable way to say \"the last 12 hours\": unlike a time computed with `plantimestamp()`, it does not change between plans. " +
		"Defaults to " + lookbackDefaultText + "; FunctionGraph's own default would look at the last hour only."
	descStatuses = "Without `request_ids`: which unfinished invocations to cancel, `WAIT` (queued, not started yet) and/or `RUNNING`. " +
		"Defaults to both, so a stopped job does not restart from its queue. " + waitCancelText
	descQueryBeginTime = "Without `request_ids`: only cancel invocations that started at or after this time, in RFC 3339 format, " +
		"such as `2026-01-02T15:04:05Z`. For a window that moves with the apply, use `started_within` instead. " +
		"Defaults to " + lookbackDefaultText + " " +
		"before the cancels are sent; FunctionGraph's own default would look at the last hour only."
	descQueryEndTime = "Without `request_ids`: only cancel invocations that started at or before this time, in RFC 3339 format. " +
		"Defaults to the time the cancels are sent."
	descMaxConcurrency = fmt.Sprintf("The most cancel requests in flight at once, %d to %d. Defaults to %d. "+
		"All of them wait their turn at FunctionGraph's quota, which the provider learns from its `429` answers.", 1, maxMaxConcurrency, defaultMaxConcurrency)
	// waitCancelText is what a cancel of a queued invocation does, said once for every page.
	waitCancelText = "FunctionGraph's API page does not say what a cancel of a `WAIT` invocation does. The provider sends it like any other: " +
		"if FunctionGraph accepts it, the invocation is recorded as cancelled (the emulator accepts it and ends the invocation as `DISCARD` " +
		"with error code `4208`); if FunctionGraph refuses it while the invocation is still `WAIT`, it is reported as failed with that status, " +
		"and the next apply retries it."
	descBulkWaitForStop = "Whether to wait, after the cancels are accepted, until none of the cancelled invocations is still " +
		"`WAIT` or `RUNNING`, listing the function's unfinished invocations with backoff within the timeout. Defaults to `true`."
)

// bulkCancelArgs are what the bulk resource and action take alike.
type bulkCancelArgs struct {
	functionArgs
	queryWindow
	Type           types.String `tfsdk:"type"`
	RequestIDs     types.List   `tfsdk:"request_ids"`
	StartedWithin  types.String `tfsdk:"started_within"`
	Statuses       types.List   `tfsdk:"statuses"`
	MaxConcurrency types.Int64  `tfsdk:"max_concurrency"`
}

// validate checks what needs no provider: the region against the URN, null
// and duplicate request IDs (in one pass: the framework's UniqueValues is
// quadratic), and the window's order.
func (a bulkCancelArgs) validate(diags *diag.Diagnostics) {
	a.validateAgainstURN(diags)
	validateRequestIDs(a.RequestIDs, diags)
	a.queryWindow.validate(diags)
}

// statusesValidators accept WAIT and RUNNING, each once, without request_ids.
func statusesValidators() []validator.List {
	return []validator.List{
		listvalidator.SizeAtLeast(1),
		listvalidator.UniqueValues(),
		listvalidator.ValueStringsAre(stringvalidator.OneOf(fgs.UnfinishedStatuses...)),
		listvalidator.ConflictsWith(path.MatchRoot("request_ids")),
	}
}

// validateRequestIDs refuses a null request ID and a repeated one, naming
// the index; each element's own validator checks its form.
func validateRequestIDs(ids types.List, diags *diag.Diagnostics) {
	if ids.IsNull() || ids.IsUnknown() {
		return
	}
	first := make(map[string]int, len(ids.Elements()))
	for i, v := range ids.Elements() {
		s, ok := v.(types.String)
		if ok && s.IsUnknown() {
			continue
		}
		if !ok || s.IsNull() {
			diags.AddAttributeError(path.Root("request_ids").AtListIndex(i), "Invalid Request ID",
				fmt.Sprintf("request_ids[%d] is null. Each element must be the request ID of an async invocation: "+
					"remove the null, or fix what produced it (such as a lookup that found nothing).", i))
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

// window is the time range of a listing: started_within back from now, or
// the query times; zero ends take the client's defaults.
func (a bulkCancelArgs) window(now time.Time) (begin, end time.Time) {
	begin, end = a.bounds()
	if d, ok := knownDuration(a.StartedWithin); ok && d > 0 {
		begin = now.Add(-d)
	}
	return begin, end
}

// statuses are the statuses a listing cancels; nil means every unfinished one.
func (a bulkCancelArgs) statuses(ctx context.Context, diags *diag.Diagnostics) []string {
	if a.Statuses.IsNull() || a.Statuses.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(a.Statuses.ElementsAs(ctx, &out, false)...)
	return out
}

// listingText says what a listing cancels: "every WAIT or RUNNING invocation started within 12h".
func (a bulkCancelArgs) listingText(ctx context.Context) string {
	var diags diag.Diagnostics
	statuses := a.statuses(ctx, &diags)
	if statuses == nil {
		statuses = fgs.UnfinishedStatuses
	}
	s := "every " + strings.Join(statuses, " or ") + " invocation"
	switch {
	case !a.StartedWithin.IsNull() && !a.StartedWithin.IsUnknown():
		s += " started within " + a.StartedWithin.ValueString()
	case a.QueryBeginTime.IsNull() && a.QueryEndTime.IsNull():
		s += " started within " + lookbackText
	default:
		s += " started in the query window"
	}
	return s
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
	// recordsState: the outcome goes into Terraform's state (the resource);
	// the messages speak of a record and a next apply only then.
	recordsState bool
	// only, when not nil, are the request IDs to send (an update's added and
	// failed ones) instead of those configured or listed.
	only []string
	// skip, if set, takes the targets and returns those still to send.
	skip func(urn fgs.URN, ids []string) []string
	// progress, if set, hears the counts at least once a second, and each step.
	progress func(string)
	// pending are cancelled request IDs an earlier wait left unseen to stop,
	// waited for again (with wait_for_stop) beside those accepted now.
	pending []string
}

// bulkCancelOutcome is what a bulk run achieved; results is nil when nothing was sent.
type bulkCancelOutcome struct {
	urn     fgs.URN
	results []fgs.BulkResult
	// listed counts the invocations a listing found, by status; nil with request IDs.
	listed map[string]int
	// pending are the cancelled invocations a wait cut short did not see stop.
	pending []string
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

	ids, ok := r.targets(ctx, client, &out, diags)
	if !ok {
		return out, false
	}
	if r.skip != nil {
		ids = r.skip(urn, ids)
	}
	if len(ids) == 0 {
		r.report(fmt.Sprintf("Nothing to cancel for %s", urn))
		if r.waitForStop {
			out.pending = r.wait(ctx, client, urn, r.pending, diags)
		}
		return out, true
	}
	reqs := make([]fgs.CancelRequest, len(ids))
	for i, id := range ids {
		reqs[i] = fgs.CancelRequest{URN: urn, RequestID: id, Type: fgs.CancelType(r.args.Type.ValueString())}
	}
	endpoint, _ := client.Endpoint(urn.Region)
	workers := r.args.maxConcurrency()
	r.report(fmt.Sprintf("Cancelling %s of %s at %s, at most %d at a time", countOf(len(reqs), "async request"), urn, endpoint, workers))
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
		action: "Cancel Async Invocation", cancelling: true, timeoutSetting: r.timeoutSetting, timeout: r.timeout, invoked: !r.recordsState,
	})
	if r.waitForStop {
		out.pending = r.wait(ctx, client, urn, append(acceptedIDs(out.results), r.pending...), diags)
	}
	return out, true
}

// targets are the IDs to send, request_ids, or what is unfinished now
// within the window, counted by status in out.listed.
func (r bulkCancelRun) targets(ctx context.Context, client *fgs.Client, out *bulkCancelOutcome, diags *diag.Diagnostics) ([]string, bool) {
	if r.only != nil {
		return r.only, true
	}
	if !r.args.RequestIDs.IsNull() {
		var ids []string
		diags.Append(r.args.RequestIDs.ElementsAs(ctx, &ids, false)...)
		return ids, !diags.HasError()
	}
	statuses := r.args.statuses(ctx, diags)
	begin, end := r.args.window(time.Now())
	r.report(fmt.Sprintf("Listing %s of %s", r.args.listingText(ctx), out.urn))
	list, err := client.ListUnfinished(ctx, out.urn, statuses, begin, end)
	if err != nil {
		addCallError(diags, err, callContext{
			action: "List Unfinished Async Invocations", timeoutSetting: r.timeoutSetting, timeout: r.timeout,
		})
		return nil, false
	}
	out.listed = map[string]int{}
	ids := make([]string, len(list))
	for i, inv := range list {
		ids[i] = inv.RequestID
		out.listed[inv.Status]++
	}
	r.report("Found " + byStatusText(out.listed))
	return ids, true
}

func (r bulkCancelRun) report(msg string) {
	if r.progress != nil {
		r.progress(msg)
	}
}

// bulkFailureType is the object type of the failed attribute.
var bulkFailureType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"request_id": types.StringType, "status_code": types.Int64Type, "error_code": types.StringType, "message": types.StringType,
}}

func listOf(t attr.Type, elems []attr.Value) types.List {
	if elems == nil {
		elems = []attr.Value{}
	}
	return types.ListValueMust(t, elems)
}
