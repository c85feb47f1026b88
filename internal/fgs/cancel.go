package fgs

import (
	"context"
	"fmt"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	fgsv2 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2/model"
)

// CancelRequest asks FunctionGraph to stop one asynchronous invocation.
type CancelRequest struct {
	URN       URN
	RequestID string
	// Type is optional; empty lets the API choose.
	Type CancelType
	// OnRetry, if set, hears about each retry before its wait.
	OnRetry func(RetryEvent)
}

// CancelResult is a cancel that reached its goal: the invocation is not
// running. Either FunctionGraph accepted it now (AcceptedAt is set), or it
// refused because the invocation had already ended (AlreadyStopped is set):
// cancelled earlier, or ended on its own.
type CancelResult struct {
	// APIRequestID is the X-Request-Id of the answer that accepted the
	// cancel; with AlreadyStopped, that of the answer that refused it.
	APIRequestID string
	// AcceptedAt is when the answer accepting the cancel came, by the
	// client's clock; zero when it was not accepted now.
	AcceptedAt time.Time
	// Attempts is how many HTTP requests were sent.
	Attempts int
	// AlreadyStopped is set when FunctionGraph refused the cancel because the
	// invocation was no longer running: its final state as then listed.
	AlreadyStopped *Invocation
	// AnswerLost says an earlier attempt of this call was sent but its
	// answer was lost (no answer, a cut-off one or a server error), so that
	// attempt may be the one that stopped the invocation.
	AnswerLost bool
}

// AcceptedNow reports whether FunctionGraph accepted this very cancel.
func (r CancelResult) AcceptedNow() bool { return !r.AcceptedAt.IsZero() }

// Cancelled reports whether the invocation was stopped by a cancel: accepted
// now, or found ended by one (error code 4208, or any FAIL or DISCARD after
// an attempt whose answer was lost).
func (r CancelResult) Cancelled() bool {
	if r.AcceptedNow() {
		return true
	}
	inv := r.AlreadyStopped
	if inv == nil {
		return false
	}
	return inv.IsCancelled() || (r.AnswerLost && (inv.Status == "FAIL" || inv.Status == "DISCARD"))
}

// EndedOnItsOwn reports an invocation found ended without a cancel: it
// succeeded, or failed or was discarded for another reason, before the cancel.
func (r CancelResult) EndedOnItsOwn() bool { return r.AlreadyStopped != nil && !r.Cancelled() }

const opCancel = "cancel async invocation"

// cancelAnswer is the cancel's answer: null, or an error even with 200.
type cancelAnswer struct {
	errorFields
	HttpStatusCode int `json:"-"` // the SDK sets a field of this name
}

// Validate checks a cancel request before anything is sent.
func (r CancelRequest) Validate() error {
	if err := r.URN.Validate(); err != nil {
		return err
	}
	if err := ValidateRequestID(r.RequestID); err != nil {
		return err
	}
	switch r.Type {
	case "", CancelForce, CancelRecursive:
		return nil
	}
	return fmt.Errorf("type %q is not one of %q", r.Type, CancelTypes)
}

// Cancel stops an asynchronous invocation: POST .../{function_urn}/cancel.
func (c *Client) Cancel(ctx context.Context, req CancelRequest) (CancelResult, error) {
	if err := req.Validate(); err != nil {
		return CancelResult{}, &Error{Op: opCancel, URN: req.URN.String(), Kind: KindInvalidInput, Message: err.Error(), Err: err}
	}
	body := &model.CancelAsyncInvocationRequestBody{RequestId: req.RequestID}
	switch req.Type {
	case CancelForce:
		t := model.GetCancelAsyncInvocationRequestBodyTypeEnum().FORCE
		body.Type = &t
	case CancelRecursive:
		t := model.GetCancelAsyncInvocationRequestBodyTypeEnum().RECURSIVE
		body.Type = &t
	}
	sdkReq := &model.CancelAsyncInvocationRequest{FunctionUrn: req.URN.String(), Body: body}
	// A retried attempt may have been carried out if it reached the
	// endpoint and no answer said what became of it.
	answerLost := false
	onRetry := func(ev RetryEvent) {
		if ev.Err != nil && ev.Err.AnswerLost {
			answerLost = true
		}
		if req.OnRetry != nil {
			req.OnRetry(ev)
		}
	}
	res, err := c.do(ctx, call{
		op:      opCancel,
		urn:     req.URN,
		onRetry: onRetry,
		send: func(hc *core.HcHttpClient, headers map[string]string) (any, error) {
			def := fgsv2.GenReqDefForCancelAsyncInvocation()
			def.Response = new(cancelAnswer)
			return hc.SyncInvokeWithExtraHeaders(sdkReq, def, newSDKExchange(), headers)
		},
	})
	if err == nil {
		return CancelResult{APIRequestID: res.requestID, AcceptedAt: c.now(), Attempts: res.attempts, AnswerLost: answerLost}, nil
	}
	e, _ := AsError(err)
	if e == nil || !e.IsNotCancellable() {
		return CancelResult{}, err
	}
	// "Not running" means the goal is reached if the invocation has ended;
	// its status tells an ended invocation from a running or unknown one.
	inv, found, lookupErr := c.GetInvocation(ctx, req.URN, req.RequestID)
	switch {
	case lookupErr != nil:
		e.Note = "The invocation's status could not be checked: " + lookupErr.Error()
	case !found:
		e.Note = fmt.Sprintf("The invocation is not listed for this function in the last %s.", formatAge(MaxInvocationAge))
	case IsFinalStatus(inv.Status):
		return CancelResult{Attempts: e.Attempts, APIRequestID: e.RequestID, AlreadyStopped: &inv, AnswerLost: answerLost}, nil
	default:
		e.Note = fmt.Sprintf("The invocation's status is %s.", inv.Status)
	}
	return CancelResult{}, e
}

// formatAge writes a whole number of hours as "72 hours".
func formatAge(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

// CancelType is the optional "type" of a cancel request.
type CancelType string

const (
	// CancelForce terminates the function's runtime directly.
	CancelForce CancelType = "force"
	// CancelRecursive also stops the child functions being invoked.
	CancelRecursive CancelType = "recursive"
)

// CancelTypes lists the values the API accepts, for validators and docs.
var CancelTypes = []string{string(CancelForce), string(CancelRecursive)}
