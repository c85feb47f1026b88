package fgs

import (
	"context"
	"errors"
	"net/url"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

// classify turns whatever the SDK returned into an *Error.
func classify(ctx context.Context, cl call, x *exchange, err error) *Error {
	status, requestID, retryAfter, bodyErr := x.snapshot()
	e := &Error{Op: cl.op, URN: cl.urn.String(), StatusCode: status, RequestID: requestID, RetryAfter: retryAfter, Err: err}

	var p *sdkPanic
	if errors.As(err, &p) {
		e.Kind, e.Message = KindInternal, p.Error()
		return e
	}
	if ctx.Err() != nil {
		ce := contextError(ctx, cl)
		ce.StatusCode, ce.RequestID, ce.Err = status, requestID, err
		return ce
	}
	if bodyErr != nil {
		return unreadAnswer(e, bodyErr)
	}
	var sre *sdkerr.ServiceResponseError
	var inBody *errorBodyError
	var unexpected *unexpectedStatusError
	switch {
	case errors.As(err, &inBody):
		e.Kind, e.Code, e.Message = KindAPI, x.text(inBody.code, 64), x.text(inBody.message, 500)
	case errors.As(err, &unexpected):
		e.Kind, e.Message = KindBadResponse, unexpected.Error()+answerSummary(x)
	case errors.As(err, &sre):
		serviceResponse(e, x, sre)
	case IsMalformedHeader(err):
		e.Kind, e.Message = KindInvalidInput, rootCause(err).Error()
	default:
		unanswered(e, x, err)
	}
	return e
}

// unreadAnswer is an answer whose body could not be read in full.
func unreadAnswer(e *Error, bodyErr error) *Error {
	e.Kind = KindBadResponse
	if errors.Is(bodyErr, errResponseTooLarge) {
		e.Message = "the answer was too large to read: " + bodyErr.Error()
		e.Err = errResponseTooLarge
	} else {
		e.Message = "the answer was cut off: " + bodyErr.Error()
		e.cutOff = true
	}
	return e
}

// serviceResponse is an error answer the SDK parsed, or failed to parse
// when it was not the JSON FunctionGraph sends.
func serviceResponse(e *Error, x *exchange, sre *sdkerr.ServiceResponseError) {
	if sre.StatusCode != 0 {
		e.StatusCode = sre.StatusCode
	}
	if sre.RequestId != "" {
		e.RequestID = x.text(sre.RequestId, 128)
	}
	e.Code, e.Message = x.text(sre.ErrorCode, 64), x.text(sre.ErrorMessage, 500)
	if e.StatusCode < 400 {
		e.Kind = KindBadResponse
		e.Message = "the answer is not the JSON FunctionGraph sends" + answerSummary(x)
	} else {
		e.Kind = KindAPI
	}
}

// unanswered is a request that got no answer (a connection failure), or
// an error of the SDK's own.
func unanswered(e *Error, x *exchange, err error) {
	var ue *url.Error
	if errors.As(err, &ue) || x.sentWithoutAnswer() {
		e.Kind = KindConnection
		e.Message = connectionMessage(err)
		if errors.Is(err, context.DeadlineExceeded) {
			e.Message = "no answer within the per-request timeout"
		}
		return
	}
	e.Kind = KindInternal
	e.Message = err.Error()
}

// credentialsError is a call that could not get credentials: IAM refused or
// failed to issue the agency's, or the caller stopped waiting for them.
func credentialsError(ctx context.Context, cl call, err error) *Error {
	if ctx.Err() != nil {
		ce := contextError(ctx, cl)
		ce.Service, ce.Auth = ServiceIAM, AuthAssumedAgency
		ce.Message = "the call was stopped while waiting for IAM's temporary credentials"
		if ce.Kind == KindTimeout {
			ce.Message = "the deadline passed while waiting for IAM's temporary credentials"
		}
		return ce
	}
	e := &Error{Kind: KindInternal, Message: err.Error(), Err: err}
	if ie, ok := AsError(err); ok {
		copied := *ie
		e = &copied
	}
	e.Op, e.URN, e.Service, e.Auth = cl.op, cl.urn.String(), ServiceIAM, AuthAssumedAgency
	e.AnswerLost = cl.answerLost()
	return e
}

// contextError explains why the caller's context ended.
func contextError(ctx context.Context, cl call) *Error {
	e := &Error{Op: cl.op, URN: cl.urn.String(), Err: context.Cause(ctx), AnswerLost: cl.answerLost()}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Kind, e.Message = KindTimeout, "the deadline passed before the call completed"
	} else {
		e.Kind, e.Message = KindCanceled, "the call was interrupted before it completed"
	}
	return e
}
