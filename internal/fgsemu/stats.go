package fgsemu

import (
	"net"
	"net/http"
	"sync/atomic"
)

// Operations a cloud or IAM request is counted and matched by.
const (
	OpInvoke = "invoke" // POST .../invocations-async
	OpList   = "list"   // GET .../async-invocations
	OpCancel = "cancel" // POST .../cancel
	OpIAM    = "iam"    // POST /v3.0/OS-CREDENTIAL/securitytokens
	OpOther  = "other"  // any other path (answered 404)
)

var allOps = [...]string{OpInvoke, OpList, OpCancel, OpIAM, OpOther}

func opIndex(op string) int {
	for i, o := range allOps {
		if o == op {
			return i
		}
	}
	return len(allOps) - 1
}

// Stats are the counters tests assert on; the control API serves them as JSON.
type Stats struct {
	Requests           int64            `json:"requests"`             // cloud and IAM API requests received
	RequestsByOp       map[string]int64 `json:"requests_by_op"`       // the same, per operation
	AcceptedCancels    int64            `json:"accepted_cancels"`     // cancels answered 200
	AuthFailures       int64            `json:"auth_failures"`        // requests answered 401
	FaultsApplied      int64            `json:"faults_applied"`       // requests an injected fault changed
	IAMCalls           int64            `json:"iam_calls"`            // IAM securitytokens requests received
	Connections        int64            `json:"connections"`          // distinct TCP connections accepted
	OpenConnections    int64            `json:"open_connections"`     // connections open now
	MaxOpenConnections int64            `json:"max_open_connections"` // most connections open at once

	// MaxCancelsInFlight is the most cancel requests being answered at once.
	MaxCancelsInFlight int64 `json:"max_cancels_in_flight"`

	// Throttled counts the 429 APIGW.0308 answers of quotas (SetQuota; not injected faults), in all and per operation.
	Throttled     int64            `json:"throttled"`
	ThrottledByOp map[string]int64 `json:"throttled_by_op"`
}

// counters are lock-free so the hot path stays cheap under heavy concurrency.
type counters struct {
	requests        atomic.Int64
	byOp            [len(allOps)]atomic.Int64
	acceptedCancels atomic.Int64
	authFailures    atomic.Int64
	faultsApplied   atomic.Int64
	iamCalls        atomic.Int64
	connections     atomic.Int64
	open            atomic.Int64
	maxOpen         atomic.Int64
	cancelsInFlight atomic.Int64
	maxCancels      atomic.Int64
	throttled       [len(allOps)]atomic.Int64
}

// Stats returns a snapshot of the counters.
func (e *Emulator) Stats() Stats {
	c := &e.counters
	s := Stats{
		Requests:           c.requests.Load(),
		RequestsByOp:       make(map[string]int64, len(allOps)),
		AcceptedCancels:    c.acceptedCancels.Load(),
		AuthFailures:       c.authFailures.Load(),
		FaultsApplied:      c.faultsApplied.Load(),
		IAMCalls:           c.iamCalls.Load(),
		Connections:        c.connections.Load(),
		OpenConnections:    c.open.Load(),
		MaxOpenConnections: c.maxOpen.Load(),
		MaxCancelsInFlight: c.maxCancels.Load(),
		ThrottledByOp:      make(map[string]int64),
	}
	for i, op := range allOps {
		if n := c.byOp[i].Load(); n > 0 {
			s.RequestsByOp[op] = n
		}
		if n := c.throttled[i].Load(); n > 0 {
			s.ThrottledByOp[op] = n
			s.Throttled += n
		}
	}
	return s
}

// ResetStats zeroes the counters; open connections stay as they are and become the new maximum.
func (e *Emulator) ResetStats() {
	c := &e.counters
	c.requests.Store(0)
	for i := range c.byOp {
		c.byOp[i].Store(0)
		c.throttled[i].Store(0)
	}
	c.acceptedCancels.Store(0)
	c.authFailures.Store(0)
	c.faultsApplied.Store(0)
	c.iamCalls.Store(0)
	c.connections.Store(0)
	c.maxOpen.Store(c.open.Load())
	c.maxCancels.Store(c.cancelsInFlight.Load())
}

// cancelStarted counts a cancel request in until the returned func is called.
func (c *counters) cancelStarted() (done func()) {
	n := c.cancelsInFlight.Add(1)
	for {
		m := c.maxCancels.Load()
		if n <= m || c.maxCancels.CompareAndSwap(m, n) {
			break
		}
	}
	return func() { c.cancelsInFlight.Add(-1) }
}

// connState counts connections for http.Server.ConnState.
func (e *Emulator) connState(_ net.Conn, state http.ConnState) {
	c := &e.counters
	switch state {
	case http.StateNew:
		c.connections.Add(1)
		n := c.open.Add(1)
		for {
			m := c.maxOpen.Load()
			if n <= m || c.maxOpen.CompareAndSwap(m, n) {
				break
			}
		}
		e.observe(ConnectionOpened)
	case http.StateClosed, http.StateHijacked:
		c.open.Add(-1)
		e.observe(ConnectionClosed)
	}
}
