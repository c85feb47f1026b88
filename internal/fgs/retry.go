package fgs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds retries of 5xx and connection failures (a throttled
// answer waits for the pace instead; see pace.go).
type RetryPolicy struct {
	// MaxRetries is how many times a failed request is sent again.
	MaxRetries int
	// BaseDelay is the wait before the first retry; it doubles each time.
	BaseDelay time.Duration
	// MaxDelay caps one wait (a server's Retry-After may ask for more, up to maxRetryAfter).
	MaxDelay time.Duration
}

// DefaultRetryPolicy waits about 0.5, 1, 2, 4, 8 s: a flaky minute is ridden
// out, yet a failure still surfaces in seconds rather than looking like a hang.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 5, BaseDelay: 500 * time.Millisecond, MaxDelay: 20 * time.Second}

// backoff returns the wait before retry number n (1-based): exponential,
// with jitter in [d/2, d] so parallel cancels do not retry in lockstep.
// A server's Retry-After wins when it asks for longer.
func (p RetryPolicy) backoff(n int, retryAfter time.Duration) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	if d > p.MaxDelay {
		d = p.MaxDelay
	}
	if d > 0 {
		d = d/2 + rand.N(d/2+1) //nolint:gosec // jitter needs no cryptographic randomness
	}
	if retryAfter > d {
		return retryAfter
	}
	return d
}

// retryWait decides whether a failed attempt is tried again, and after how
// long; when not, a reason the call could have gone on is in e.StoppedRetrying.
// failures counts the failed attempts that were not throttled.
func (c *Client) retryWait(ctx context.Context, cl call, e *Error, failures int) (time.Duration, bool) {
	retry := e.retryable()
	if cl.onlyOnReject {
		retry = e.Kind == KindAPI && e.StatusCode == 429
	}
	if !retry {
		return 0, false
	}
	if policy := c.cfg.Retry; failures > policy.MaxRetries {
		e.StoppedRetrying = fmt.Sprintf("gave up after %s (max_retries = %d)", attemptCount(e.Attempts), policy.MaxRetries)
		return 0, false
	}
	wait := c.cfg.Retry.backoff(failures, e.RetryAfter)
	if e.RetryAfter > maxRetryAfter {
		e.StoppedRetrying = fmt.Sprintf("the server asked to retry after %s, longer than the %s this provider waits", e.RetryAfter, maxRetryAfter)
		return 0, false
	}
	if deadline, ok := ctx.Deadline(); ok && deadline.Sub(c.now()) < wait {
		e.StoppedRetrying = fmt.Sprintf("the next retry, in %s, %s", wait.Round(time.Millisecond), deadlineStop)
		return 0, false
	}
	return wait, true
}

// waitToRetry says a retry is coming, then waits for it. If the context
// ends first, the error it returns keeps the failed attempt's facts.
func (c *Client) waitToRetry(ctx context.Context, cl call, e *Error, wait time.Duration) *Error {
	c.cfg.Logger.Warn(ctx, "Retrying "+string(cl.service)+" request", map[string]any{
		"operation": cl.op, "attempt": e.Attempts, "wait_ms": wait.Milliseconds(), "reason": e.Error(),
	})
	if cl.onRetry != nil {
		cl.onRetry(RetryEvent{Op: cl.op, Attempt: e.Attempts, Wait: wait, Err: e})
	}
	if c.sleep(ctx, wait) == nil {
		return nil
	}
	ce := contextError(ctx, cl)
	ce.Attempts, ce.Endpoint, ce.Service, ce.Auth = e.Attempts, e.Endpoint, e.Service, e.Auth
	ce.StatusCode, ce.Code, ce.Message, ce.RequestID = e.StatusCode, e.Code, e.Message, e.RequestID
	return ce
}
