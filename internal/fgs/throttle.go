package fgs

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"
)

// How a call waits its turn at the pace, and what a throttled answer does:
// the call waits and sends again, without using up max_retries.

// ThrottleObserver hears each throttled answer of the calls of a context,
// with the pace it left; calls may come from many goroutines at once.
type ThrottleObserver func(PaceStatus)

type throttleObserverKey struct{}

// WithThrottleObserver returns a context whose calls report throttled answers to fn.
func WithThrottleObserver(ctx context.Context, fn ThrottleObserver) context.Context {
	return context.WithValue(ctx, throttleObserverKey{}, fn)
}

func observeThrottle(ctx context.Context, s PaceStatus) {
	if fn, _ := ctx.Value(throttleObserverKey{}).(ThrottleObserver); fn != nil {
		fn(s)
	}
}

// errPastDeadline is a turn that would come after the context's deadline.
type errPastDeadline struct{ wait time.Duration }

func (e errPastDeadline) Error() string {
	return fmt.Sprintf("the next turn, in %s, would pass the deadline", e.wait.Round(time.Second))
}

// paceFor is the shared pace of a call's API at its endpoint, nil for
// calls that are not paced (IAM).
func (c *Client) paceFor(cl call, rt route) *pace {
	api, ok := paceAPIs[cl.op]
	if !ok || cl.service == ServiceIAM {
		return nil
	}
	return sharedPace(paceKey{endpoint: rt.endpoint, identity: c.paceIdentity, api: api})
}

// waitTurn waits for the client's own cap and then for the shared pace.
// It returns early when the turn would come after the context's deadline.
func (c *Client) waitTurn(ctx context.Context, p *pace) (ticket, error) {
	if c.requestCap != nil {
		if err := c.requestCap.wait(ctx, c.now, c.sleep); err != nil {
			return ticket{}, err
		}
	}
	if p == nil {
		return ticket{}, nil
	}
	for {
		now := c.now()
		p.mu.Lock()
		tk, wait, ok := p.reserve(now)
		wake := p.wake
		p.mu.Unlock()
		if ok {
			return tk, nil
		}
		if deadline, has := ctx.Deadline(); has && wait != probeOutWait && now.Add(wait).After(deadline) {
			return ticket{}, errPastDeadline{wait: wait}
		}
		if err := sleepUnlessWoken(ctx, c.sleep, wait, wake); err != nil {
			return ticket{}, err
		}
	}
}

// sleepUnlessWoken sleeps for d, less if wake closes; it fails only when ctx ends.
func sleepUnlessWoken(ctx context.Context, sleep func(context.Context, time.Duration) error, d time.Duration, wake <-chan struct{}) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-wake:
			cancel()
		case <-sctx.Done():
		}
	}()
	_ = sleep(sctx, d)
	return ctx.Err()
}

// settleTurn tells the pace what the answer (nil for success) says.
func (c *Client) settleTurn(p *pace, tk ticket, e *Error) {
	if p == nil {
		return
	}
	o, q, stated, retryAfter := outcomePassed, Quota{}, false, time.Duration(0)
	switch {
	case e == nil:
	case e.throttled():
		o, retryAfter = outcomeThrottled, e.RetryAfter
		q, stated = parseQuota(e.Message)
	case e.Kind == KindAPI:
	default:
		o = outcomeUnknown
	}
	p.mu.Lock()
	p.settle(tk, o, q, stated, retryAfter, c.now())
	p.mu.Unlock()
}

// paceStatus reads a pace's status now.
func (c *Client) paceStatus(p *pace) PaceStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status(c.now())
}

// throttled reports an answer refusing the call for a quota: nothing was done.
func (e *Error) throttled() bool { return e.Kind == KindAPI && e.StatusCode == 429 }

// throttledStop is the error of a call that stopped while waiting its turn:
// the context ended, or the turn would come after its deadline. It keeps the
// last throttled answer's facts and the pace's status.
func (c *Client) throttledStop(ctx context.Context, cl call, p *pace, last *Error, err error, attempts, throttled int) *Error {
	ce := contextError(ctx, cl)
	var past errPastDeadline
	if errors.As(err, &past) {
		ce.Kind, ce.Err = KindTimeout, context.DeadlineExceeded
		ce.Message = "the deadline would pass before the quota let the call through"
		ce.StoppedRetrying = past.Error()
	}
	ce.Attempts = attempts
	if last != nil {
		ce.Endpoint, ce.Service, ce.Auth = last.Endpoint, last.Service, last.Auth
		ce.StatusCode, ce.Code, ce.RequestID, ce.RetryAfter = last.StatusCode, last.Code, last.RequestID, last.RetryAfter
		if ce.StoppedRetrying == "" {
			ce.StoppedRetrying = ce.Message
		}
		ce.Message = last.Message
	}
	c.notePace(ce, p, throttled, true)
	return ce
}

// notePace gives a failed call's error its throttled answers and the pace
// it stood at, when throttling had a part: the call was throttled, or it
// ended waiting its turn at a pace that had seen throttles.
func (c *Client) notePace(e *Error, p *pace, throttled int, waiting bool) {
	e.Throttled = throttled
	if p == nil || (throttled == 0 && !waiting) {
		return
	}
	if s := c.paceStatus(p); s.Throttled > 0 || throttled > 0 {
		e.Pace = &s
	}
}

// requestCap spaces a client's requests at most rate per second (the
// provider's own cap, whatever the server allows).
type requestCap struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newRequestCap(perSecond float64) *requestCap {
	if perSecond <= 0 {
		return nil
	}
	return &requestCap{interval: time.Duration(float64(time.Second) / perSecond)}
}

func (r *requestCap) wait(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	r.mu.Lock()
	t := now()
	slot := r.next
	if slot.Before(t) {
		slot = t
	}
	r.next = slot.Add(r.interval)
	r.mu.Unlock()
	if d := slot.Sub(t); d > 0 {
		if deadline, has := ctx.Deadline(); has && t.Add(d).After(deadline) {
			return errPastDeadline{wait: d}
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// noteThrottle logs a throttled answer and tells the context's observer.
func (c *Client) noteThrottle(ctx context.Context, cl call, p *pace, e *Error) {
	s := c.paceStatus(p)
	c.cfg.Logger.Debug(ctx, "Throttled by "+string(cl.service)+"; waiting for the shared pace", map[string]any{
		"operation": cl.op, "attempt": e.Attempts, "quota": s.Describe(), "pace_per_second": s.Rate, "reason": e.Error(),
	})
	observeThrottle(ctx, s)
}

// paceIdentity names a credential for the pace without keeping its secrets.
func paceIdentity(base credentialSource, role *AssumeRole) [sha256.Size]byte {
	var id [sha256.Size]byte
	if s, ok := base.(staticCredentials); ok {
		id = s.id.fingerprint()
	}
	if role == nil {
		return id
	}
	return sha256.Sum256([]byte(string(id[:]) + "\x00" + role.AgencyName + "\x00" + role.DomainName + "\x00" + role.DomainID))
}

// maxThrottledWait bounds how long a call without a deadline waits out
// throttling: such a call must still end.
const maxThrottledWait = maxRetryAfter

// waitedTooLong reports a call without a deadline throttled for longer
// than maxThrottledWait, saying so in e.
func (c *Client) waitedTooLong(ctx context.Context, e *Error, first time.Time) bool {
	if _, has := ctx.Deadline(); has || c.now().Sub(first) <= maxThrottledWait {
		return false
	}
	e.StoppedRetrying = fmt.Sprintf("throttled for over %s with no deadline set", maxThrottledWait)
	return true
}

// PaceNow is the shared pace of an API ("cancel", "list") for the
// function's endpoint, as it stands now.
func (c *Client) PaceNow(urn URN, api string) (PaceStatus, bool) {
	endpoint, err := c.Endpoint(urn.Region)
	if err != nil {
		return PaceStatus{}, false
	}
	return c.paceStatus(sharedPace(paceKey{endpoint: endpoint, identity: c.paceIdentity, api: api})), true
}
