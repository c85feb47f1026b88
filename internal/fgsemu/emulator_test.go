package fgsemu

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "[::]:0", "example.com:0", "no-port"} {
		e := New(Options{})
		if u, err := e.Start(addr); err == nil {
			_ = e.Close()
			t.Errorf("Start(%q) = %s, want a refusal", addr, u)
		}
	}
	e := New(Options{})
	defer func() { _ = e.Close() }()
	u, err := e.Start("localhost:0")
	if err != nil || !strings.HasPrefix(u, "http://") || e.URL() != u {
		t.Fatalf("localhost: %q %v", u, err)
	}
	if _, err := e.Start(""); err == nil {
		t.Error("a second Start should fail")
	}
}

func TestConnectionsAreCounted(t *testing.T) {
	var obs observer
	e, base := startEmulator(t, Options{Observe: obs.Observe})
	u := fnURL(base, testURN, "async-invocations")
	keepAlive := &http.Client{Transport: &http.Transport{}}
	for i := 0; i < 5; i++ {
		if _, err := tryCall(keepAlive, "GET", u, ""); err != nil {
			t.Fatal(err)
		}
	}
	if s := e.Stats(); s.Connections != 1 || s.OpenConnections != 1 || s.Requests != 5 || s.RequestsByOp[OpList] != 5 {
		t.Fatalf("keep-alive: %+v", s)
	}
	keepAlive.CloseIdleConnections()
	fresh := freshClient(t, 5*time.Second)
	for i := 0; i < 3; i++ {
		if _, err := tryCall(fresh, "GET", u, ""); err != nil {
			t.Fatal(err)
		}
	}
	obs.waitUntil(t, e, func(s Stats) bool { return s.OpenConnections == 0 })
	if s := e.Stats(); s.Connections != 4 || s.MaxOpenConnections < 1 {
		t.Fatalf("fresh connections: %+v", s)
	}
	e.ResetStats()
	if s := e.Stats(); s.Connections != 0 || s.Requests != 0 || len(s.RequestsByOp) != 0 {
		t.Fatalf("after reset: %+v", s)
	}
}

func TestConcurrentCancels(t *testing.T) {
	e, base := startEmulator(t, Options{}, Function{URN: testURN, Concurrency: 1})
	ids, err := e.InvokeN(testURN, 500)
	if err != nil {
		t.Fatal(err)
	}
	// MaxConnsPerHost bounds the connections exactly: without it net/http
	// dials spares under bursts, and the count below would not be checkable.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 50, MaxConnsPerHost: 50}}
	work := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failures := 0
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				res, err := tryCall(client, "POST", fnURL(base, testURN, "cancel"), `{"request_id":"`+id+`","type":"force"}`)
				if err != nil || res.status != 200 {
					mu.Lock()
					failures++
					mu.Unlock()
				}
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	s := e.Stats()
	if failures != 0 || s.AcceptedCancels != 500 || s.RequestsByOp[OpCancel] != 500 || s.MaxOpenConnections > 50 || s.Connections > 50 {
		t.Fatalf("%d failures, stats %+v", failures, s)
	}
	for _, inv := range e.Invocations(testURN) {
		if inv.Status != StatusFail || inv.Cancels != 1 {
			t.Fatalf("%+v", inv)
		}
	}
}

// Each answer waits the latency on the emulator's timer, and none without.
func TestLatency(t *testing.T) {
	var mu sync.Mutex
	var waits []time.Duration
	fired := func(d time.Duration) <-chan time.Time {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		ch := make(chan time.Time, 1)
		ch <- time.Time{}
		return ch
	}
	e, base := startEmulator(t, Options{Latency: 600 * time.Millisecond, After: fired})
	u := fnURL(base, testURN, "async-invocations")
	call(t, "GET", u, "")
	e.SetLatency(0)
	call(t, "GET", u, "")
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 1 || waits[0] != 600*time.Millisecond {
		t.Errorf("waited %v for two answers, the first with 600ms latency and the second without", waits)
	}
}

func TestRequestLogHoldsNoSecrets(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	logf := func(format string, args ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	_, base := startEmulator(t, Options{Logf: logf})
	call(t, "GET", fnURL(base, testURN, "async-invocations")+"?limit=1", "")
	call(t, "POST", fnURL(base, testURN, "cancel"), `{"request_id":"x"}`, "X-Auth-Token", "a-wrong-token")
	call(t, "GET", base+"/_emulator/stats", "")
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 3 {
		t.Fatalf("want one line per request, got %q", lines)
	}
	for _, l := range lines {
		if strings.Contains(l, testToken) || strings.Contains(l, "a-wrong-token") || strings.Contains(l, "x\"") {
			t.Errorf("log line leaks a header or body: %q", l)
		}
	}
	if !strings.HasPrefix(lines[0], "GET /v2/") || !strings.Contains(lines[0], " 200 op=list") || !strings.Contains(lines[1], " 401 op=cancel") {
		t.Errorf("log lines %q", lines)
	}
}

// TestGarbageNeverPanics sends raw requests no client library would.
func TestGarbageNeverPanics(t *testing.T) {
	e, base := startEmulator(t, Options{})
	addr := strings.TrimPrefix(base, "http://")
	for _, raw := range []string{
		"GET /v2/%zz/fgs/functions/x/cancel HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /v2/" + testProject + "/fgs/functions/%3A%3A/cancel HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + testToken + "\r\nContent-Length: 4\r\n\r\nnull",
		"POST /v3.0/OS-CREDENTIAL/securitytokens HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + testToken + "\r\nContent-Length: 2\r\n\r\n[]",
		"GET /v2/" + testProject + "/fgs/functions/" + testURN + "/async-invocations?limit=%zz HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + testToken + "\r\n\r\n",
		"GET /v2/" + testProject + "/fgs/functions/" + testURN + "/async-invocations?a;b HTTP/1.1\r\nHost: x\r\nAuthorization: SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=" + strings.Repeat("ab", 32) + "\r\nX-Sdk-Date: " + time.Now().UTC().Format("20060102T150405Z") + "\r\n\r\n",
		"GET /_emulator/invocations?urn=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(conn, raw)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			_ = conn.Close()
			t.Fatalf("%q: %v", raw, err)
		}
		_ = resp.Body.Close()
		_ = conn.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%q: status %d", raw, resp.StatusCode)
		}
	}
	// ServeHTTP without a server: odd requests must still get an answer.
	for _, r := range []*http.Request{
		httptest.NewRequest("POST", "/v2/p/fgs/functions/u/cancel", nil),
		httptest.NewRequest("GET", "/_emulator/stats", nil), // not loopback: 403
	} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, r)
		if rec.Code == 0 || rec.Header().Get("X-Request-Id") == "" {
			t.Errorf("%s %s: %d %v", r.Method, r.URL, rec.Code, rec.Header())
		}
	}
}
