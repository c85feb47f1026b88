package testproxy

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Refusing is an HTTP proxy on loopback that answers every CONNECT with
// 403 and records what each was for, so tests see where a request was going
// without anything leaving the machine.
type Refusing struct {
	URL string

	mu      sync.Mutex
	targets []string
}

// StartRefusing serves a Refusing proxy until the test ends.
func StartRefusing(t testing.TB) *Refusing {
	t.Helper()
	p := &Refusing{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.targets = append(p.targets, r.Method+" "+r.Host)
		p.mu.Unlock()
		http.Error(w, "tunnels are not allowed", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Targets are the requests the proxy refused, such as "CONNECT host:443".
func (p *Refusing) Targets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

// DeadAddress is a loopback address where nothing listens.
func DeadAddress(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// Echo stands in for FunctionGraph on loopback and answers every request
// with 200, repeating the request's credential headers in the body as a
// debugging gateway might: a list answer carries them in an invocation's
// error_message, any other request gets an error body
// ({"error_code":"FSS.0500",...}) in its 200.
type Echo struct {
	URL string

	mu       sync.Mutex
	requests []string
	echoed   []string
}

// StartEcho serves an Echo until the test ends.
func StartEcho(t testing.TB) *Echo {
	t.Helper()
	e := &Echo{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers := r.Header.Get("Authorization") + " X-Security-Token=" + r.Header.Get("X-Security-Token") + " X-Auth-Token=" + r.Header.Get("X-Auth-Token")
		e.mu.Lock()
		e.requests = append(e.requests, r.Method+" "+r.URL.Path)
		e.echoed = append(e.echoed, r.Header.Get("Authorization"), r.Header.Get("X-Security-Token"), r.Header.Get("X-Auth-Token"))
		e.mu.Unlock()
		quoted, _ := json.Marshal("debug: " + headers)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "echo-0001")
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/async-invocations") {
			fmt.Fprintf(w, `{"invocations":[{"request_id":"00000000-0000-4000-8000-000000000001","status":"RUNNING","error_code":0,`+
				`"error_message":%s,"start_time":"2026-01-01T00:00:00Z"}],"count":1,"next_marker":1}`, quoted)
			return
		}
		fmt.Fprintf(w, `{"error_code":"FSS.0500","error_msg":%s}`, quoted)
	}))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// Requests are what the Echo answered, such as "GET /v2/.../async-invocations".
func (e *Echo) Requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.requests...)
}

// Echoed are the credential header values the Echo repeated, and the
// signature of each Authorization header alone: none may show anywhere.
func (e *Echo) Echoed() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, v := range e.echoed {
		if v == "" {
			continue
		}
		out = append(out, v)
		if i := strings.LastIndex(v, "Signature="); i >= 0 {
			out = append(out, v[i+len("Signature="):])
		}
	}
	return out
}

// Banner is a loopback TCP server that is not HTTP or TLS: it writes a
// line such as an SSH server's greeting and closes each connection.
type Banner struct {
	Addr string

	mu          sync.Mutex
	connections int
}

// StartBanner serves a Banner until the test ends.
func StartBanner(t testing.TB, banner string) *Banner {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &Banner{Addr: l.Addr().String()}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.connections++
			b.mu.Unlock()
			_, _ = conn.Write([]byte(banner))
			_ = conn.Close()
		}
	}()
	t.Cleanup(func() { _ = l.Close() })
	return b
}

// Connections is how many connections the Banner accepted.
func (b *Banner) Connections() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.connections
}
