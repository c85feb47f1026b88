package resources

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// A bulk says what the single cancel says, under the single's titles:
// counted when there are several, and the failures' reason in the error's
// title when they all share it.
func TestBulkDiagnosticsUseTheSingleTitles(t *testing.T) {
	t.Parallel()
	accepted := fgs.BulkResult{Sent: true, Result: fgs.CancelResult{AcceptedAt: time.Unix(1, 0)}}
	cancelledBefore := fgs.BulkResult{Sent: true, Result: fgs.CancelResult{AlreadyStopped: &fgs.Invocation{Status: "FAIL", ErrorCode: "4208"}}}
	lostAnswer := cancelledBefore
	lostAnswer.Result.AnswerLost = true
	ended := fgs.BulkResult{Sent: true, Result: fgs.CancelResult{AlreadyStopped: &fgs.Invocation{Status: "SUCCESS"}}}
	denied := fgs.BulkResult{Sent: true, Err: &fgs.Error{Kind: fgs.KindAPI, StatusCode: 403, Code: "FSS.0403", Message: "invalid token"}}
	serverError := fgs.BulkResult{Sent: true, Err: &fgs.Error{Kind: fgs.KindAPI, StatusCode: 500, Code: "FSS.0500", Message: "boom", Attempts: 3}}
	tests := []struct {
		name    string
		results []fgs.BulkResult
		want    []string // "Severity: Title"
	}{
		{"one already cancelled", []fgs.BulkResult{accepted, cancelledBefore}, []string{"Warning: Invocation Already Cancelled"}},
		{"several already cancelled", []fgs.BulkResult{cancelledBefore, accepted, cancelledBefore, cancelledBefore},
			[]string{"Warning: 3 Invocations Already Cancelled"}},
		// The bulk's own earlier attempt stopped it: cancelled by this run.
		{"cancelled by a lost answer", []fgs.BulkResult{lostAnswer}, nil},
		{"one ended", []fgs.BulkResult{ended, accepted}, []string{"Warning: Invocation Had Already Ended"}},
		{"several ended", []fgs.BulkResult{ended, ended}, []string{"Warning: 2 Invocations Had Already Ended"}},
		{"one reason", []fgs.BulkResult{denied, accepted, denied}, []string{"Error: Failed to Cancel 2 of 3 Async Invocations: Access Denied"}},
		{"one of one", []fgs.BulkResult{denied}, []string{"Error: Failed to Cancel 1 of 1 Async Invocation: Access Denied"}},
		{"reasons differ", []fgs.BulkResult{denied, serverError}, []string{"Error: Failed to Cancel 2 of 2 Async Invocations"}},
		{"everything at once", []fgs.BulkResult{cancelledBefore, ended, denied, cancelledBefore},
			[]string{"Warning: 2 Invocations Already Cancelled", "Warning: Invocation Had Already Ended", "Error: Failed to Cancel 1 of 4 Async Invocations: Access Denied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := range tt.results {
				tt.results[i].Request.RequestID = string(rune('a' + i))
			}
			var diags diag.Diagnostics
			addBulkDiagnostics(&diags, tt.results, callContext{action: "Cancel Async Invocation", cancelling: true})
			var got []string
			for _, d := range diags {
				got = append(got, d.Severity().String()+": "+d.Summary())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}
