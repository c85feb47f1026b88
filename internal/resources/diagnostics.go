package resources

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// callContext says what a failed call was for, so its diagnostic can say
// what failed and which setting to change.
type callContext struct {
	// action is the Title Case verb phrase, e.g. "Cancel Async Invocation".
	action string
	// requestID is the async invocation's request ID, if the call had one.
	requestID string
	// cancelling marks a cancel, whose FSS.0400 means "not running".
	cancelling bool
	// timeoutSetting names the argument bounding the call, e.g. "timeouts.create".
	timeoutSetting string
	timeout        time.Duration
	// recordsState: a failed cancel leaves the state without a record (the
	// resource), which the advice then says.
	recordsState bool
	// invoked: an action, which is invoked again rather than applied again.
	invoked bool
}

// addCallError turns any error from the fgs client into one diagnostic whose
// summary says what failed and whose detail says why, what to do, and the
// facts a support ticket needs.
func addCallError(diags *diag.Diagnostics, err error, cc callContext) {
	summary, detail := describeCallError(err, cc)
	diags.AddError(summary, detail)
}

func describeCallError(err error, cc callContext) (string, string) {
	e, ok := fgs.AsError(err)
	if !ok {
		return "Failed to " + cc.action, "An unexpected error occurred: " + err.Error() +
			"\n\nThis is a bug in the provider; please report it with this message."
	}
	title, why, todo := explain(e, cc)
	var b strings.Builder
	b.WriteString(why)
	if carried := mayHaveBeenCarriedOut(e, cc); carried != "" {
		b.WriteString("\n\n")
		b.WriteString(carried)
	}
	if todo != "" {
		b.WriteString("\n\n")
		b.WriteString(todo)
	}
	if e.Note != "" {
		b.WriteString("\n\n")
		b.WriteString(e.Note)
	}
	b.WriteString("\n")
	facts := [][2]string{
		{"Function URN", e.URN},
		{"Async request ID", cc.requestID},
		{"Endpoint", e.Endpoint},
		{"HTTP status", statusText(e.StatusCode)},
		{"Error code", e.Code},
		{"Message", apiMessage(e)},
		{"API request ID (X-Request-Id)", e.RequestID},
		{"Attempts", attemptsText(e)},
		{"Quota", quotaFact(e)},
		{"Throttled answers", throttledFact(e)},
	}
	for _, f := range facts {
		if f[1] != "" {
			fmt.Fprintf(&b, "\n%s: %s", f[0], f[1])
		}
	}
	return "Failed to " + cc.action + ": " + title, b.String()
}

// explain gives a failure's title, its cause in plain words, and the next step.
func explain(e *fgs.Error, cc callContext) (title, why, todo string) {
	if e.Service == fgs.ServiceIAM {
		return explainIAM(e, cc)
	}
	if wasThrottled(e) {
		return explainThrottled(e, cc)
	}
	switch e.Kind {
	case fgs.KindAPI:
		return explainStatus(e, cc)
	case fgs.KindTimeout:
		limit := "its timeout"
		if cc.timeout > 0 {
			limit = fmt.Sprintf("its %s of %s", cc.timeoutSetting, cc.timeout)
		}
		return "Timed Out", fmt.Sprintf("The call did not complete within %s.", limit),
			fmt.Sprintf("Raise %s to wait longer, or check the network path to the endpoint.", cc.timeoutSetting)
	case fgs.KindCanceled:
		return "Interrupted", "Terraform was interrupted before FunctionGraph answered.", ""
	case fgs.KindConnection:
		return "Cannot Reach FunctionGraph", "No answer came from the endpoint: " + e.Message + ".", connectionAdvice(e)
	case fgs.KindBadResponse:
		return "Unreadable Answer",
			"FunctionGraph answered, but the answer could not be understood: " + e.Message + ".",
			"A proxy or gateway between Terraform and FunctionGraph may have answered instead of the API. Check the endpoint (endpoints.fgs, cloud) and any HTTPS proxy, then try again."
	case fgs.KindInvalidInput:
		return "Invalid Request", e.Message + ".", "Fix the argument named above; nothing was sent."
	case fgs.KindTooMany:
		return "Too Many Invocations", e.Message + ".",
			"Narrow what is listed: a shorter window (query_begin_time and query_end_time), a status, or a request_id; " +
				"the bulk cancel takes request_ids instead of listing what is running. " +
				"If a narrow window still lists without end, FunctionGraph is answering wrongly: contact Huawei Cloud support."
	}
	return "Unexpected Error", e.Message + ".", "This is a bug in the provider or the Huawei Cloud SDK; please report it with this message."
}

// mayHaveBeenCarriedOut says plainly that a cancel which reached
// FunctionGraph without an answer may have been carried out, and how the
// next run settles it; empty when no request reached the endpoint (a
// proxy's refusal, a failed handshake, a deadline passed first) or every
// answer said what was done.
func mayHaveBeenCarriedOut(e *fgs.Error, cc callContext) string {
	if !cc.cancelling || !e.AnswerLost {
		return ""
	}
	s := "The cancel reached FunctionGraph and no answer came back for it, so FunctionGraph may have carried it out."
	if cc.recordsState {
		return s + " Nothing was recorded in the state. Apply again: if the invocation has stopped, that finds it already cancelled and records it; " +
			"if it is still running, the cancel is sent again. The huaweicloud_fgs_async_invocations data source shows its status."
	}
	if cc.invoked {
		return s + " Invoke the action again: if the invocation has stopped, that finds it already cancelled; if it is still running, the cancel is sent again. " +
			"The huaweicloud_fgs_async_invocations data source shows its status."
	}
	return s + " Run it again: if the invocation has stopped, the cancel is refused and reported as already done; if it is still running, the cancel is sent again. " +
		"The huaweicloud_fgs_async_invocations data source shows its status."
}

func explainStatus(e *fgs.Error, cc callContext) (title, why, todo string) {
	switch {
	case e.IsNotCancellable() && cc.cancelling && e.AnswerLost:
		// What to do is said once, by mayHaveBeenCarriedOut.
		return "Invocation Cannot Be Cancelled",
			fmt.Sprintf("FunctionGraph refused to cancel request %q as unknown or not running, after an earlier attempt whose answer was lost.", cc.requestID), ""
	case e.IsNotCancellable() && cc.cancelling:
		return "Invocation Cannot Be Cancelled",
			fmt.Sprintf("FunctionGraph refused to cancel request %q as unknown or not running.", cc.requestID),
			"Check request_id and function_urn (including its version or alias) against the function's invocations: " +
				"the huaweicloud_fgs_async_invocations data source lists them with their status."
	case e.StatusCode/100 == 2:
		return "Error in a Success Answer",
			fmt.Sprintf("FunctionGraph answered HTTP %d, which means success, but its body is an error (below), so the answer is not taken as success.", e.StatusCode),
			"Try again later. If it persists, open a ticket with Huawei Cloud quoting the X-Request-Id below."
	case e.StatusCode == 401:
		return "Authentication Failed", "FunctionGraph did not accept the request's credentials.", authAdvice(e.Auth)
	case e.StatusCode == 403 && e.Code == "":
		// FunctionGraph's and its gateway's refusals carry an error code; a bare 403 is a proxy's own.
		return "Refused Before FunctionGraph",
			"HTTP 403 came without FunctionGraph's error body, so a proxy or gateway on the way most likely refused the request, not FunctionGraph.",
			"Check any HTTP proxy (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) and the endpoint (endpoints.fgs, cloud): the answer's start is in the message below."
	case e.StatusCode == 403:
		return "Access Denied",
			"FunctionGraph refused the request for these credentials.",
			"The credentials are valid but lack permission for this function, or belong to another account than the project in function_urn. " +
				"Grant the IAM user FunctionGraph permissions in that project (for example the FunctionGraph FullAccess policy), or use credentials of the function's account."
	case e.StatusCode == 404:
		return "Function Not Found",
			"FunctionGraph has no such function in the region and project the URN names.",
			"Check function_urn: copy it from the function's page in the console, including the version or alias. The region and project in the URN decide where the request goes."
	case e.IsServerError():
		return "FunctionGraph Server Error",
			fmt.Sprintf("FunctionGraph failed with a server error. %s", stoppedText(e)),
			"Apply again later. If it persists, open a ticket with Huawei Cloud quoting the X-Request-Id below."
	}
	if e.StatusCode == 0 {
		return "Request Failed", e.Message + ".", "Read the facts below; they name what went wrong."
	}
	return "Request Rejected",
		fmt.Sprintf("FunctionGraph rejected the request with HTTP %d.", e.StatusCode),
		"Read the error code and message below; they name what FunctionGraph objects to."
}

func connectionAdvice(e *fgs.Error) string {
	proxy, viaProxy := fgs.Proxy(e.Err)
	switch {
	case fgs.IsProxyRefusal(e.Err):
		return "The HTTP proxy " + proxy + " (from HTTPS_PROXY or HTTP_PROXY) refused to reach the endpoint, so nothing was sent to FunctionGraph. " +
			"Ask for the endpoint's host to be allowed through the proxy, or add it to NO_PROXY if it is reachable directly. It was not retried."
	case viaProxy && !fgs.IsTLSError(e.Err) && !fgs.IsNotTLS(e.Err):
		return "The request went through the HTTP proxy " + proxy + " (from HTTPS_PROXY or HTTP_PROXY). Check that the proxy is running and reachable, " +
			"or unset the variable, or add the endpoint's host to NO_PROXY. " + stoppedText(e)
	}
	switch {
	case fgs.IsPlainHTTP(e.Err):
		return "The endpoint speaks plain HTTP. If it is a local emulator, write it with http:// (endpoints.fgs, or the SDK's " +
			"HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_<REGION> or regions.yaml); FunctionGraph itself speaks only HTTPS. It was not retried."
	case fgs.IsNotTLS(e.Err):
		return "Something other than an HTTPS server listens there (another service, or the wrong port). Check endpoints.fgs " +
			"(or the SDK's HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_<REGION> or regions.yaml). It was not retried."
	case fgs.IsInvalidAddress(e.Err):
		return "Fix the endpoint's host and port (endpoints.fgs, cloud, or the region in function_urn). It was not retried."
	case fgs.IsTLSError(e.Err):
		return "The certificate did not verify. Check that the endpoint is FunctionGraph's and that any HTTPS proxy's CA is trusted. " +
			"Only for a test environment, insecure = true (HW_INSECURE) skips verification."
	case fgs.IsHostNotFound(e.Err):
		return "Check the region in function_urn, the provider's cloud (HW_CLOUD) and endpoints.fgs: together they make the endpoint's host name."
	case fgs.IsConnectionRefused(e.Err):
		return "Check endpoints.fgs (or the SDK's HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_<REGION> or regions.yaml): nothing accepts connections there. " + stoppedText(e)
	}
	return "Check the network path to the endpoint (firewall, HTTPS_PROXY). " + stoppedText(e)
}

func stoppedText(e *fgs.Error) string {
	switch {
	case e.StoppedRetrying != "":
		return "Retries stopped: " + e.StoppedRetrying + "."
	case e.Attempts > 1:
		return fmt.Sprintf("It failed on all %d attempts.", e.Attempts)
	}
	return ""
}

func statusText(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprint(code)
}

func attemptsText(e *fgs.Error) string {
	if e.Attempts == 0 {
		return ""
	}
	s := fmt.Sprint(e.Attempts)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (the server last asked to retry after %s)", e.RetryAfter)
	}
	return s
}

// apiMessage is the API's own error_msg, listed as a fact; other kinds of
// failure already say their message in the explanation.
func apiMessage(e *fgs.Error) string {
	if e.Kind != fgs.KindAPI {
		return ""
	}
	return e.Message
}
