package fgsemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure an Emulator.
type Options struct {
	// Keys maps permanent access keys to the secret keys accepted on signed requests.
	Keys map[string]string
	// Tokens are X-Auth-Token values accepted forever (AddToken adds expiring ones).
	Tokens []string
	// Agencies are what IAM lets these keys assume.
	Agencies []Agency
	// TempCredentialTTL is the lifetime of IAM temporary credentials; 0 = the requested duration_seconds (default 900 s).
	TempCredentialTTL time.Duration
	// Latency is added before every cloud and IAM API answer.
	Latency time.Duration
	// Seed makes probabilistic faults deterministic.
	Seed int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// After is the timer latency and delays wait on; nil means a real one.
	After func(time.Duration) <-chan time.Time
	// Logf, if set, gets one line per request: method, path, status, op (never a header value or secret).
	Logf func(format string, args ...any)
}

// Agency is one agency IAM lets the configured keys assume; a request names
// it by AgencyName and either DomainName or DomainID.
type Agency struct {
	DomainName string `json:"domain_name,omitempty"`
	DomainID   string `json:"domain_id,omitempty"`
	AgencyName string `json:"agency_name"`
}

// Emulator serves the FunctionGraph and IAM APIs in memory. It is an
// http.Handler; Start serves it on a loopback port.
type Emulator struct {
	opts    Options
	latency atomic.Int64 // time.Duration

	mu        sync.RWMutex
	functions map[string]*functionState

	authMu    sync.RWMutex
	tokens    map[string]time.Time // zero time: never expires
	tempCreds map[string]tempCredential

	faultMu sync.Mutex
	faults  []*activeFault
	rng     *rand.Rand

	counters counters
	quotas   quotas

	done      chan struct{} // closed by Close: wakes every wait
	closeOnce sync.Once
	handlers  sync.WaitGroup

	srvMu sync.Mutex
	srv   *http.Server
	url   string
}

// New returns an emulator; it serves nothing until Start (or use it as an http.Handler).
func New(opts Options) *Emulator {
	e := &Emulator{
		opts:      opts,
		functions: make(map[string]*functionState),
		tokens:    make(map[string]time.Time),
		tempCreds: make(map[string]tempCredential),
		rng:       rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15)),
		done:      make(chan struct{}),
	}
	keys := make(map[string]string, len(opts.Keys))
	for k, v := range opts.Keys {
		keys[k] = v
	}
	e.opts.Keys = keys
	e.opts.Agencies = append([]Agency(nil), opts.Agencies...)
	for _, t := range opts.Tokens {
		if t != "" {
			e.tokens[t] = time.Time{}
		}
	}
	e.latency.Store(int64(opts.Latency))
	return e
}

func (e *Emulator) now() time.Time {
	if e.opts.Now != nil {
		return e.opts.Now()
	}
	return time.Now()
}

func (e *Emulator) logf(format string, args ...any) {
	if e.opts.Logf != nil {
		e.opts.Logf(format, args...)
	}
}

// SetLatency changes the delay added before every cloud and IAM API answer.
func (e *Emulator) SetLatency(d time.Duration) {
	if d < 0 {
		d = 0
	}
	e.latency.Store(int64(d))
}

// Start listens on addr ("" = 127.0.0.1:0) and serves in the background; it
// refuses non-loopback addresses because the emulator has no real security.
func (e *Emulator) Start(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("fgsemu: listen address %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return "", fmt.Errorf("fgsemu: refusing to listen on %q: only loopback addresses (127.0.0.1, ::1, localhost) are allowed", addr)
	}
	e.srvMu.Lock()
	defer e.srvMu.Unlock()
	select {
	case <-e.done:
		return "", errors.New("fgsemu: emulator is closed")
	default:
	}
	if e.srv != nil {
		return "", errors.New("fgsemu: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fgsemu: %w", err)
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return "", fmt.Errorf("fgsemu: %q did not resolve to a loopback address", addr)
	}
	e.srv = &http.Server{
		Handler:           e,
		ConnState:         e.connState,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute, // no ReadTimeout: it would cut Hang and Delay faults short
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	e.url = "http://" + tcp.String()
	srv := e.srv
	go func() { _ = srv.Serve(ln) }()
	return e.url, nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL is the base URL Start returned ("" before Start).
func (e *Emulator) URL() string {
	e.srvMu.Lock()
	defer e.srvMu.Unlock()
	return e.url
}

// Close closes the listener and every connection at once and wakes every
// waiting handler; it waits briefly for handlers to return.
func (e *Emulator) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.srvMu.Lock()
		close(e.done) // under srvMu: no handler is counted in once this is closed
		srv := e.srv
		e.srvMu.Unlock()
		if srv != nil {
			err = srv.Close()
		}
	})
	finished := make(chan struct{})
	go func() { e.handlers.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(2 * time.Second):
	}
	return err
}

// enter counts a handler in, unless the emulator is closing: a WaitGroup
// must not grow from zero while Close waits on it.
func (e *Emulator) enter() bool {
	e.srvMu.Lock()
	defer e.srvMu.Unlock()
	select {
	case <-e.done:
		return false
	default:
		e.handlers.Add(1)
		return true
	}
}

// wait sleeps for d unless the request goes away or the emulator closes; false if interrupted.
func (e *Emulator) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-ctx.Done():
			return false
		case <-e.done:
			return false
		default:
			return true
		}
	}
	var fired <-chan time.Time
	if e.opts.After != nil {
		fired = e.opts.After(d)
	} else {
		t := time.NewTimer(d)
		defer t.Stop()
		fired = t.C
	}
	select {
	case <-fired:
		return true
	case <-ctx.Done():
		return false
	case <-e.done:
		return false
	}
}

// route is what a request path names. A known path with the wrong method
// keeps its op (so it is authenticated before the 404, and a changed method
// on a signed request is reported as a signature mismatch).
type route struct {
	op       string
	methodOK bool
	project  string
	urn      string
}

// routeOf maps a path to an operation; segments may arrive percent-encoded or raw.
func routeOf(r *http.Request) route {
	raw := r.URL.EscapedPath()
	if raw == "/v3.0/OS-CREDENTIAL/securitytokens" {
		return route{op: OpIAM, methodOK: r.Method == http.MethodPost}
	}
	parts := strings.Split(raw, "/")
	if len(parts) != 7 || parts[0] != "" || parts[1] != "v2" || parts[3] != "fgs" || parts[4] != "functions" {
		return route{op: OpOther}
	}
	project, err1 := pathUnescape(parts[2])
	urn, err2 := pathUnescape(parts[5])
	if err1 != nil || err2 != nil {
		return route{op: OpOther}
	}
	rt := route{project: project, urn: urn}
	switch parts[6] {
	case "invocations-async":
		rt.op, rt.methodOK = OpInvoke, r.Method == http.MethodPost
	case "async-invocations":
		rt.op, rt.methodOK = OpList, r.Method == http.MethodGet
	case "cancel":
		rt.op, rt.methodOK = OpCancel, r.Method == http.MethodPost
	default:
		rt.op = OpOther
	}
	return rt
}

// ServeHTTP answers the cloud API, the IAM call and the control API.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !e.enter() {
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"FSS.0503", "emulator is closed"})
		return
	}
	defer e.handlers.Done()
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	op := "control"
	defer func() {
		if p := recover(); p != nil {
			// A bug must not take the emulator down; say so instead.
			e.logf("fgsemu: internal error on %s %s: %v", r.Method, r.URL.Path, p)
			if sw.status == 0 {
				writeJSON(sw, http.StatusInternalServerError, errorBody{"FSS.0500", "emulator internal error"})
			}
		}
		status := sw.status
		if status == 0 {
			status = -1 // dropped without an answer
		}
		e.logf("%s %s %d op=%s %s", r.Method, r.URL.Path, status, op, time.Since(start).Round(time.Microsecond))
	}()

	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		e.serveControl(sw, r)
		return
	}
	rt := routeOf(r)
	op = rt.op
	e.counters.requests.Add(1)
	e.counters.byOp[opIndex(op)].Add(1)
	if op == OpIAM {
		e.counters.iamCalls.Add(1)
	}
	if op == OpCancel {
		defer e.counters.cancelStarted()()
	}
	if !e.wait(r.Context(), time.Duration(e.latency.Load())) {
		dropConnection(sw)
		return
	}
	if f := e.matchFault(op); f != nil {
		e.counters.faultsApplied.Add(1)
		e.applyFault(sw, r, rt, f)
		return
	}
	e.serveAPI(sw, r, rt)
}

var errNoSuchAPI = errorBody{"APIGW.0101", "The API does not exist or has not been published in the environment"}

// serveAPI authenticates and answers one cloud or IAM request.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, rt route) {
	if rt.op == OpOther {
		writeJSON(w, http.StatusNotFound, errNoSuchAPI)
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if aerr := e.authenticate(r, body); aerr != nil {
		e.counters.authFailures.Add(1)
		writeJSON(w, http.StatusUnauthorized, errorBody{aerr.Code, aerr.Error()})
		return
	}
	if !rt.methodOK {
		writeJSON(w, http.StatusNotFound, errNoSuchAPI)
		return
	}
	if e.throttle(w, r, rt.op) {
		return
	}
	switch rt.op {
	case OpIAM:
		e.serveAssumeRole(w, body)
	case OpInvoke:
		e.serveInvoke(w, rt)
	case OpList:
		e.serveList(w, r, rt)
	case OpCancel:
		e.serveCancel(w, rt, body)
	}
}

// maxBody bounds request bodies; the real API's are tiny.
const maxBody = 1 << 20

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Body == nil {
		return nil, true
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{"FSS.0413", "request body too large"})
		} else {
			writeJSON(w, http.StatusBadRequest, errorBody{"FSS.0400", "could not read request body"})
		}
		return nil, false
	}
	return body, true
}
