package resources

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// A bulk's failures as one error naming each failed request, and its
// invocations that had ended on their own as one warning.

// addBulkDiagnostics adds one error naming each failed request (the first
// failuresListed of them) with the first failure explained in full, and one
// warning for the requests that had ended on their own.
func addBulkDiagnostics(diags *diag.Diagnostics, results []fgs.BulkResult, cc callContext) {
	var failed, ended []fgs.BulkResult
	cancelled := 0
	for _, r := range results {
		switch r.Outcome() {
		case fgs.OutcomeFailed:
			failed = append(failed, r)
		case fgs.OutcomeEnded:
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
		where := ""
		if !cc.invoked {
			where = " They are listed in ended_request_ids, not in cancelled_request_ids."
		}
		diags.AddWarning(wasWere(len(ended), "An Invocation Had Already Ended", "Some Invocations Had Already Ended"),
			fmt.Sprintf("%d of %s had ended on %s own before the cancel reached %s; there was nothing to cancel.%s\n\n%s%s",
				len(ended), countOf(len(results), "invocation"), wasWere(len(ended), "its", "their"), wasWere(len(ended), "it", "them"),
				where, strings.Join(lines, "\n"), moreText(len(ended))))
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
	noun := "Async Invocations"
	if len(results) == 1 {
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
	diags.AddError(fmt.Sprintf("Failed to Cancel %d of %d %s", len(failed), len(results), noun),
		fmt.Sprintf("%s\n\n%s%s\n\n%s\n\nThe first failure in full: %s\n%s",
			done, strings.Join(lines, "\n"), moreText(len(failed)), next, summary, detail))
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
