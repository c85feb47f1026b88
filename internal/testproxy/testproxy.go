package testproxy

import (
	"net"
	"net/http"
	"net/http/httptest"
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
