package fgsemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Drop and Malformed values of Fault.
const (
	DropBefore  = "before"   // close the connection without processing
	DropAfter   = "after"    // process for real (a cancel is accepted), then close without answering
	DropMidBody = "mid-body" // send headers and half a body, then close

	MalformedHTML      = "html"      // a 200 text/html page
	MalformedEmpty     = "empty"     // Status (default 500) with an empty body
	MalformedTruncated = "truncated" // complete framing, JSON cut in half
	MalformedHuge      = "huge"      // a 200 JSON-looking body of HugeBodySize bytes, streamed
	MalformedLoop      = "loop"      // (list) a full page whose next_marker equals the marker
	MalformedEndless   = "endless"   // (list) a full page of RUNNING invocations whose next_marker always moves on
)

// HugeBodySize is the size of a "huge" malformed answer.
const HugeBodySize = 64 << 20

// Fault changes how the emulator answers matching requests. Faults apply
// before authentication (except Drop "after", which processes the request for
// real), in the order injected; the first that matches applies.
type Fault struct {
	// Op is "cancel", "list", "invoke", "iam", "other", or "" for any.
	Op string
	// Times applies the fault to this many matching requests, then it expires; 0 = until cleared.
	Times int
	// Probability applies it to this fraction of matching requests (seeded RNG); 0 = all.
	// A request the dice spare goes on to the next fault.
	Probability float64
	// Status, Body and RetryAfter are the answer (default status 500, or 429 with RetryAfter; default body FunctionGraph's error shape).
	Status     int
	Body       string
	RetryAfter string
	// Delay waits before answering (honouring the request's context and Close); alone, it slows a real answer.
	Delay time.Duration
	// Hang never answers: the connection closes when the client goes away or the emulator closes.
	Hang bool
	// Drop is DropBefore, DropAfter or DropMidBody.
	Drop string
	// Malformed is MalformedHTML, MalformedEmpty, MalformedTruncated, MalformedHuge, MalformedLoop or MalformedEndless.
	Malformed string
}

type faultJSON struct {
	Op          string   `json:"op,omitempty"`
	Times       int      `json:"times,omitempty"`
	Probability float64  `json:"probability,omitempty"`
	Status      int      `json:"status,omitempty"`
	Body        string   `json:"body,omitempty"`
	RetryAfter  string   `json:"retry_after,omitempty"`
	Delay       Duration `json:"delay,omitempty"`
	Hang        bool     `json:"hang,omitempty"`
	Drop        string   `json:"drop,omitempty"`
	Malformed   string   `json:"malformed,omitempty"`
}

// MarshalJSON writes the control API's shape (snake_case, delay as "20ms").
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultJSON{f.Op, f.Times, f.Probability, f.Status, f.Body, f.RetryAfter, Duration(f.Delay), f.Hang, f.Drop, f.Malformed})
}

// UnmarshalJSON reads the control API's shape.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var w faultJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Fault{w.Op, w.Times, w.Probability, w.Status, w.Body, w.RetryAfter, time.Duration(w.Delay), w.Hang, w.Drop, w.Malformed}
	return nil
}

// Validate reports a fault the emulator could not apply as described.
func (f Fault) Validate() error {
	switch f.Op {
	case "", OpInvoke, OpList, OpCancel, OpIAM, OpOther:
	default:
		return fmt.Errorf("fault op must be one of invoke, list, cancel, iam, other or empty, not %q", f.Op)
	}
	switch f.Drop {
	case "", DropBefore, DropAfter, DropMidBody:
	default:
		return fmt.Errorf("fault drop must be before, after or mid-body, not %q", f.Drop)
	}
	switch f.Malformed {
	case "", MalformedHTML, MalformedEmpty, MalformedTruncated, MalformedHuge:
	case MalformedLoop, MalformedEndless:
		if f.Op != OpList {
			return fmt.Errorf("a %q fault needs op \"list\"", f.Malformed)
		}
	default:
		return fmt.Errorf("fault malformed must be html, empty, truncated, huge, loop or endless, not %q", f.Malformed)
	}
	if f.Times < 0 || f.Delay < 0 || f.Probability < 0 || f.Probability > 1 {
		return errors.New("fault times and delay must not be negative; probability must be within 0..1")
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		return fmt.Errorf("fault status %d is not an HTTP status", f.Status)
	}
	if strings.ContainsAny(f.RetryAfter, "\r\n") {
		return errors.New("fault retry_after must be one line")
	}
	return nil
}

type activeFault struct {
	Fault
	remaining int
}

// InjectFault adds a fault after those already injected.
func (e *Emulator) InjectFault(f Fault) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("fgsemu: %w", err)
	}
	e.faultMu.Lock()
	e.faults = append(e.faults, &activeFault{Fault: f, remaining: f.Times})
	e.faultMu.Unlock()
	return nil
}

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() {
	e.faultMu.Lock()
	e.faults = nil
	e.faultMu.Unlock()
}

// faultList is the faults in force, in order, each with the Times it has left.
func (e *Emulator) faultList() []Fault {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	out := make([]Fault, len(e.faults))
	for i, f := range e.faults {
		out[i] = f.Fault
		if f.Times > 0 {
			out[i].Times = f.remaining
		}
	}
	return out
}

// matchFault picks the fault for a request and uses up one of its Times.
func (e *Emulator) matchFault(op string) *Fault {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	for i, f := range e.faults {
		if f.Op != "" && f.Op != op {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && e.rng.Float64() >= f.Probability {
			continue
		}
		if f.Times > 0 {
			f.remaining--
			if f.remaining <= 0 {
				e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
			}
		}
		applied := f.Fault
		return &applied
	}
	return nil
}
