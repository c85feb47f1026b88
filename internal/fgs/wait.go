package fgs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PollPolicy paces the status queries that wait for an invocation to end.
type PollPolicy struct {
	// Interval is the first wait between queries; it grows by half each time.
	Interval time.Duration
	// MaxInterval caps the wait between queries.
	MaxInterval time.Duration
}

// DefaultPollPolicy asks quickly at first (most cancels end within seconds)
// and then every 10 s at most, so a long wait costs few requests.
var DefaultPollPolicy = PollPolicy{Interval: time.Second, MaxInterval: 10 * time.Second}

// StillRunningError says the invocation had not ended when the wait's
// deadline passed.
type StillRunningError struct {
	Last   Invocation
	Waited time.Duration
	Polls  int
}

func (e *StillRunningError) Error() string {
	return fmt.Sprintf("invocation %s was still %s after waiting %s (%d status queries)",
		e.Last.RequestID, e.Last.Status, e.Waited.Round(time.Second), e.Polls)
}

// NotListedError says the invocation being waited for is not in the list
// of the function's invocations (within MaxInvocationAge), so its status
// cannot be read: no HTTP request failed.
type NotListedError struct {
	URN       URN
	RequestID string
}

func (e *NotListedError) Error() string {
	return fmt.Sprintf("invocation %s is not listed for %s in the last %s", e.RequestID, e.URN, formatAge(MaxInvocationAge))
}

// WaitForStop polls an invocation's status until it is final (SUCCESS, FAIL
// or DISCARD) and returns it. onChange hears each status seen for the first
// time. When the context's deadline passes first, the error is a
// *StillRunningError with the last status; a failed status query is the
// query's *Error; an invocation not listed is a *NotListedError; an
// interrupt is an *Error of KindCanceled.
func (c *Client) WaitForStop(ctx context.Context, urn URN, requestID string, poll PollPolicy, onChange func(Invocation, time.Duration)) (Invocation, error) {
	backoff := poll.backoff()
	start := c.now()
	var last Invocation
	for polls := 1; ; polls++ {
		inv, found, err := c.GetInvocation(ctx, urn, requestID)
		if err != nil {
			if e, ok := AsError(err); ok && e.Kind == KindTimeout && last.Status != "" {
				return last, &StillRunningError{Last: last, Waited: c.now().Sub(start), Polls: polls - 1}
			}
			return last, err
		}
		if !found {
			return last, &NotListedError{URN: urn, RequestID: requestID}
		}
		if inv.Status != last.Status && onChange != nil {
			onChange(inv, c.now().Sub(start))
		}
		last = inv
		if IsFinalStatus(inv.Status) {
			return inv, nil
		}
		if err := c.sleep(ctx, backoff.next()); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return last, &StillRunningError{Last: last, Waited: c.now().Sub(start), Polls: polls}
			}
			return last, contextError(ctx, call{op: "wait for invocation to stop", urn: urn})
		}
	}
}

// pollBackoff is the growing wait between the status queries of one wait.
type pollBackoff struct{ wait, max time.Duration }

// backoff starts the policy's waits; a zero policy is DefaultPollPolicy.
func (p PollPolicy) backoff() *pollBackoff {
	if p.Interval <= 0 {
		p = DefaultPollPolicy
	}
	return &pollBackoff{wait: p.Interval, max: max(p.MaxInterval, p.Interval)}
}

// next is the wait before the next query: each is half as long again as
// the last, up to the policy's MaxInterval.
func (b *pollBackoff) next() time.Duration {
	d := b.wait
	b.wait = min(b.wait+b.wait/2, b.max)
	return d
}
