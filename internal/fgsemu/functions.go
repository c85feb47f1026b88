package fgsemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Invocation statuses, as the FunctionGraph API spells them.
const (
	StatusWait    = "WAIT"
	StatusRunning = "RUNNING"
	StatusSuccess = "SUCCESS"
	StatusFail    = "FAIL"
	StatusDiscard = "DISCARD"
)

// CanceledErrorCode and CanceledErrorMessage are what a cancelled invocation
// ends with, as the cancel API page documents.
const (
	CanceledErrorCode    = 4208
	CanceledErrorMessage = "function invocation canceled"
)

// ErrUnknownFunction is returned for a URN that was never added.
var ErrUnknownFunction = errors.New("fgsemu: unknown function")

// Function is a function the emulator knows, and how its invocations behave.
type Function struct {
	// URN is urn:fss:<region>:<project_id>:function:<package>:<name>[:<version>]; no version means "latest".
	URN string
	// Concurrency is how many invocations one instance runs at once (1:N); 0 means 1.
	Concurrency int
	// MaxInstances bounds the instances; when all are full, new invocations WAIT. 0 = unbounded.
	MaxInstances int
	// StopDelay is how long a cancelled invocation takes to end; 0 = at once.
	StopDelay time.Duration
	// NeverStops makes a cancelled invocation stay RUNNING forever (a runtime that ignores the stop).
	NeverStops bool
	// RunFor ends an uncancelled invocation with SUCCESS after this long; 0 = runs until cancelled.
	RunFor time.Duration
}

// functionJSON is Function on the wire: snake_case, durations as Go duration strings.
type functionJSON struct {
	URN          string   `json:"urn"`
	Concurrency  int      `json:"concurrency,omitempty"`
	MaxInstances int      `json:"max_instances,omitempty"`
	StopDelay    Duration `json:"stop_delay,omitempty"`
	NeverStops   bool     `json:"never_stops,omitempty"`
	RunFor       Duration `json:"run_for,omitempty"`
}

// MarshalJSON writes the control API's shape (snake_case, durations as "1.5s").
func (f Function) MarshalJSON() ([]byte, error) {
	return json.Marshal(functionJSON{f.URN, f.Concurrency, f.MaxInstances, Duration(f.StopDelay), f.NeverStops, Duration(f.RunFor)})
}

// UnmarshalJSON reads the control API's shape.
func (f *Function) UnmarshalJSON(b []byte) error {
	var w functionJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Function{URN: w.URN, Concurrency: w.Concurrency, MaxInstances: w.MaxInstances,
		StopDelay: time.Duration(w.StopDelay), NeverStops: w.NeverStops, RunFor: time.Duration(w.RunFor)}
	return nil
}

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("20ms"); it also reads a number of nanoseconds.
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "1.5s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON accepts "20ms" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if s == "" {
			*d = 0
			return nil
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("invalid duration %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New(`a duration must be a string such as "20ms" or a number of nanoseconds`)
	}
	*d = Duration(n)
	return nil
}

// Invocation is a snapshot of one asynchronous invocation.
type Invocation struct {
	RequestID    string    `json:"request_id"`
	Status       string    `json:"status"`
	ErrorMessage string    `json:"error_message,omitempty"`
	ErrorCode    int       `json:"error_code,omitempty"`
	StartTime    time.Time `json:"start_time"`        // when the emulator accepted it
	EndTime      time.Time `json:"end_time,omitzero"` // zero while not ended
	Instance     int       `json:"instance"`          // 0-based instance index; -1 if it never ran
	Cancels      int       `json:"cancels"`           // accepted cancel requests for it
	// CancelRequests counts every cancel request for it that reached the function, accepted or refused.
	CancelRequests int `json:"cancel_requests"`
}

// functionURN is a parsed URN; key is the normalised form (with a version).
type functionURN struct {
	key     string
	project string
}

// parseFunctionURN checks the URN's shape and fills in "latest" when the version is missing.
func parseFunctionURN(urn string) (functionURN, error) {
	parts := strings.Split(urn, ":")
	if len(parts) != 7 && len(parts) != 8 {
		return functionURN{}, fmt.Errorf("function URN must be urn:fss:<region>:<project_id>:function:<package>:<name>[:<version>], got %d parts", len(parts))
	}
	if parts[0] != "urn" || parts[1] != "fss" || parts[4] != "function" {
		return functionURN{}, errors.New("function URN must start with urn:fss: and have \"function\" as its fifth part")
	}
	if len(parts) == 7 {
		parts = append(parts, "latest")
	}
	for i, p := range parts {
		if p == "" {
			return functionURN{}, fmt.Errorf("function URN part %d is empty", i+1)
		}
		if strings.ContainsAny(p, "/?#% \t\r\n") {
			return functionURN{}, fmt.Errorf("function URN part %d contains a character not allowed in a URN", i+1)
		}
	}
	return functionURN{key: strings.Join(parts, ":"), project: parts[3]}, nil
}

// CanonicalURN checks a function URN's shape and returns it with its version
// ("latest" when missing), so callers can validate URNs before serving them.
func CanonicalURN(urn string) (string, error) {
	u, err := parseFunctionURN(urn)
	if err != nil {
		return "", err
	}
	return u.key, nil
}

// AddFunction makes a function known; adding a known URN again replaces its
// settings (for new placements and cancels) and keeps its invocations.
func (e *Emulator) AddFunction(f Function) error {
	u, err := parseFunctionURN(f.URN)
	if err != nil {
		return fmt.Errorf("fgsemu: %w", err)
	}
	if f.Concurrency < 0 || f.MaxInstances < 0 || f.StopDelay < 0 || f.RunFor < 0 {
		return errors.New("fgsemu: concurrency, max instances, stop delay and run-for must not be negative")
	}
	if f.Concurrency == 0 {
		f.Concurrency = 1
	}
	f.URN = u.key
	e.mu.Lock()
	defer e.mu.Unlock()
	if fn, ok := e.functions[u.key]; ok {
		fn.mu.Lock()
		fn.cfg = f
		fn.firstFree = 0 // a larger concurrency may have freed slots on old instances
		fn.mu.Unlock()
		return nil
	}
	e.functions[u.key] = newFunctionState(f, u.project)
	return nil
}

// lookup finds a function by any spelling of its URN (with or without version).
func (e *Emulator) lookup(urn string) (*functionState, bool) {
	u, err := parseFunctionURN(urn)
	if err != nil {
		return nil, false
	}
	e.mu.RLock()
	fn, ok := e.functions[u.key]
	e.mu.RUnlock()
	return fn, ok
}

// Invoke starts an asynchronous invocation as invocations-async does, without
// counting it as an API request; it returns the new request ID.
func (e *Emulator) Invoke(urn string) (string, error) {
	ids, err := e.InvokeN(urn, 1)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// InvokeN starts n invocations at the same instant and returns their request IDs in order.
func (e *Emulator) InvokeN(urn string, n int) ([]string, error) {
	if n < 1 {
		return nil, errors.New("fgsemu: invoke count must be at least 1")
	}
	return e.invokeStarted(urn, n, time.Time{})
}

func (e *Emulator) invokeStarted(urn string, n int, start time.Time) ([]string, error) {
	fn, ok := e.lookup(urn)
	if !ok {
		return nil, ErrUnknownFunction
	}
	return fn.invokeStarted(e.now(), start, n), nil
}

// InvokeStartedAt starts an invocation back-dated to start, as if it had been
// running since then (RunFor counts from start): a long-running invocation,
// which the list API shows only when asked for a window reaching back to it.
func (e *Emulator) InvokeStartedAt(urn string, start time.Time) (string, error) {
	ids, err := e.invokeStarted(urn, 1, start)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// Invocation returns the current state of one invocation.
func (e *Emulator) Invocation(urn, requestID string) (Invocation, bool) {
	fn, ok := e.lookup(urn)
	if !ok {
		return Invocation{}, false
	}
	return fn.get(e.now(), requestID)
}

// Invocations returns every invocation of a function in creation order (nil for an unknown function).
func (e *Emulator) Invocations(urn string) []Invocation {
	fn, ok := e.lookup(urn)
	if !ok {
		return nil
	}
	return fn.all(e.now())
}

// functionList is every function added, by URN.
func (e *Emulator) functionList() []Function {
	e.mu.RLock()
	fns := make([]*functionState, 0, len(e.functions))
	for _, fn := range e.functions {
		fns = append(fns, fn)
	}
	e.mu.RUnlock()
	out := make([]Function, 0, len(fns))
	for _, fn := range fns {
		fn.mu.Lock()
		out = append(out, fn.cfg)
		fn.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}
