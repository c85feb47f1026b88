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
	// LostAnswer is set when an earlier attempt's answer never arrived, a
	// retry was refused because the invocation was no longer running, and
	// its status showed it had been stopped: the cancel worked, unseen.
	LostAnswer *Invocation
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
	if e == nil || e.Attempts < 2 || !e.IsNotCancellable() {
		return CancelResult{}, err
	}
	// An earlier attempt may have been carried out with its answer lost:
	// the invocation's status tells a lost success from a real refusal.
	inv, found, lookupErr := c.GetInvocation(ctx, req.URN, req.RequestID)
	switch {
	case lookupErr != nil:
		e.Note = "An earlier attempt got no answer and may have worked, but the invocation's status could not be checked: " + lookupErr.Error()
	case !found:
		e.Note = "An earlier attempt got no answer; the invocation is not listed for this function."
	case inv.Status == "FAIL" || inv.Status == "DISCARD":
		return CancelResult{Attempts: e.Attempts, APIRequestID: e.RequestID, LostAnswer: &inv}, nil
	default:
		e.Note = fmt.Sprintf("An earlier attempt got no answer; the invocation's status is now %s, so it was not stopped by this cancel.", inv.Status)
	}
	return CancelResult{}, e
}

// IsNotCancellable reports the API's answer for a request that is unknown
// or no longer running (FSS.0400 "Invalid RequestId").
func (e *Error) IsNotCancellable() bool {
	return e.Kind == KindAPI && e.StatusCode == 400 && e.Code == "FSS.0400"
}
