package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// Waiting for the bulk's cancelled invocations to end: after the cancels
// (both shapes), and again in a later apply of the resource whose wait was
// cut short, as cancel_wait_for_stop.go does for the single cancel.

// acceptedIDs are the request IDs whose cancel FunctionGraph accepted now.
func acceptedIDs(results []fgs.BulkResult) []string {
	var ids []string
	for _, res := range results {
		if res.Err == nil && res.Result.AcceptedNow() {
			ids = append(ids, res.Request.RequestID)
		}
	}
	return ids
}

// wait polls until the cancelled invocations ids have stopped, and returns
// those a wait cut short (a deadline, an interrupt) did not see stop. The
// cancels are recorded whatever happens here. A wait cut short says so as
// the single cancel does: a warning where the record keeps the accepted
// cancels (an error would taint it, and the replacement would send them
// again), an error where nothing is kept.
func (r bulkCancelRun) wait(ctx context.Context, client *fgs.Client, urn fgs.URN, ids []string, diags *diag.Diagnostics) (pending []string) {
	if len(ids) == 0 {
		return nil
	}
	r.report(fmt.Sprintf("Waiting for %s to stop", countOf(len(ids), "cancelled invocation")))
	still, err := client.WaitForStopMany(ctx, urn, ids, r.data.StopPoll)
	if err == nil {
		return nil
	}
	facts := fmt.Sprintf("\n\nFunction URN: %s\nStill unfinished: %d of %d\n%s", urn, len(still), len(ids), listed(still))
	stands, pendingStands := "They were not sent again.", "They were not sent again."
	cutShort := diags.AddError
	if r.recordsState {
		stands = "The accepted cancels are recorded in the state (cancelled_request_ids); they were not sent again."
		pendingStands = "The accepted cancels are recorded in the state (cancelled_request_ids), and those not seen to stop in stop_pending_request_ids; " +
			"they were not sent again. The next apply waits again for those, in place, without sending a new cancel."
		cutShort = diags.AddWarning
	}
	e, _ := fgs.AsError(err)
	switch {
	case e != nil && e.Kind == fgs.KindTimeout:
		cutShort(countedTitle(len(still), "Invocation Still Running After Cancel", "Invocations Still Running After Cancel"),
			fmt.Sprintf("FunctionGraph accepted the cancels, but some invocations had not stopped when %s passed (%s). %s\n\n"+
				"Raise %s to wait longer, or set wait_for_stop = false to return once the cancels are accepted.", r.timeoutSetting, e.Message, pendingStands, r.timeoutSetting)+facts)
		return still
	case e != nil && e.Kind == fgs.KindCanceled || ctx.Err() != nil:
		cutShort(fmt.Sprintf("Interrupted While Waiting for %s to Stop", wasWere(len(ids), "the Invocation", fmt.Sprintf("%d Invocations", len(ids)))),
			"FunctionGraph accepted the cancels, and Terraform was interrupted while waiting for the invocations to end. "+pendingStands+facts)
		return still
	default:
		summary, detail := describeCallError(err, callContext{action: "Confirm the Stop", invoked: !r.recordsState})
		diags.AddWarning("Stop Not Confirmed",
			"FunctionGraph accepted the cancels, but the invocations' status could not be read to confirm they stopped. "+
				stands+"\n\n"+summary+"\n"+detail+facts)
	}
	return nil
}

// pendingStops are the prior record's pending stops that the record still holds.
func (m asyncInvocationsCancelResourceModel) pendingStops(ctx context.Context, rec *bulkRecord, diags *diag.Diagnostics) []string {
	var ids []string
	for _, id := range listStrings(ctx, m.StopPendingRequestIDs, diags) {
		if rec.done(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// planPendingStops plans, for a record with pending stops, a wait in place
// that sends no cancel (what stays pending unknown until seen), or with
// wait_for_stop turned off, the end of waiting. Cancels to send wait anyway.
func planPendingStops(m, prior asyncInvocationsCancelResourceModel, sends bulkSends, set func(string, attr.Value), diags *diag.Diagnostics) {
	n := len(prior.StopPendingRequestIDs.Elements())
	switch {
	case !m.WaitForStop.IsUnknown() && !m.WaitForStop.ValueBool():
		if !prior.StopPendingRequestIDs.IsNull() {
			set("stop_pending_request_ids", idList(nil))
		}
	case n > 0:
		set("stop_pending_request_ids", types.ListUnknown(types.StringType))
		diags.AddWarning(fmt.Sprintf("Waiting Again for %s to Stop", wasWere(n, "the Invocation", fmt.Sprintf("%d Invocations", n))),
			fmt.Sprintf("FunctionGraph accepted the cancels, but %s not yet seen to end when the wait stopped (stop_pending_request_ids). "+
				"This apply waits again for them to end, in place, and sends no new cancel for them. Set wait_for_stop = false to stop waiting.\n\n%s",
				wasWere(n, "this invocation was", "these invocations were"), listed(idsOf(prior.StopPendingRequestIDs))))
	case !sends.none():
		set("stop_pending_request_ids", types.ListUnknown(types.StringType))
	default:
		set("stop_pending_request_ids", prior.StopPendingRequestIDs)
	}
}

// record reads the record from the state's three lists.
func (m asyncInvocationsCancelResourceModel) record(ctx context.Context, diags *diag.Diagnostics) *bulkRecord {
	return bulkRecordFrom(ctx, m.CancelledRequestIDs, m.EndedRequestIDs, m.Failed, diags)
}
