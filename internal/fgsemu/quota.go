package fgsemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CodeThrottled is API Gateway's error code for a request over a throttling policy.
const CodeThrottled = "APIGW.0308"

// Quota is an API Gateway throttling policy of the "user" kind on one API:
// each credential (access key, or X-Auth-Token) may make Limit calls per
// Window. Windows are fixed and aligned to multiples of Window since the Unix
// epoch (a 10 s window runs from :00 to :10, :10 to :20, ...), as fixed-window
// gateways count; only calls the quota lets through use up a window.
type Quota struct {
	// Op is the API limited: "cancel", "list" or "invoke".
	Op string
	// Limit is how many calls one credential may make per window; 0 removes the quota.
	Limit int
	// Window is the window's length: whole seconds, 1 s to 24 h.
	Window time.Duration
}

type quotaJSON struct {
	Op     string   `json:"op"`
	Limit  int      `json:"limit"`
	Window Duration `json:"window"`
}

// MarshalJSON writes the control API's shape: {"op":"cancel","limit":100,"window":"10s"}.
func (q Quota) MarshalJSON() ([]byte, error) {
	return json.Marshal(quotaJSON{q.Op, q.Limit, Duration(q.Window)})
}

// UnmarshalJSON reads the control API's shape; an unknown field is an error, not a silent default.
func (q *Quota) UnmarshalJSON(b []byte) error {
	var w quotaJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return err
	}
	*q = Quota{w.Op, w.Limit, time.Duration(w.Window)}
	return nil
}

// String is the flag syntax, "100/10s" or "20/1m".
func (q Quota) String() string {
	if q.Window >= time.Hour && q.Window%time.Hour == 0 {
		return strconv.Itoa(q.Limit) + "/" + strconv.FormatInt(int64(q.Window/time.Hour), 10) + "h"
	}
	if q.Window >= time.Minute && q.Window%time.Minute == 0 {
		return strconv.Itoa(q.Limit) + "/" + strconv.FormatInt(int64(q.Window/time.Minute), 10) + "m"
	}
	return strconv.Itoa(q.Limit) + "/" + q.Window.String()
}

// Validate reports a quota API Gateway could not express.
func (q Quota) Validate() error {
	switch q.Op {
	case OpCancel, OpList, OpInvoke:
	default:
		return fmt.Errorf("quota op must be cancel, list or invoke, not %q", q.Op)
	}
	if q.Limit < 0 || q.Limit > 1_000_000_000 {
		return fmt.Errorf("quota limit must be 0 (no quota) to 1000000000, not %d", q.Limit)
	}
	if q.Limit > 0 && (q.Window < time.Second || q.Window > 24*time.Hour || q.Window%time.Second != 0) {
		return fmt.Errorf("quota window must be whole seconds from 1s to 24h, not %s", q.Window)
	}
	return nil
}

// ParseQuota reads the flag syntax "LIMIT/WINDOW": "100/10s", "20/1m", or
// with a bare unit "5/s", "60/m". "0" or "" means no quota.
func ParseQuota(s string) (limit int, window time.Duration, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, 0, nil
	}
	n, w, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("quota %q: want LIMIT/WINDOW, e.g. 100/10s or 20/1m", s)
	}
	limit, err = strconv.Atoi(strings.TrimSpace(n))
	if err != nil || limit < 1 {
		return 0, 0, fmt.Errorf("quota %q: the limit must be a whole number of at least 1", s)
	}
	w = strings.TrimSpace(w)
	if w != "" && (w[0] < '0' || w[0] > '9') {
		w = "1" + w // a bare unit: "s" is one second
	}
	window, err = time.ParseDuration(w)
	if err != nil {
		return 0, 0, fmt.Errorf("quota %q: the window must be a duration such as 10s or 1m", s)
	}
	if err := (Quota{Op: OpCancel, Limit: limit, Window: window}).Validate(); err != nil {
		return 0, 0, fmt.Errorf("quota %q: %v", s, err)
	}
	return limit, window, nil
}

// quotaState counts one API's calls per credential in the current window.
type quotaState struct {
	Quota
	window int64          // the current window's number since the Unix epoch
	used   map[string]int // calls let through in it, by credential
}

// quotas holds the quotas in force, by op.
type quotas struct {
	mu    sync.Mutex
	byOp  map[string]*quotaState
	armed bool // any quota in force: lets the hot path skip the lock's map work
}

// SetQuota limits op ("cancel", "list" or "invoke") to limit calls per window
// for each credential; limit 0 removes the quota. Setting a quota starts its
// counts afresh.
func (e *Emulator) SetQuota(op string, limit int, window time.Duration) error {
	q := Quota{Op: op, Limit: limit, Window: window}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("fgsemu: %w", err)
	}
	e.quotas.mu.Lock()
	defer e.quotas.mu.Unlock()
	if e.quotas.byOp == nil {
		e.quotas.byOp = make(map[string]*quotaState)
	}
	if limit == 0 {
		delete(e.quotas.byOp, op)
	} else {
		e.quotas.byOp[op] = &quotaState{Quota: q, window: -1}
	}
	e.quotas.armed = len(e.quotas.byOp) > 0
	return nil
}

// ClearQuotas removes every quota.
func (e *Emulator) ClearQuotas() {
	e.quotas.mu.Lock()
	e.quotas.byOp, e.quotas.armed = nil, false
	e.quotas.mu.Unlock()
}

// Quotas lists the quotas in force, by op.
func (e *Emulator) Quotas() []Quota {
	e.quotas.mu.Lock()
	out := make([]Quota, 0, len(e.quotas.byOp))
	for _, s := range e.quotas.byOp {
		out = append(out, s.Quota)
	}
	e.quotas.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Op < out[j].Op })
	return out
}

// admit counts a call of op by credential against its quota; it returns the
// quota that refuses it, or nil when the call may go on (and was counted).
func (e *Emulator) admit(op, credential string) *Quota {
	e.quotas.mu.Lock()
	defer e.quotas.mu.Unlock()
	if !e.quotas.armed {
		return nil
	}
	s, ok := e.quotas.byOp[op]
	if !ok {
		return nil
	}
	// Floor division: windows aligned to the Unix epoch, also before it.
	nanos, size := e.now().UnixNano(), s.Window.Nanoseconds()
	w := nanos / size
	if nanos%size < 0 {
		w--
	}
	if w != s.window {
		s.window, s.used = w, make(map[string]int)
	}
	if s.used[credential] >= s.Limit {
		q := s.Quota
		return &q
	}
	s.used[credential]++
	return nil
}

// throttle answers 429 APIGW.0308 when op's quota refuses this call, as API
// Gateway does: no Retry-After, the limit and window in the message.
func (e *Emulator) throttle(w http.ResponseWriter, r *http.Request, op string) bool {
	q := e.admit(op, credentialOf(r))
	if q == nil {
		return false
	}
	e.counters.throttled[opIndex(op)].Add(1)
	id := newTraceID()
	w.Header().Set("X-Request-Id", id)
	writeJSON(w, http.StatusTooManyRequests, throttledBody{
		Code:      CodeThrottled,
		Message:   ThrottledMessage(q.Limit, q.Window),
		RequestID: id,
	})
	return true
}

// throttledBody is API Gateway's error shape, which also carries the request ID.
type throttledBody struct {
	Code      string `json:"error_code"`
	Message   string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

// ThrottledMessage is API Gateway's error_msg for a user quota of limit calls per window:
// "...,limit:100,time:1 minute" for 60 s, "...,limit:20,time:10 second" otherwise.
func ThrottledMessage(limit int, window time.Duration) string {
	t := strconv.FormatInt(int64(window/time.Second), 10) + " second"
	if window == time.Minute {
		t = "1 minute"
	}
	return "The throttling threshold has been reached: policy user over ratelimit,limit:" + strconv.Itoa(limit) + ",time:" + t
}

// credentialOf names the caller an authenticated request came from: the
// access key it was signed with, or its X-Auth-Token.
func credentialOf(r *http.Request) string {
	if authz := r.Header.Get("Authorization"); authz != "" {
		_, params, _ := strings.Cut(strings.TrimSpace(authz), " ")
		if ak, _, _, err := parseAuthorization(params); err == nil {
			return "ak:" + ak
		}
		return "authz:" + authz
	}
	return "token:" + r.Header.Get(headerAuthToken)
}

// serveSetQuota answers POST /_emulator/quotas {"op","limit","window"} (limit 0 removes it) with the quotas in force.
func (e *Emulator) serveSetQuota(w http.ResponseWriter, r *http.Request) {
	var q Quota
	if !decodeControl(w, r, &q) {
		return
	}
	if err := e.SetQuota(q.Op, q.Limit, q.Window); err != nil {
		writeJSON(w, http.StatusBadRequest, ControlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, e.Quotas())
}
