package fgs

import (
	"context"
	"fmt"

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

// CancelResult is an accepted cancel.
type CancelResult struct {
	// APIRequestID is the X-Request-Id of the answer that accepted the cancel.
	APIRequestID string
	// Attempts is how many HTTP requests were sent.
	Attempts int
	// AlreadyStopped is set when FunctionGraph refused the cancel because the
	// invocation was no longer running, and its status showed it had been
	// cancelled: by an earlier attempt whose answer was lost (AnswerLost),
	// or by another cancel (on a 1:N instance, cancelling one request stops
	// its neighbours). The goal is reached either way.
	AlreadyStopped *Invocation
	// AnswerLost says an earlier attempt got no answer and may be the one
	// that stopped the invocation.
	AnswerLost bool
}

const opCancel = "cancel async invocation"

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
	res, err := c.do(ctx, call{
		op:      opCancel,
		urn:     req.URN,
		onRetry: req.OnRetry,
		send: func(hc *core.HcHttpClient, headers map[string]string) (any, error) {
			return hc.SyncInvokeWithExtraHeaders(sdkReq, fgsv2.GenReqDefForCancelAsyncInvocation(), newSDKExchange(), headers)
		},
	})
	if err == nil {
		return CancelResult{APIRequestID: res.requestID, Attempts: res.attempts}, nil
	}
	e, _ := AsError(err)
	if e == nil || !e.IsNotCancellable() {
		return CancelResult{}, err
	}
	// "Not running" may mean the goal is already reached: the invocation's
	// status tells a cancelled invocation from a finished or unknown one.
	answerLost := e.Attempts > 1
	inv, found, lookupErr := c.GetInvocation(ctx, req.URN, req.RequestID)
	switch {
	case lookupErr != nil:
		e.Note = "The invocation's status could not be checked: " + lookupErr.Error()
	case !found:
		e.Note = "The invocation is not listed for this function: check the request ID and the function URN (including its version or alias)."
	case inv.IsCancelled() || (answerLost && (inv.Status == "FAIL" || inv.Status == "DISCARD")):
		return CancelResult{Attempts: e.Attempts, APIRequestID: e.RequestID, AlreadyStopped: &inv, AnswerLost: answerLost}, nil
	case IsFinalStatus(inv.Status):
		e.Note = fmt.Sprintf("The invocation had already ended with status %s before it could be cancelled.", inv.Outcome())
	default:
		e.Note = fmt.Sprintf("The invocation's status is %s.", inv.Status)
	}
	return CancelResult{}, e
}

// CancelledErrorCode is the error code FunctionGraph gives an invocation
// stopped by a cancel ("function invocation canceled").
const CancelledErrorCode = "4208"

// IsCancelled reports whether the invocation ended because it was cancelled.
func (inv Invocation) IsCancelled() bool {
	return (inv.Status == "FAIL" || inv.Status == "DISCARD") && inv.ErrorCode == CancelledErrorCode
}

// ErrorText is the invocation's error as "code: message", or what there is of it.
func (inv Invocation) ErrorText() string {
	switch {
	case inv.ErrorCode != "" && inv.ErrorMessage != "":
		return inv.ErrorCode + ": " + inv.ErrorMessage
	case inv.ErrorMessage != "":
		return inv.ErrorMessage
	}
	return inv.ErrorCode
}

// Outcome is the status with the error, if any: "FAIL (4208: function invocation canceled)".
func (inv Invocation) Outcome() string {
	if e := inv.ErrorText(); e != "" {
		return inv.Status + " (" + e + ")"
	}
	return inv.Status
}

// IsNotCancellable reports the API's answer for a request that is unknown
// or no longer running (FSS.0400 "Invalid RequestId").
func (e *Error) IsNotCancellable() bool {
	return e.Kind == KindAPI && e.StatusCode == 400 && e.Code == "FSS.0400"
}
