package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
	// descTimeout is the timeout argument of the action and the ephemeral resource.
	descTimeout = "How long the cancel may take with all its retries, as a duration such as `30s` or `5m`. Defaults to `5m`."
)

// cancelArgs are the arguments the resource and the action have in common.
type cancelArgs struct {
	FunctionURN types.String
	RequestID   types.String
	Type        types.String
	Region      types.String
}

// validateAgainstURN checks what needs no provider: the region argument
// against the URN's. Unknown values pass; they are checked once known.
func (a cancelArgs) validateAgainstURN(diags *diag.Diagnostics) {
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

// cancelRequest builds the API request and checks it against the provider:
// the project ID and an endpoint for the URN's region. It reports each
// contradiction on the argument to blame and returns false if any.
func (a cancelArgs) cancelRequest(pd *ProviderData, diags *diag.Diagnostics) (fgs.CancelRequest, bool) {
	urn, err := fgs.ParseURN(a.FunctionURN.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("function_urn"), "Invalid Function URN", err.Error())
		return fgs.CancelRequest{}, false
	}
	n := diags.ErrorsCount()
	a.validateAgainstURN(diags)
	req := fgs.CancelRequest{URN: urn, RequestID: a.RequestID.ValueString(), Type: fgs.CancelType(a.Type.ValueString())}
	if err := req.Validate(); err != nil {
		diags.AddAttributeError(path.Root("request_id"), "Invalid Cancel Request", err.Error())
	}
	checkProviderFits(pd, urn, diags)
	return req, diags.ErrorsCount() == n
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

// defaultCancelTimeout bounds a cancel with all its retries.
const defaultCancelTimeout = 5 * time.Minute

// cancelTimeout reads a timeout argument: its duration, or the default when unset.
func cancelTimeout(v types.String, diags *diag.Diagnostics) (time.Duration, bool) {
	if v.IsNull() || v.IsUnknown() {
		return defaultCancelTimeout, true
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil || d <= 0 {
		diags.AddAttributeError(path.Root("timeout"), "Invalid Duration",
			"timeout must be a positive duration such as \"30s\" or \"5m\".")
		return 0, false
	}
	return d, true
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
		out.final = r.wait(ctx, client, req, res, diags)
	}
	return out
}

// wait polls until the invocation has ended. A deadline or an interrupt is an
// error; a refused status query only a warning: the cancel itself worked.
func (r cancelRun) wait(ctx context.Context, client *fgs.Client, req fgs.CancelRequest, res fgs.CancelResult, diags *diag.Diagnostics) *fgs.Invocation {
	r.report(fmt.Sprintf("Waiting for request %s to stop", req.RequestID))
	inv, err := client.WaitForStop(ctx, req.URN, req.RequestID, r.data.StopPoll, func(inv fgs.Invocation, waited time.Duration) {
		r.report(fmt.Sprintf("Request %s is %s after %s", req.RequestID, inv.Outcome(), waited.Round(100*time.Millisecond)))
	})
	if err == nil {
		return &inv
	}
	facts := fmt.Sprintf("\n\nFunction URN: %s\nAsync request ID: %s\nAPI request ID of the cancel (X-Request-Id): %s",
		req.URN, req.RequestID, res.APIRequestID)
	stands := "The accepted cancel stands; it was not sent again."
	if r.recordsState {
		stands = "The accepted cancel is recorded in the state; it was not sent again."
	}
	var still *fgs.StillRunningError
	var notListed *fgs.NotListedError
	e, isCallErr := fgs.AsError(err)
	switch {
	case errors.As(err, &still):
		diags.AddError("Invocation Still Running After Cancel",
			fmt.Sprintf("FunctionGraph accepted the cancel, but request %s was still %s after waiting %s (%s). %s\n\n"+
				"Raise %s to wait longer, or set wait_for_stop = false to return once the cancel is accepted. "+
				"If the invocation never stops, contact Huawei Cloud support with the X-Request-Id below.",
				req.RequestID, still.Last.Status, still.Waited.Round(time.Second), countOf(still.Polls, "status query"), stands, r.timeoutSetting)+facts)
		r.report(fmt.Sprintf("Gave up waiting: request %s still %s", req.RequestID, still.Last.Status))
	case isCallErr && e.Kind == fgs.KindCanceled:
		diags.AddError("Interrupted While Waiting for the Invocation to Stop",
			"FunctionGraph accepted the cancel, and Terraform was interrupted while waiting for the invocation to end. "+stands+facts)
	case errors.As(err, &notListed):
		diags.AddWarning("Stop Not Confirmed",
			fmt.Sprintf("FunctionGraph accepted the cancel, but request %s is not listed among the function's invocations of the last %s, "+
				"so its status could not be read to confirm it stopped%s. %s", req.RequestID, lookbackText, finalLeftEmpty(r.recordsState), stands)+facts)
		r.report("Could not confirm the stop: the invocation is not listed")
	default:
		summary, detail := describeCallError(err, callContext{action: "Confirm the Stop", requestID: req.RequestID})
		diags.AddWarning("Stop Not Confirmed",
			"FunctionGraph accepted the cancel, but the invocation's status could not be read to confirm it stopped"+finalLeftEmpty(r.recordsState)+". "+
				stands+"\n\n"+summary+"\n"+detail)
		r.report("Could not confirm the stop: " + summary)
	}
	return nil
}

func finalLeftEmpty(recordsState bool) string {
	if recordsState {
		return ", so final_status is left empty"
	}
	return ""
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
	facts := fmt.Sprintf("\n\nFunction URN: %s\nAsync request ID: %s\nStatus: %s\nError code: %s\nMessage: %s\nAttempts: %d",
		req.URN, req.RequestID, inv.Status, inv.ErrorCode, inv.ErrorMessage, res.Attempts)
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
