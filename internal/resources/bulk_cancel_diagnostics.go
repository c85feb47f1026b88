package resources

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// A bulk's failures as one error naming each failed request, and its
// invocations found already stopped as one warning each kind. Their titles
// are the single cancel's, counted when there are several: "Invocation
// Already Cancelled", "3 Invocations Already Cancelled".

// addBulkDiagnostics adds a warning for the requests found already
// cancelled, one for those that had ended on their own, and one error
// naming each failed request (the first failuresListed of them) with the
// first failure explained in full.
func addBulkDiagnostics(diags *diag.Diagnostics, results []fgs.BulkResult, cc callContext) {
	var failed, ended, already []fgs.BulkResult
	cancelled := 0
	for _, r := range results {
		switch r.Outcome() {
		case fgs.OutcomeFailed:
			failed = append(failed, r)
		case fgs.OutcomeEnded:
			ended = append(ended, r)
		default:
			cancelled++
			// One whose lost answer was the bulk's own earlier attempt is cancelled by this run.
			if r.Err == nil && r.Result.AlreadyStopped != nil && !r.Result.AnswerLost {
				already = append(already, r)
			}
		}
	}
	addStoppedWarnings(diags, already, ended, len(results), cc)
	if len(failed) == 0 {
		return
	}
	addFailedError(diags, failed, cancelled, len(results), cc)
}

// addStoppedWarnings warns of the requests found already cancelled, and of
// those that had ended on their own: the single cancel's titles, counted.
func addStoppedWarnings(diags *diag.Diagnostics, already, ended []fgs.BulkResult, total int, cc callContext) {
	where := func(list string) string {
		if cc.invoked {
			return ""
		}
		return " They are listed in " + list + "."
	}
	if len(already) > 0 {
		diags.AddWarning(countedTitle(len(already), "Invocation Already Cancelled", "Invocations Already Cancelled"),
			fmt.Sprintf("FunctionGraph refused %d of %s because %s no longer running, and %s status shows %s already been cancelled: "+
				"most often by an earlier apply or invocation that was interrupted or timed out after sending the cancel, or by another tool. "+
				"Nothing needs to be done.%s\n\n%s%s",
				len(already), countOf(total, "cancel"), wasWere(len(already), "the invocation was", "the invocations were"),
				wasWere(len(already), "its", "their"), wasWere(len(already), "it had", "they had"),
				where("cancelled_request_ids"), stoppedLines(already), moreText(len(already))))
	}
	if len(ended) > 0 {
		diags.AddWarning(countedTitle(len(ended), "Invocation Had Already Ended", "Invocations Had Already Ended"),
			fmt.Sprintf("%d of %s had ended on %s own before the cancel reached %s; there was nothing to cancel.%s\n\n%s%s",
				len(ended), countOf(total, "invocation"), wasWere(len(ended), "its", "their"), wasWere(len(ended), "it", "them"),
				where("ended_request_ids, not in cancelled_request_ids"), stoppedLines(ended), moreText(len(ended))))
	}
}

// addFailedError is one error naming each failed request (the first
// failuresListed), with the first failure explained in full.
func addFailedError(diags *diag.Diagnostics, failed []fgs.BulkResult, cancelled, total int, cc callContext) {
	lines := make([]string, 0, min(len(failed), failuresListed))
	for _, r := range failed[:min(len(failed), failuresListed)] {
		lines = append(lines, fmt.Sprintf("- %s: %s", r.Request.RequestID, failureReason(r)))
	}
	cc.requestID = failed[0].Request.RequestID
	summary, detail := describeCallError(failed[0].Err, cc)
	noun := "Async Invocations"
	if total == 1 {
		noun = "Async Invocation"
	}
	done := fmt.Sprintf("%s %s cancelled and recorded in the state (cancelled_request_ids); %s not:",
		countOf(cancelled, "invocation"), wasWere(cancelled, "was", "were"), wasWere(len(failed), "this one was", fmt.Sprintf("these %d were", len(failed))))
	next := "The next apply retries only these, in place; those cancelled or ended are not sent again."
	if cc.invoked {
		done = fmt.Sprintf("%s %s cancelled; %s not:", countOf(cancelled, "invocation"), wasWere(cancelled, "was", "were"),
			wasWere(len(failed), "this one was", fmt.Sprintf("these %d were", len(failed))))
		next = "To retry only these, invoke the action again with request_ids set to them."
	}
	diags.AddError(fmt.Sprintf("Failed to Cancel %d of %d %s%s", len(failed), total, noun, sharedReason(failed, cc)),
		fmt.Sprintf("%s\n\n%s%s\n\n%s\n\nThe first failure in full: %s\n%s",
			done, strings.Join(lines, "\n"), moreText(len(failed)), next, summary, detail))
}

// sharedReason is ": Access Denied" when every failure has that reason, as
// the single cancel's title gives it, and "" when the reasons differ.
func sharedReason(failed []fgs.BulkResult, cc callContext) string {
	reason := ""
	for i, r := range failed {
		e, ok := fgs.AsError(r.Err)
		if !ok {
			return ""
		}
		cc.requestID = r.Request.RequestID
		title, _, _ := explain(e, cc)
		if i > 0 && title != reason {
			return ""
		}
		reason = title
	}
	return ": " + reason
}

// countedTitle is the single cancel's title for one, and counted for several:
// "Invocation Already Cancelled", "3 Invocations Already Cancelled".
func countedTitle(n int, one, several string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%d %s", n, several)
}

// stoppedLines lists the first failuresListed requests found stopped, with how they ended.
func stoppedLines(results []fgs.BulkResult) string {
	lines := make([]string, 0, min(len(results), failuresListed))
	for _, r := range results[:min(len(results), failuresListed)] {
		lines = append(lines, fmt.Sprintf("- %s: %s", r.Request.RequestID, r.Result.AlreadyStopped.Outcome()))
	}
	return strings.Join(lines, "\n")
}

// wasWere picks the singular or the plural phrase for n.
func wasWere(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
