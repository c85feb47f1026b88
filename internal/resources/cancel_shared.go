package resources

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// What the cancel resource and the cancel action share: the arguments'
// descriptions, their checks, and the building of the API request.

const cancelTypeName = "fgs_async_invocation_cancel"

const (
	descWaitForStop = "Whether to wait, after the cancel is accepted, until the invocation has really ended " +
		"(status `SUCCESS`, `FAIL` or `DISCARD`), polling its status with backoff within the timeout. Defaults to `true`."
	descFunctionURN = "The URN of the function whose invocation to cancel: `" + fgs.URNFormat + "`, " +
		"as shown on the function's page in the console. Its region and project decide where the cancel goes."
	descRequestID = "The request ID of the asynchronous invocation to cancel, as returned when the function was invoked " +
		"asynchronously (or listed by the `huaweicloud_fgs_async_invocations` data source)."
	descCancelType = "How to stop the invocation: `force` terminates the function's runtime directly; " +
		"`recursive` also stops the child functions it is invoking. Omit it to let FunctionGraph choose. " +
		"FunctionGraph currently supports only the force behaviour (`recursive` false, `force` true)."
	descRegion = "The region of the function. Defaults to the region in `function_urn`; if set, it must be the same."
)

// functionArgs name the function a shape acts on; every model embeds them.
type functionArgs struct {
	FunctionURN types.String `tfsdk:"function_urn"`
	Region      types.String `tfsdk:"region"`
}

// validateAgainstURN checks what needs no provider: the region argument
// against the URN's. Unknown values pass; they are checked once known.
func (a functionArgs) validateAgainstURN(diags *diag.Diagnostics) {
	if a.FunctionURN.IsUnknown() || a.FunctionURN.IsNull() || a.Region.IsUnknown() || a.Region.IsNull() {
		return
	}
	urn, err := fgs.ParseURN(a.FunctionURN.ValueString())
	if err != nil {
		return // the attribute's own validator reports it
	}
	if a.Region.ValueString() != urn.Region {
		diags.AddAttributeError(path.Root("region"), "Region Contradicts Function URN",
			fmt.Sprintf("region is %q but function_urn names region %q. The function lives where its URN says; "+
				"remove region or set it to %q.", a.Region.ValueString(), urn.Region, urn.Region))
	}
}

// target parses function_urn and checks region and the provider against it,
// reporting each contradiction on the argument to blame. The URN is zero
// when it does not parse.
func (a functionArgs) target(pd *ProviderData, diags *diag.Diagnostics) (fgs.URN, bool) {
	urn, err := fgs.ParseURN(a.FunctionURN.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("function_urn"), "Invalid Function URN", err.Error())
		return fgs.URN{}, false
	}
	n := diags.ErrorsCount()
	a.validateAgainstURN(diags)
	checkProviderFits(pd, urn, diags)
	return urn, diags.ErrorsCount() == n
}

// cancelArgs are what every shape of the single cancel takes.
type cancelArgs struct {
	functionArgs
	RequestID types.String `tfsdk:"request_id"`
	Type      types.String `tfsdk:"type"`
}

// cancelRequest builds the API request and checks it against the URN and
// the provider; it returns false if any argument is to blame.
func (a cancelArgs) cancelRequest(pd *ProviderData, diags *diag.Diagnostics) (fgs.CancelRequest, bool) {
	urn, ok := a.target(pd, diags)
	if urn == (fgs.URN{}) {
		return fgs.CancelRequest{}, false
	}
	req := fgs.CancelRequest{URN: urn, RequestID: a.RequestID.ValueString(), Type: fgs.CancelType(a.Type.ValueString())}
	if err := req.Validate(); err != nil {
		diags.AddAttributeError(path.Root("request_id"), "Invalid Cancel Request", err.Error())
		ok = false
	}
	return req, ok
}

// plannedURN parses a known function_urn at plan time and checks it against
// the provider. Unknown or invalid values are left alone: they are checked
// once known, and the attribute's validator reports a malformed one.
func plannedURN(pd *ProviderData, v types.String, diags *diag.Diagnostics) (fgs.URN, bool) {
	if v.IsUnknown() || v.IsNull() {
		return fgs.URN{}, false
	}
	urn, err := fgs.ParseURN(v.ValueString())
	if err != nil {
		return fgs.URN{}, false
	}
	checkProviderFits(pd, urn, diags)
	return urn, true
}

// planRegion checks a known function_urn against the provider at plan time
// and fills region from it when region is not set. The plan cannot tell an
// unset region from one set but not yet known; the configuration can, and
// only an unset one is filled in, so an unknown one stays unknown.
func planRegion(ctx context.Context, pd *ProviderData, urnValue types.String, config tfsdk.Config, plan *tfsdk.Plan, diags *diag.Diagnostics) {
	var configRegion, plannedRegion types.String
	diags.Append(config.GetAttribute(ctx, path.Root("region"), &configRegion)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("region"), &plannedRegion)...)
	urn, ok := plannedURN(pd, urnValue, diags)
	if ok && configRegion.IsNull() && plannedRegion.IsUnknown() {
		diags.Append(plan.SetAttribute(ctx, path.Root("region"), urn.Region)...)
	}
}

// checkProviderFits checks the provider's project ID (which belongs to the
// provider's region only) and that the URN's region can be reached. Before
// the provider is configured (validation) there is nothing to check.
func checkProviderFits(pd *ProviderData, urn fgs.URN, diags *diag.Diagnostics) {
	if pd == nil {
		return
	}
	if pd.ProjectID != "" && pd.Region == urn.Region && !strings.EqualFold(pd.ProjectID, urn.ProjectID) {
		diags.AddAttributeError(path.Root("function_urn"), "Project ID Contradicts Function URN",
			fmt.Sprintf("The provider's project_id is %q for region %q, but function_urn names project %q in that region. "+
				"Fix function_urn, or set the provider's project_id (HW_PROJECT_ID) to the function's project.",
				pd.ProjectID, pd.Region, urn.ProjectID))
	}
	if pd.Client == nil {
		return
	}
	if _, err := pd.Client.Endpoint(urn.Region); err != nil {
		diags.AddAttributeError(path.Root("function_urn"), "No Endpoint for the Function's Region",
			fmt.Sprintf("function_urn names region %q, which has no FunctionGraph endpoint: %s.\n\n"+
				"Check the region in the URN, or set the provider's endpoints.fgs to reach a region the SDK does not know yet.", urn.Region, err))
	}
}

// forgetRecord is the Delete of both cancel resources: it sends nothing and
// says nothing. A cancelled invocation cannot be resumed, so forgetting the
// record is all that destroying one can mean, and a warning per record
// would bury a real warning among hundreds of identical ones. keep, if set,
// reads the record before it goes.
func forgetRecord(req resource.DeleteRequest, resp *resource.DeleteResponse, keep func(tfsdk.State, *diag.Diagnostics)) {
	if keep != nil {
		keep(req.State, &resp.Diagnostics)
	}
}

// cancelRun is one cancel as every shape of it sends it.
type cancelRun struct {
	data *ProviderData
	args cancelArgs
	// waitForStop polls the invocation after the cancel until it has ended.
	waitForStop bool
	// timeout bounds the whole run; timeoutSetting names where it is set.
	timeout        time.Duration
	timeoutSetting string
	// recordsState: the outcome goes into Terraform's state (the resource);
	// the messages say what is recorded only then.
	recordsState bool
	// progress, if set, hears each step in words (the action's SendProgress).
	progress func(string)
}

// cancelOutcome is what a run achieved.
type cancelOutcome struct {
	req fgs.CancelRequest
	res fgs.CancelResult
	// done: the invocation is not running, for good: FunctionGraph accepted
	// the cancel, or the invocation was found already ended. It is true even
	// when waiting failed afterwards, so an accepted cancel is recorded
	// whatever happens while waiting.
	done bool
	// cancelled: a cancel stopped the invocation (accepted now, or found
	// cancelled); false when it had ended on its own.
	cancelled bool
	// final is the invocation's final status, when it was seen.
	final *fgs.Invocation
	// stopPending: the wait for the stop ended (deadline or interrupt)
	// before the invocation did; only the resource records it, as a warning.
	stopPending bool
}

// acceptedAt is when FunctionGraph accepted this cancel, null when no answer
// accepted it (found already cancelled or ended).
func (o cancelOutcome) acceptedAt() types.String {
	if !o.res.AcceptedNow() {
		return types.StringNull()
	}
	return types.StringValue(o.res.AcceptedAt.UTC().Format(time.RFC3339))
}

// apiRequestID is the X-Request-Id of the answer that accepted the cancel,
// null when no answer accepted it.
func (o cancelOutcome) apiRequestID() types.String {
	if !o.res.AcceptedNow() {
		return types.StringNull()
	}
	return types.StringValue(o.res.APIRequestID)
}

// send validates, sends the cancel with retries under the timeout, waits for
// the invocation to stop if asked, and turns every failure into a diagnostic.
func (r cancelRun) send(ctx context.Context, diags *diag.Diagnostics) cancelOutcome {
	var out cancelOutcome
	req, ok := r.args.cancelRequest(r.data, diags)
	out.req = req
	if !ok {
		return out
	}
	client := r.data.client("the cancel had to be sent", diags)
	if client == nil {
		return out
	}
	ctx, stop := context.WithTimeout(ctx, r.timeout)
	defer stop()
	ctx, _ = watchThrottling(ctx, client, req.URN, "cancel")

	endpoint, _ := client.Endpoint(req.URN.Region)
	r.report(fmt.Sprintf("Cancelling async request %s of %s at %s", req.RequestID, req.URN, endpoint))
	tflog.Info(ctx, "Cancelling async invocation", map[string]any{"function_urn": req.URN.String(), "request_id": req.RequestID, "endpoint": endpoint})
	req.OnRetry = func(ev fgs.RetryEvent) {
		r.report(fmt.Sprintf("Attempt %d failed (%s); retrying in %s", ev.Attempt, retryReason(ev.Err), ev.Wait.Round(time.Millisecond)))
	}
	res, err := client.Cancel(ctx, req)
	out.res = res
	if err != nil {
		addCallError(diags, err, callContext{
			action: "Cancel Async Invocation", requestID: req.RequestID, cancelling: true,
			timeoutSetting: r.timeoutSetting, timeout: r.timeout, recordsState: r.recordsState,
		})
		r.report("Cancel failed; see the error for details")
		return out
	}
	out.done, out.cancelled = true, res.Cancelled()
	if res.AlreadyStopped != nil {
		summary, detail := r.alreadyStoppedWarning(req, res)
		diags.AddWarning(summary, detail)
		if out.cancelled {
			r.report(fmt.Sprintf("Request %s had already been cancelled: %s", req.RequestID, res.AlreadyStopped.Outcome()))
		} else {
			r.report(fmt.Sprintf("Request %s had already ended on its own: %s; nothing was cancelled", req.RequestID, res.AlreadyStopped.Outcome()))
		}
		final := *res.AlreadyStopped
		out.final = &final
		return out
	}
	r.report(fmt.Sprintf("Cancel accepted (X-Request-Id: %s, %s)", res.APIRequestID, countOf(res.Attempts, "attempt")))
	tflog.Info(ctx, "Async invocation cancel accepted", map[string]any{"x_request_id": res.APIRequestID, "attempts": res.Attempts})
	if r.waitForStop {
		out.final, out.stopPending = r.wait(ctx, client, req, res.APIRequestID, diags)
	}
	return out
}

// countOf writes "1 attempt", "3 attempts"; nouns ending in y take -ies.
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (r cancelRun) report(msg string) {
	if r.progress != nil {
		r.progress(msg)
	}
}

// progressSender reports progress without ever blocking past the context:
// the framework's SendProgress waits until Terraform reads the event, and
// would wait forever once Terraform stops reading.
func progressSender(ctx context.Context, resp *action.InvokeResponse) func(string) {
	return func(msg string) {
		if resp.SendProgress == nil {
			return
		}
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}()
		select {
		case <-sent:
		case <-ctx.Done():
		}
	}
}

// retryReason says briefly why an attempt failed.
func retryReason(e *fgs.Error) string {
	switch {
	case e == nil:
		return "unknown error"
	case e.StatusCode != 0 && e.Code != "":
		return fmt.Sprintf("HTTP %d %s", e.StatusCode, e.Code)
	case e.StatusCode != 0:
		return fmt.Sprintf("HTTP %d", e.StatusCode)
	}
	return e.Message
}

// alreadyStoppedWarning explains a cancel refused because the invocation
// had already ended: cancelled (most often by an earlier attempt), or ended
// on its own. Either way it is not running, which is what was asked.
func (r cancelRun) alreadyStoppedWarning(req fgs.CancelRequest, res fgs.CancelResult) (string, string) {
	inv := res.AlreadyStopped
	facts := "\n"
	for _, f := range [][2]string{{"Function URN", req.URN.String()}, {"Async request ID", req.RequestID}, {"Status", inv.Status},
		{"Error code", inv.ErrorCode}, {"Message", inv.ErrorMessage}, {"Attempts", fmt.Sprint(res.Attempts)}} {
		if f[1] != "" { // an invocation that ended on its own has no error to show
			facts += "\n" + f[0] + ": " + f[1]
		}
	}
	recorded := ""
	switch {
	case !r.recordsState:
	case res.Cancelled():
		recorded = " The state records it as cancelled (cancelled = true); cancelled_at and api_request_id are null, since no answer accepted this cancel."
	default:
		recorded = fmt.Sprintf(" The state records that nothing was cancelled (cancelled = false, final_status = %s).", inv.Status)
	}
	switch {
	case !res.Cancelled():
		return "Invocation Had Already Ended",
			fmt.Sprintf("FunctionGraph refused the cancel because the invocation was no longer running: it had ended on its own with status %s "+
				"before the cancel arrived. Nothing was cancelled, and nothing needs to be.", inv.Outcome()) + recorded + facts
	case res.AnswerLost:
		return "Cancel Confirmed After a Lost Answer",
			"An earlier attempt to cancel the request was sent but its answer was lost, and the retry was refused because the invocation was no longer running. " +
				"Its status shows it was stopped by a cancel: most likely that earlier attempt." + recorded + facts
	}
	return "Invocation Already Cancelled",
		"FunctionGraph refused the cancel because the invocation was no longer running, and its status shows it had already been cancelled. " +
			"Most often an earlier attempt did it: an apply or invocation that was interrupted or timed out after sending this cancel. " +
			"It may also have been another cancel of the same request, or, on a function running several requests per instance, " +
			"a cancel of another request on the same instance." + recorded + facts
}
