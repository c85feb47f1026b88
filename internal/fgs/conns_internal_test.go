package fgs

import (
	"context"
	"errors"
	"net"
	"net/http/httptrace"
	"testing"
	"time"
)

// admitSoon runs admit and returns its result, or fails if it is still
// held after d.
func admitSoon(t *testing.T, g *connGate, ctx context.Context, f *flight, d time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- g.admit(ctx, f) }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatal("the dial is still held back")
		return nil
	}
}

// held reports whether admit is still holding f's dial after a moment, and
// returns where its result will arrive.
func held(g *connGate, ctx context.Context, f *flight) (bool, <-chan error) {
	done := make(chan error, 1)
	go func() { done <- g.admit(ctx, f) }()
	select {
	case err := <-done:
		done <- err
		return false, done
	case <-time.After(200 * time.Millisecond):
		return true, done
	}
}

// idleAndWaiting leaves g with one connection to "a" back in the pool and
// a second request to "a" waiting for one, and returns that request.
func idleAndWaiting(t *testing.T, g *connGate) (context.Context, *flight) {
	t.Helper()
	c1, f1 := g.begin(context.Background(), "a")
	httptrace.ContextClientTrace(c1).GetConn("")
	if err := admitSoon(t, g, c1, f1, time.Second); err != nil {
		t.Fatal(err)
	}
	f1.end()
	c2, f2 := g.begin(context.Background(), "a")
	httptrace.ContextClientTrace(c2).GetConn("")
	return c2, f2
}

func TestConnGate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	getConn := func(ctx context.Context) { httptrace.ContextClientTrace(ctx).GetConn("") }
	gotConn := func(ctx context.Context) { httptrace.ContextClientTrace(ctx).GotConn(httptrace.GotConnInfo{}) }

	t.Run("a dial goes ahead while connections are fewer than requests", func(t *testing.T) {
		t.Parallel()
		g := newConnGate(&net.Dialer{})
		c1, f1 := g.begin(ctx, "a")
		getConn(c1)
		if err := admitSoon(t, g, c1, f1, time.Second); err != nil {
			t.Fatal(err)
		}
		// Another destination's connections do not count.
		c2, f2 := g.begin(ctx, "b")
		getConn(c2)
		if err := admitSoon(t, g, c2, f2, time.Second); err != nil {
			t.Fatal(err)
		}
	})

	// A dial held back beside an idle connection waits for one of these.
	for _, tc := range []struct {
		name  string
		event func(g *connGate, ctx context.Context, f *flight)
		want  error
	}{
		{"a held dial is dropped once its request is served",
			func(_ *connGate, ctx context.Context, _ *flight) { gotConn(ctx) }, errDialNotNeeded},
		{"a held dial goes ahead when a connection closes", // the server closed the idle one
			func(g *connGate, _ context.Context, _ *flight) { g.release("a") }, nil},
		{"a held dial ends with its request",
			func(_ *connGate, _ context.Context, f *flight) { f.end() }, errDialNotNeeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newConnGate(&net.Dialer{})
			c2, f2 := idleAndWaiting(t, g)
			isHeld, result := held(g, c2, f2)
			if !isHeld {
				t.Fatalf("a second connection was dialed beside an idle one: %v", <-result)
			}
			tc.event(g, c2, f2)
			if err := <-result; !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}

	t.Run("a held dial goes ahead after maxHold if nothing changes", func(t *testing.T) {
		t.Parallel()
		g := newConnGate(&net.Dialer{})
		g.maxHold = 100 * time.Millisecond
		c2, f2 := idleAndWaiting(t, g)
		if err := admitSoon(t, g, c2, f2, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if d := g.dests["a"]; d == nil || d.conns != 2 {
			t.Fatalf("counts %+v, want 2 connections", d)
		}
	})

	t.Run("counts are forgotten when nothing refers to them", func(t *testing.T) {
		t.Parallel()
		g := newConnGate(&net.Dialer{})
		c1, f1 := g.begin(ctx, "a")
		getConn(c1)
		_ = admitSoon(t, g, c1, f1, time.Second)
		f1.end()
		f1.end() // twice is once
		g.release("a")
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.dests) != 0 {
			t.Fatalf("left behind: %+v", g.dests["a"])
		}
	})
}
