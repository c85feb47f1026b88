package fgs

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	sdkexchange "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/exchange"
)

// call is one logical API call: the operation's name and function, and the
// SDK invocation to repeat. send gets the headers that carry the context.
type call struct {
	op string
	// service is ServiceFunctionGraph (the zero value counts as it) or ServiceIAM.
	service Service
	urn     URN
	send    func(hc *core.HcHttpClient, headers map[string]string) (any, error)
	onRetry func(RetryEvent)
	// onlyOnReject limits retries to answers proving the request was not
	// carried out (429), for calls that must not run twice.
	onlyOnReject bool
	// sent is what the call's attempts so far did, shared by them.
	sent *callRecord
}

// callRecord is what a call's attempts did, for its errors to tell.
type callRecord struct {
	// lost: an attempt reached the endpoint and its answer was lost.
	lost bool
}

// answerLost reports whether any attempt of the call may have been carried out.
func (cl call) answerLost() bool { return cl.sent != nil && cl.sent.lost }

// RetryEvent describes a retry about to happen, for progress reports.
type RetryEvent struct {
	Op      string
	Attempt int // the attempt that failed
	Wait    time.Duration
	Err     *Error
}

// result is a successful call's answer and its bookkeeping.
type result struct {
	value     any
	requestID string
	attempts  int
	// mask hides the call's secrets in the answer's strings, which every
	// caller passes through it before keeping or showing them.
	mask *masker
}

// do runs a call with the caller's context, retries and panic recovery.
// This is the one place the SDK is driven from: the loop only decides
// whether to try again.
func (c *Client) do(ctx context.Context, cl call) (result, error) {
	if cl.service == "" {
		cl.service = ServiceFunctionGraph
	}
	cl.sent = &callRecord{}
	rt, e := c.route(cl)
	if e != nil {
		return result{}, e
	}
	p := c.paceFor(cl, rt)
	renewed := false
	failures, throttled := 0, 0
	var lastThrottle *Error
	var firstThrottle time.Time
	for attempt := 1; ; attempt++ {
		id, hc, e := c.credentialsAndClient(ctx, cl, rt)
		if e != nil {
			return result{attempts: attempt - 1}, e
		}
		tk, err := c.waitTurn(ctx, p)
		if err != nil {
			return result{attempts: attempt - 1}, c.throttledStop(ctx, cl, p, lastThrottle, err, attempt-1, throttled)
		}
		res, e := c.sendOnce(ctx, hc, cl, rt, id, attempt)
		c.settleTurn(p, tk, e)
		if e == nil {
			return res, nil
		}
		if !renewed && c.renewRefusedCredentials(ctx, cl, rt, id, e) {
			renewed = true
			continue
		}
		if e.throttled() && e.RetryAfter <= maxRetryAfter && p != nil {
			// Throttled is waiting, not failing: the pace decides when it goes again.
			if throttled == 0 {
				firstThrottle = c.now()
			}
			throttled, lastThrottle = throttled+1, e
			if c.waitedTooLong(ctx, e, firstThrottle) {
				c.notePace(e, p, throttled, false)
				return result{attempts: attempt}, e
			}
			c.noteThrottle(ctx, cl, p, e)
			continue
		}
		failures++
		wait, again := c.retryWait(ctx, cl, e, failures)
		if !again {
			c.notePace(e, p, throttled, false)
			return result{attempts: attempt}, e
		}
		if stopped := c.waitToRetry(ctx, cl, e, wait); stopped != nil {
			return result{attempts: attempt}, stopped
		}
	}
}

// credentialsAndClient gets the identity this attempt authenticates with,
// asked per attempt since a retry after a long wait may need renewed
// credentials, and the SDK client that signs with it.
func (c *Client) credentialsAndClient(ctx context.Context, cl call, rt route) (identity, *core.HcHttpClient, *Error) {
	id, err := rt.creds.identity(ctx)
	if err != nil {
		return identity{}, nil, credentialsError(ctx, cl, err)
	}
	hc, err := c.sdkClient(cl.service, rt.endpoint, rt.projectID, id)
	if err != nil {
		return identity{}, nil, &Error{Op: cl.op, URN: cl.urn.String(), Service: cl.service, Auth: rt.creds.method(),
			Endpoint: rt.endpoint, Kind: KindInvalidInput, Message: err.Error(), Err: err}
	}
	return id, hc, nil
}

// sendOnce makes one attempt and returns its result, or the classified
// error with the attempt's facts.
func (c *Client) sendOnce(ctx context.Context, hc *core.HcHttpClient, cl call, rt route, id identity, attempt int) (result, *Error) {
	if ctx.Err() != nil {
		// The deadline passed or Ctrl-C came before this attempt: nothing is sent.
		e := contextError(ctx, cl)
		e.Attempts, e.Endpoint, e.Service, e.Auth = attempt-1, rt.endpoint, cl.service, rt.creds.method()
		return result{}, e
	}
	value, x, err := c.attempt(ctx, hc, cl, id.masker())
	if err == nil {
		status, requestID, _, _ := x.snapshot()
		err = &unexpectedStatusError{status: status}
		if status/100 == 2 {
			err = errorInAnswer(value)
		}
		if err == nil {
			return result{value: value, requestID: requestID, attempts: attempt, mask: x.masker()}, nil
		}
	}
	e := classify(ctx, cl, x, err)
	e.Attempts, e.Endpoint, e.Service, e.Auth = attempt, rt.endpoint, cl.service, rt.creds.method()
	e.reached = x.wasReached()
	if cl.sent != nil && e.lostAnswer() {
		cl.sent.lost = true
	}
	e.AnswerLost = cl.answerLost()
	return result{}, e
}

// renewRefusedCredentials reports whether a 401 came to temporary
// credentials a fresh set may replace (a server clock ahead of ours). A 401
// proves nothing was done, so sending again at once is safe.
func (c *Client) renewRefusedCredentials(ctx context.Context, cl call, rt route, id identity, e *Error) bool {
	if e.Kind != KindAPI || e.StatusCode != 401 || !rt.creds.refused(id) {
		return false
	}
	c.cfg.Logger.Warn(ctx, "Temporary credentials refused; renewing them and sending again", map[string]any{
		"operation": cl.op, "attempt": e.Attempts, "reason": e.Error(),
	})
	return true
}

// attempt sends once, under a per-attempt deadline, with panics recovered;
// mask hides the attempt's secrets in whatever the answer brings back.
func (c *Client) attempt(ctx context.Context, hc *core.HcHttpClient, cl call, mask *masker) (value any, x *exchange, err error) {
	attemptCtx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	x = &exchange{ctx: attemptCtx, service: cl.service, mask: mask, now: c.now}
	id, release := c.transport.register(x)
	defer release()
	defer func() {
		if r := recover(); r != nil {
			err = &sdkPanic{value: r, stack: debug.Stack()}
		}
	}()
	value, err = cl.send(hc, map[string]string{callHeader: id})
	return value, x, err
}

// sdkPanic is a panic inside the SDK, turned into an error.
type sdkPanic struct {
	value any
	stack []byte
}

func (p *sdkPanic) Error() string { return fmt.Sprintf("the Huawei Cloud SDK panicked: %v", p.value) }

// newSDKExchange is the SDK's per-request bookkeeping, which we do not read.
func newSDKExchange() *sdkexchange.SdkExchange {
	return &sdkexchange.SdkExchange{ApiReference: &sdkexchange.ApiReference{}, Attributes: map[string]any{}}
}
