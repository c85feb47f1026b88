package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// Waiting for a cancelled invocation to end: after the cancel (every shape),
// and again in a later apply of the resource whose wait was cut short.

// wait polls until the invocation has ended. A refused status query is only
// a warning: the cancel itself worked. A deadline or an interrupt is an error
// for the shapes that keep no record; the resource records the accepted
// cancel as stop_pending instead and warns, since an error would taint the
// record and the next apply would replace it, sending a new cancel.
func (r cancelRun) wait(ctx context.Context, client *fgs.Client, req fgs.CancelRequest, apiRequestID string, diags *diag.Diagnostics) (*fgs.Invocation, bool) {
	r.report(fmt.Sprintf("Waiting for request %s to stop", req.RequestID))
	inv, err := client.WaitForStop(ctx, req.URN, req.RequestID, r.data.StopPoll, func(inv fgs.Invocation, waited time.Duration) {
		r.report(fmt.Sprintf("Request %s is %s after %s", req.RequestID, inv.Outcome(), waited.Round(100*time.Millisecond)))
	})
	if err == nil {
		return &inv, false
	}
	facts := fmt.Sprintf("\n\nFunction URN: %s\nAsync request ID: %s\nAPI request ID of the cancel (X-Request-Id): %s",
		req.URN, req.RequestID, apiRequestID)
	var still *fgs.StillRunningError
	e, isCallErr := fgs.AsError(err)
	switch {
	case !errors.As(err, &still) && errors.Is(ctx.Err(), context.DeadlineExceeded):
		r.cutShort(diags, "Timed Out Waiting for the Invocation to Stop",
			fmt.Sprintf("FunctionGraph accepted the cancel, but %s passed before request %s's status could be read. %s\n\nRaise %s to wait longer, or set wait_for_stop = false to stop waiting.",
				r.timeoutSetting, req.RequestID, r.stands(), r.timeoutSetting)+facts)
		r.report("Gave up waiting: the timeout passed before the status could be read")
		return nil, r.recordsState
	case errors.As(err, &still):
		r.cutShort(diags, "Invocation Still Running After Cancel",
			fmt.Sprintf("FunctionGraph accepted the cancel, but request %s was still %s after waiting %s (%s). %s\n\n"+
				"Raise %s to wait longer, or set wait_for_stop = false to stop waiting. "+
				"If the invocation never stops, contact Huawei Cloud support with the X-Request-Id below.",
				req.RequestID, still.Last.Status, still.Waited.Round(time.Second), countOf(still.Polls, "status query"), r.stands(), r.timeoutSetting)+facts)
		r.report(fmt.Sprintf("Gave up waiting: request %s still %s", req.RequestID, still.Last.Status))
		return nil, r.recordsState
	case ctx.Err() != nil || (isCallErr && e.Kind == fgs.KindCanceled):
		r.cutShort(diags, "Interrupted While Waiting for the Invocation to Stop",
			"FunctionGraph accepted the cancel, and Terraform was interrupted while waiting for the invocation to end. "+r.stands()+facts)
		return nil, r.recordsState
	}
	r.notConfirmed(err, req, diags, facts)
	return nil, false
}

// stands says what became of the accepted cancel when the wait was cut short.
func (r cancelRun) stands() string {
	if !r.recordsState {
		return "The accepted cancel stands; it was not sent again."
	}
	return "The accepted cancel is recorded in the state with stop_pending = true; it was not sent again. " +
		"The next apply waits again for the invocation to end, in place, without sending a new cancel."
}

// cutShort reports a wait that ended before the invocation did: a warning
// where the record keeps it pending, an error where nothing is kept.
func (r cancelRun) cutShort(diags *diag.Diagnostics, summary, detail string) {
	if r.recordsState {
		diags.AddWarning(summary, detail)
		return
	}
	diags.AddError(summary, detail)
}

// notConfirmed warns that the stop could not be confirmed: the invocation
// is not listed, or its status query failed. Waiting again would not help.
func (r cancelRun) notConfirmed(err error, req fgs.CancelRequest, diags *diag.Diagnostics, facts string) {
	stands := "The accepted cancel stands; it was not sent again."
	if r.recordsState {
		stands = "The accepted cancel is recorded in the state; it was not sent again."
	}
	var notListed *fgs.NotListedError
	if errors.As(err, &notListed) {
		diags.AddWarning("Stop Not Confirmed",
			fmt.Sprintf("FunctionGraph accepted the cancel, but request %s is not listed among the function's invocations of the last %s, "+
				"so its status could not be read to confirm it stopped%s. %s", req.RequestID, lookbackText, finalLeftEmpty(r.recordsState), stands)+facts)
		r.report("Could not confirm the stop: the invocation is not listed")
		return
	}
	summary, detail := describeCallError(err, callContext{action: "Confirm the Stop", requestID: req.RequestID})
	diags.AddWarning("Stop Not Confirmed",
		"FunctionGraph accepted the cancel, but the invocation's status could not be read to confirm it stopped"+finalLeftEmpty(r.recordsState)+". "+
			stands+"\n\n"+summary+"\n"+detail)
	r.report("Could not confirm the stop: " + summary)
}

func finalLeftEmpty(recordsState bool) string {
	if recordsState {
		return ", so final_status is left empty"
	}
	return ""
}

// waitAgain waits, without sending anything else, for the invocation whose
// accepted cancel (answered with apiRequestID) a cut-short wait left pending.
func (r cancelRun) waitAgain(ctx context.Context, apiRequestID string, diags *diag.Diagnostics) (*fgs.Invocation, bool) {
	req, ok := r.args.cancelRequest(r.data, diags)
	if !ok {
		return nil, true
	}
	client := r.data.client("the invocation's status had to be read", diags)
	if client == nil {
		return nil, true
	}
	ctx, stop := context.WithTimeout(ctx, r.timeout)
	defer stop()
	return r.wait(ctx, client, req, apiRequestID, diags)
}
