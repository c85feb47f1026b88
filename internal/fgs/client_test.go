package fgs_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// Each kind of answer maps to its error, with the facts of the exchange.
func TestCancelErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		fault        *fgsemu.Fault
		requestID    string
		wantKind     fgs.ErrorKind
		wantStatus   int
		wantCode     string
		wantAttempts int
	}{
		{name: "accepted", wantAttempts: 1},
		{name: "unknown request", requestID: "nope", wantKind: fgs.KindAPI, wantStatus: 400, wantCode: "FSS.0400", wantAttempts: 1},
		{name: "forbidden", fault: &fgsemu.Fault{Op: "cancel", Status: 403, Body: `{"error_code":"FSS.0403","error_msg":"invalid token"}`},
			wantKind: fgs.KindAPI, wantStatus: 403, wantCode: "FSS.0403", wantAttempts: 1},
		{name: "not found", fault: &fgsemu.Fault{Op: "cancel", Status: 404, Body: `{"error_code":"FSS.0404","error_msg":"can not find function"}`},
			wantKind: fgs.KindAPI, wantStatus: 404, wantCode: "FSS.0404", wantAttempts: 1},
		{name: "server error retried", fault: &fgsemu.Fault{Op: "cancel", Status: 500, Body: `{"error_code":"FSS.0500","error_msg":"boom"}`},
			wantKind: fgs.KindAPI, wantStatus: 500, wantCode: "FSS.0500", wantAttempts: 3},
		{name: "html 200 not retried", fault: &fgsemu.Fault{Op: "cancel", Malformed: fgsemu.MalformedHTML},
			wantKind: fgs.KindBadResponse, wantStatus: 200, wantAttempts: 1},
		{name: "huge body not retried", fault: &fgsemu.Fault{Op: "cancel", Malformed: fgsemu.MalformedHuge},
			wantKind: fgs.KindBadResponse, wantStatus: 200, wantAttempts: 1},
		{name: "connection dropped retried", fault: &fgsemu.Fault{Op: "cancel", Drop: fgsemu.DropBefore},
			wantKind: fgs.KindConnection, wantAttempts: 3},
		{name: "body cut off retried", fault: &fgsemu.Fault{Op: "cancel", Drop: fgsemu.DropMidBody},
			wantKind: fgs.KindBadResponse, wantStatus: 200, wantAttempts: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t)
			id, _ := emu.Invoke(testURN.String())
			if tt.requestID != "" {
				id = tt.requestID
			}
			if tt.fault != nil {
				inject(t, emu, *tt.fault)
			}
			c := newClient(t, emu.URL(), 2)
			res, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: id})
			if tt.wantKind == 0 {
				if err != nil {
					t.Fatalf("Cancel: %v", err)
				}
				if res.Attempts != 1 || len(res.APIRequestID) != 32 {
					t.Fatalf("result %+v, want 1 attempt and the answer's X-Request-Id", res)
				}
				return
			}
			e, ok := fgs.AsError(err)
			if !ok {
				t.Fatalf("error %v (%T) is not *fgs.Error", err, err)
			}
			if e.Kind != tt.wantKind || e.StatusCode != tt.wantStatus || e.Code != tt.wantCode || e.Attempts != tt.wantAttempts {
				t.Fatalf("got kind %s, status %d, code %q, attempts %d; want %s, %d, %q, %d (%v)",
					e.Kind, e.StatusCode, e.Code, e.Attempts, tt.wantKind, tt.wantStatus, tt.wantCode, tt.wantAttempts, e)
			}
			if got := emu.Stats().RequestsByOp["cancel"]; got != int64(tt.wantAttempts) {
				t.Fatalf("emulator saw %d cancels, want %d", got, tt.wantAttempts)
			}
			if e.StatusCode > 0 && e.RequestID == "" {
				t.Fatalf("no X-Request-Id in %v", e)
			}
			if e.URN != testURN.String() || e.Endpoint != emu.URL() {
				t.Fatalf("error lacks URN or endpoint: %+v", e)
			}
		})
	}
}

func TestCancelRetriesThenSucceeds(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	id, _ := emu.Invoke(testURN.String())
	inject(t, emu, fgsemu.Fault{Op: "cancel", Times: 2, Status: 503})
	var retries []fgs.RetryEvent
	res, err := newClient(t, emu.URL(), 5).Cancel(context.Background(), fgs.CancelRequest{
		URN: testURN, RequestID: id, OnRetry: func(ev fgs.RetryEvent) { retries = append(retries, ev) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 3 || len(retries) != 2 || retries[0].Err.StatusCode != 503 || retries[1].Attempt != 2 {
		t.Fatalf("attempts %d, retry events %+v", res.Attempts, retries)
	}
	if s := emu.Stats(); s.AcceptedCancels != 1 || s.RequestsByOp["cancel"] != 3 {
		t.Fatalf("stats %+v", s)
	}
}

func TestCancelHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	id, _ := emu.Invoke(testURN.String())
	inject(t, emu, fgsemu.Fault{Op: "cancel", Times: 1, Status: 429, RetryAfter: "1"})
	c := newClient(t, emu.URL(), 5)
	clock := newTestClock()
	useClock(c, clock)
	throttles := 0
	ctx := fgs.WithThrottleObserver(context.Background(), func(fgs.PaceStatus) { throttles++ })
	res, err := c.Cancel(ctx, fgs.CancelRequest{URN: testURN, RequestID: id})
	if err != nil {
		t.Fatal(err)
	}
	if slept := clock.Slept(); throttles != 1 || len(slept) != 1 || slept[0] != time.Second || res.Attempts != 2 {
		t.Fatalf("%d throttles heard, waited %v, %d attempts; want one throttle, the server's 1 s, 2 attempts", throttles, clock.Slept(), res.Attempts)
	}
}

// Throttled answers are waited out and sent again; they do not use up
// max_retries, which stays for server errors and lost connections.
func TestThrottledDoesNotUseRetries(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	id, _ := emu.Invoke(testURN.String())
	inject(t, emu, fgsemu.Fault{Op: "cancel", Times: 4, Status: 429, RetryAfter: "0"},
		fgsemu.Fault{Op: "cancel", Times: 1, Status: 500})
	c := newClient(t, emu.URL(), 1)
	useClock(c, newTestClock())
	res, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: id})
	if err != nil {
		t.Fatalf("4 throttles and a 500 with max_retries = 1: %v", err)
	}
	if s := emu.Stats(); res.Attempts != 6 || s.RequestsByOp["cancel"] != 6 || s.AcceptedCancels != 1 {
		t.Fatalf("%d attempts, stats %+v; want 6 cancels sent, 1 accepted", res.Attempts, s)
	}
}

func TestCancelStopsRetryingBeforeDeadline(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	id, _ := emu.Invoke(testURN.String())
	inject(t, emu, fgsemu.Fault{Op: "cancel", Status: 429, RetryAfter: "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c := newClient(t, emu.URL(), 5)
	slept := 0
	fgs.SetSleep(c, func(context.Context, time.Duration) error { slept++; return nil })
	_, err := c.Cancel(ctx, fgs.CancelRequest{URN: testURN, RequestID: id})
	e, _ := fgs.AsError(err)
	if e == nil || e.StatusCode != 429 || e.Attempts != 1 || e.StoppedRetrying == "" || slept != 0 {
		t.Fatalf("got %v after %d waits; want the first 429, unwaited, saying the retry would pass the deadline", err, slept)
	}
}

// A context that ends, while a request hangs or a retry waits, ends the
// call: the request never answers and the wait never ends by itself, so
// the context is the only way out.
func TestCancelReturnsWhenContextEnds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		fault fgsemu.Fault
	}{
		{"hanging request", fgsemu.Fault{Op: "cancel", Hang: true}},
		{"waiting to retry", fgsemu.Fault{Op: "cancel", Status: 429, RetryAfter: "60"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t)
			id, _ := emu.Invoke(testURN.String())
			inject(t, emu, tt.fault)
			// In front of the emulator, to hear the cancel arrive.
			arrived := make(chan struct{})
			var once sync.Once
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/cancel") {
					once.Do(func() { close(arrived) })
				}
				emu.ServeHTTP(w, r)
			}))
			t.Cleanup(func() { _ = emu.Close(); front.Close() }) // the hang ends when the emulator closes
			c, err := fgs.New(fgs.Config{
				Credentials:      fgs.Credentials{AccessKey: testAK, SecretKey: testSK},
				EndpointOverride: front.URL, AttemptTimeout: 24 * time.Hour,
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			waits := 0
			fgs.SetSleep(c, func(ctx context.Context, _ time.Duration) error {
				waits++
				cancel() // while waiting to retry
				<-ctx.Done()
				return ctx.Err()
			})
			if tt.fault.Hang { // while the request hangs in the emulator
				go func() {
					<-arrived
					cancel()
				}()
			}
			_, err = c.Cancel(ctx, fgs.CancelRequest{URN: testURN, RequestID: id})
			e, _ := fgs.AsError(err)
			if e == nil || e.Kind != fgs.KindCanceled || !errors.Is(err, context.Canceled) || e.Attempts != 1 {
				t.Fatalf("got %v, want a canceled error after one attempt", err)
			}
			if want := map[bool]int{true: 0, false: 1}[tt.fault.Hang]; waits != want {
				t.Fatalf("%d waits to retry, want %d", waits, want)
			}
		})
	}
}

func TestCancelDeadlineIsATimeout(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	id, _ := emu.Invoke(testURN.String())
	inject(t, emu, fgsemu.Fault{Op: "cancel", Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := newClient(t, emu.URL(), 5).Cancel(ctx, fgs.CancelRequest{URN: testURN, RequestID: id})
	if e, _ := fgs.AsError(err); e == nil || e.Kind != fgs.KindTimeout {
		t.Fatalf("got %v, want a timeout", err)
	}
}

// Bad input is refused before anything is sent.
func TestCancelRejectsInvalidInputUnsent(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	c := newClient(t, emu.URL(), 5)
	bad := testURN
	bad.FunctionName = "a/b"
	for _, req := range []fgs.CancelRequest{
		{URN: bad, RequestID: "x"},
		{URN: testURN, RequestID: "a b"},
		{URN: testURN, RequestID: "x", Type: "soft"},
	} {
		_, err := c.Cancel(context.Background(), req)
		if e, _ := fgs.AsError(err); e == nil || e.Kind != fgs.KindInvalidInput {
			t.Fatalf("Cancel(%+v) = %v, want invalid input", req, err)
		}
	}
	if n := emu.Stats().Requests; n != 0 {
		t.Fatalf("%d requests reached the emulator", n)
	}
}

// A refused connection is retried, then explained.
func TestCancelConnectionRefused(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	url := emu.URL()
	_ = emu.Close()
	_, err := newClient(t, url, 1).Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: "x"})
	e, _ := fgs.AsError(err)
	if e == nil || e.Kind != fgs.KindConnection || e.Attempts != 2 || !fgs.IsConnectionRefused(e.Err) {
		t.Fatalf("got %#v", err)
	}
}

// Many cancels through one client share kept-alive connections.
func TestClientReusesConnections(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	ids, err := emu.InvokeN(testURN.String(), 20)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, emu.URL(), 0)
	for _, id := range ids {
		if _, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if s := emu.Stats(); s.AcceptedCancels != 20 || s.Connections != 1 {
		t.Fatalf("20 sequential cancels used %d connections (%d accepted), want 1", s.Connections, s.AcceptedCancels)
	}
}

// More calls at once than MaxConnsPerHost, many times over, hold no more
// connections than that: they wait for a kept-alive one instead of
// dialing, so the connections do not grow with the calls. A fault may cost
// its connection (and the emulator may see the new one before the old one
// closed), so each may add one; without faults the cap holds exactly.
func TestClientConnectionsBoundedAndReused(t *testing.T) {
	t.Parallel()
	const workers, perWorker = 4 * fgs.MaxConnsPerHost, 4
	emu := startEmulator(t)
	ids, err := emu.InvokeN(testURN.String(), workers*perWorker)
	if err != nil {
		t.Fatal(err)
	}
	inject(t, emu, fgsemu.Fault{Op: fgsemu.OpCancel, Probability: 0.1, Status: 503})
	c := newClient(t, emu.URL(), 10)
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			for _, id := range ids[w*perWorker : (w+1)*perWorker] {
				if _, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: id}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s := emu.Stats()
	if s.AcceptedCancels != workers*perWorker || s.FaultsApplied == 0 {
		t.Fatalf("emulator: %+v", s)
	}
	if s.MaxOpenConnections > fgs.MaxConnsPerHost+s.FaultsApplied || s.Connections > fgs.MaxConnsPerHost+s.FaultsApplied {
		t.Fatalf("%d connections (%d open at once) for %d requests from %d concurrent callers with %d faults, want at most %d",
			s.Connections, s.MaxOpenConnections, s.Requests, workers, s.FaultsApplied, fgs.MaxConnsPerHost+s.FaultsApplied)
	}
	t.Logf("%d connections for %d requests from %d concurrent callers, %d faults retried", s.Connections, s.Requests, workers, s.FaultsApplied)
}

// Pages are 500 invocations, the API's largest: 1250 take three.
func TestListInvocationsFollowsPages(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	ids, err := emu.InvokeN(testURN.String(), 1250)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, emu.URL(), 0)
	for _, id := range ids[:10] {
		if _, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: id}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.ListInvocations(context.Background(), testURN, fgs.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1250 || all[0].RequestID != ids[0] || all[1249].RequestID != ids[1249] {
		t.Fatalf("listed %d invocations", len(all))
	}
	if all[0].Status != "FAIL" || all[0].ErrorCode != "4208" || all[0].EndTime.IsZero() || all[0].StartTime.IsZero() {
		t.Fatalf("cancelled invocation listed as %+v", all[0])
	}
	running, err := c.ListInvocations(context.Background(), testURN, fgs.ListFilter{Status: "RUNNING"})
	if err != nil || len(running) != 1240 {
		t.Fatalf("RUNNING: %d, %v", len(running), err)
	}
	if got := emu.Stats().RequestsByOp["list"]; got != 3+3 {
		t.Fatalf("%d list requests, want 3 pages for each listing", got)
	}
	one, found, err := c.GetInvocation(context.Background(), testURN, ids[100])
	if err != nil || !found || one.RequestID != ids[100] || one.Status != "RUNNING" {
		t.Fatalf("GetInvocation: %+v %v %v", one, found, err)
	}
}

func TestListInvocationsDetectsALoopingAPI(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	inject(t, emu, fgsemu.Fault{Op: "list", Malformed: fgsemu.MalformedLoop})
	_, err := newClient(t, emu.URL(), 0).ListInvocations(context.Background(), testURN, fgs.ListFilter{})
	if e, _ := fgs.AsError(err); e == nil || e.Kind != fgs.KindBadResponse {
		t.Fatalf("got %v, want an error about the page marker", err)
	}
	if n := emu.Stats().RequestsByOp["list"]; n > 2 {
		t.Fatalf("%d list requests before the loop was noticed", n)
	}
}

// A list without end (full pages whose next_marker always moves on) stops
// at MaxListedInvocations, having asked for no page past it.
func TestListInvocationsStopsAtTheCap(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	inject(t, emu, fgsemu.Fault{Op: "list", Malformed: fgsemu.MalformedEndless})
	list, err := newClient(t, emu.URL(), 0).ListInvocations(context.Background(), testURN, fgs.ListFilter{Status: "RUNNING"})
	e, _ := fgs.AsError(err)
	if e == nil || e.Kind != fgs.KindTooMany || list != nil ||
		!strings.Contains(e.Message, "more than 100,000 invocations (status RUNNING, 201 pages)") {
		t.Fatalf("got %d invocations and %v, want none and the cap's error", len(list), err)
	}
	if n, want := emu.Stats().RequestsByOp["list"], int64(fgs.MaxListedInvocations/fgs.ListPageSize+1); n != want {
		t.Fatalf("%d list requests, want %d: the pages up to the cap and the one past it", n, want)
	}
}

func TestInvokeAsync(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	c := newClient(t, emu.URL(), 3)
	id, err := c.InvokeAsync(context.Background(), testURN, map[string]any{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if inv, ok := emu.Invocation(testURN.String(), id); !ok || inv.Status != "RUNNING" {
		t.Fatalf("invocation %s: %+v", id, inv)
	}
	// Invoking is not idempotent: a 500 is not retried, lest the function run twice.
	inject(t, emu, fgsemu.Fault{Op: "invoke", Status: 500})
	if _, err := c.InvokeAsync(context.Background(), testURN, nil); err == nil {
		t.Fatal("want an error")
	}
	if n := emu.Stats().RequestsByOp["invoke"]; n != 2 {
		t.Fatalf("%d invoke requests, want 2 (no retry)", n)
	}
}
