package fgs

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds retries of 429, 5xx and connection failures.
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
