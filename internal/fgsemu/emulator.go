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
	// Observe, if set, is called at each Moment with the counts then, so a
	// test acts on a moment without polling.
	Observe func(Moment, Stats)
	// Logf, if set, gets one line per request: method, path, status, op (never a header value or secret).
	Logf func(format string, args ...any)
}

// Moment is when Options.Observe is called.
type Moment int

const (
	Arrived          Moment = iota + 1 // a cloud or IAM API request is counted, before its answer
	Answered                           // its answer is written, or it is dropped
	ConnectionOpened                   // a client connection opens
	ConnectionClosed                   // a client connection closes
)

// observe tells Options.Observe, if set, of the moment.
func (e *Emulator) observe(m Moment) {
	if e.opts.Observe != nil {
		e.opts.Observe(m, e.Stats())
	}
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
	control  *http.ServeMux // the /_emulator/ API

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
	e.control = e.newControlMux()
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
