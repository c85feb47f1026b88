package fgs

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"time"
)

// connGate keeps the client from holding more connections than it has
// requests in flight, so that Terraform's -parallelism bounds the
// connections an apply opens.
//
// net/http dials whenever a request finds no idle connection, and keeps the
// new connection even when a busy one was freed first and served the request
// instead. Under bursts of short requests that leaves more connections than
// requests. The gate lets a dial start only while there are fewer
// connections to the destination, open or being dialed, than requests for
// it in flight. A dial it holds back ends, unused, as soon as its request
// gets a freed connection; at that point one is always on its way, because
// every connection counted is held by a request in flight, idle, or being
// returned.
type connGate struct {
	dialer *net.Dialer
	// maxHold is how long a dial may be held back before it goes ahead
	// anyway: progress matters more than the bound if the count is wrong.
	maxHold time.Duration

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever a count changes
	dests   map[string]*destCount
}

// destCount is what the gate knows of one destination.
type destCount struct {
	inFlight int // requests sent and not yet finished with their answer
	conns    int // connections open or being dialed
}

// flight is one request in flight, from RoundTrip until its answer's body
// is read or closed.
type flight struct {
	gate    *connGate
	dest    string
	waiting bool // for a connection; guarded by gate.mu
	ended   bool // guarded by gate.mu
}

type flightKey struct{}

var errDialNotNeeded = errors.New("connection not needed: the request was served by a kept-alive one")

func newConnGate(dialer *net.Dialer) *connGate {
	return &connGate{dialer: dialer, maxHold: 5 * time.Second, changed: make(chan struct{}), dests: map[string]*destCount{}}
}

// broadcast wakes every held dial to look again; g.mu must be held.
func (g *connGate) broadcast() {
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *connGate) dest(key string) *destCount {
	d := g.dests[key]
	if d == nil {
		d = &destCount{}
		g.dests[key] = d
	}
	return d
}

// forget drops a destination nothing refers to any more.
func (g *connGate) forget(key string, d *destCount) {
	if d.inFlight == 0 && d.conns == 0 {
		delete(g.dests, key)
	}
}

// begin counts a request to dest in flight and returns the context to send
// it with, which tells the gate when it is waiting for a connection.
func (g *connGate) begin(ctx context.Context, dest string) (context.Context, *flight) {
	f := &flight{gate: g, dest: dest}
	g.mu.Lock()
	g.dest(dest).inFlight++
	g.broadcast()
	g.mu.Unlock()
	setWaiting := func(w bool) {
		g.mu.Lock()
		if !f.ended {
			f.waiting = w
			g.broadcast()
		}
		g.mu.Unlock()
	}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { setWaiting(true) },
		GotConn: func(httptrace.GotConnInfo) { setWaiting(false) },
	})
	return context.WithValue(ctx, flightKey{}, f), f
}

// end marks the request finished with its answer; later calls do nothing.
func (f *flight) end() {
	g := f.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if f.ended {
		return
	}
	f.ended, f.waiting = true, false
	d := g.dest(f.dest)
	d.inFlight--
	g.forget(f.dest, d)
	g.broadcast()
}

// DialContext is the transport's dialer.
func (g *connGate) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	f, _ := ctx.Value(flightKey{}).(*flight)
	if f == nil { // not a request of ours: nothing to count
		return g.dialer.DialContext(ctx, network, addr)
	}
	if err := g.admit(ctx, f); err != nil {
		return nil, err
	}
	conn, err := g.dialer.DialContext(ctx, network, addr)
	if err != nil {
		g.release(f.dest)
		return nil, err
	}
	return &countedConn{Conn: conn, release: sync.OnceFunc(func() { g.release(f.dest) })}, nil
}

// admit waits until f's destination has fewer connections than requests in
// flight and counts the new one, or returns errDialNotNeeded once f is no
// longer waiting for a connection.
func (g *connGate) admit(ctx context.Context, f *flight) error {
	hold := time.NewTimer(g.maxHold)
	defer hold.Stop()
	for {
		g.mu.Lock()
		d := g.dest(f.dest)
		if d.conns < d.inFlight {
			d.conns++
			g.mu.Unlock()
			return nil
		}
		if !f.waiting {
			g.forget(f.dest, d)
			g.mu.Unlock()
			return errDialNotNeeded
		}
		changed := g.changed
		g.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-hold.C:
			g.mu.Lock()
			g.dest(f.dest).conns++
			g.mu.Unlock()
			return nil
		}
	}
}

func (g *connGate) release(dest string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d := g.dest(dest)
	d.conns--
	g.forget(dest, d)
	g.broadcast()
}

// countedConn gives its place back to the gate when closed.
type countedConn struct {
	net.Conn
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close() // first, so that a dial it lets through never overlaps it
	c.release()
	return err
}

// destination is the key a request and its connections are counted under:
// what net/http keeps their connections apart by, the request's scheme and
// host and the proxy it goes through.
func destination(proxy func(*http.Request) (*url.URL, error), req *http.Request) string {
	key := req.URL.Scheme + "://" + req.URL.Host
	if proxy != nil {
		if p, err := proxy(req); err == nil && p != nil {
			key += " via " + p.Scheme + "://" + p.Host
		}
	}
	return key
}
