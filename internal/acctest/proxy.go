package acctest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// RefusingProxy is an HTTP proxy on loopback that answers every CONNECT with
// 403 and records what each was for, so tests see where a request was going
// without anything leaving the machine.
type RefusingProxy struct {
	URL string

	mu      sync.Mutex
	targets []string
}

// StartRefusingProxy serves a RefusingProxy until the test ends.
func StartRefusingProxy(t testing.TB) *RefusingProxy {
	t.Helper()
	p := &RefusingProxy{}
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
func (p *RefusingProxy) Targets() []string {
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
