package fgsemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFaultAnswers(t *testing.T) {
	var obs observer
	e, base := startEmulator(t, Options{Observe: obs.Observe})
	listURL := fnURL(base, testURN, "async-invocations")
	c := freshClient(t, 5*time.Second)

	t.Run("status, body and Retry-After, Times", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Op: OpList, Times: 2, Status: 429, Body: `{"error_code":"FSS.0429","error_msg":"slow down"}`, RetryAfter: "7"})
		for i := 0; i < 2; i++ {
			res := call(t, "GET", listURL, "")
			if res.status != 429 || res.header.Get("Retry-After") != "7" || res.body != `{"error_code":"FSS.0429","error_msg":"slow down"}` || !tracePattern.MatchString(res.header.Get("X-Request-Id")) {
				t.Fatalf("request %d: %d %v %s", i, res.status, res.header, res.body)
			}
		}
		if res := call(t, "GET", listURL, ""); res.status != 200 {
			t.Fatalf("after Times ran out: %d", res.status)
		}
	})

	t.Run("default body per status", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Status: 503})
		res := call(t, "GET", listURL, "")
		if res.status != 503 || res.body != `{"error_code":"FSS.0503","error_msg":"injected fault: service unavailable"}` {
			t.Fatalf("%d %s", res.status, res.body)
		}
	})

	t.Run("op filter and order", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Op: OpCancel, Status: 500})
		mustInject(t, e, Fault{Status: 502})
		if res := call(t, "POST", fnURL(base, testURN, "cancel"), `{"request_id":"x"}`); res.status != 500 {
			t.Errorf("cancel: %d, want the first fault", res.status)
		}
		if res := call(t, "GET", listURL, ""); res.status != 502 {
			t.Errorf("list: %d, want the catch-all fault", res.status)
		}
	})

	t.Run("faults come before authentication", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Status: 500})
		if res := call(t, "GET", listURL, "", "X-Auth-Token", ""); res.status != 500 {
			t.Fatalf("unauthenticated request: %d, want the fault", res.status)
		}
	})

	t.Run("probability is seeded", func(t *testing.T) {
		pattern := func() string {
			e2, base2 := startEmulator(t, Options{Seed: 42})
			mustInject(t, e2, Fault{Probability: 0.3, Status: 500})
			var b strings.Builder
			for i := 0; i < 200; i++ {
				b.WriteString(strconv.Itoa(call(t, "GET", fnURL(base2, testURN, "async-invocations"), "").status / 100))
			}
			if n := e2.Stats().FaultsApplied; n < 30 || n > 90 {
				t.Errorf("%d of 200 faulted at p=0.3", n)
			}
			return b.String()
		}
		if a, b := pattern(), pattern(); a != b {
			t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
		}
	})

	t.Run("delay slows a real answer", func(t *testing.T) {
		var timers timers
		e, base := startEmulator(t, Options{After: timers.After})
		mustInject(t, e, Fault{Delay: 80 * time.Millisecond})
		res := call(t, "GET", fnURL(base, testURN, "async-invocations"), "")
		if waits := timers.Waits(); res.status != 200 || fmt.Sprint(waits) != "[80ms]" {
			t.Fatalf("%d after waiting %v, want 200 after the fault's 80ms", res.status, waits)
		}
	})

	t.Run("delay honours the client's deadline", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Delay: time.Hour})
		open := e.Stats().OpenConnections
		if _, err := tryCall(freshClient(t, 100*time.Millisecond), "GET", listURL, ""); err == nil {
			t.Fatal("an answer despite an hour's delay")
		}
		// The handler stops waiting once the client has gone, and its connection closes.
		obs.waitUntil(t, e, func(s Stats) bool { return s.OpenConnections <= open })
	})

	t.Run("hang until the client gives up", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Op: OpCancel, Hang: true})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", fnURL(base, testURN, "cancel"), strings.NewReader(`{}`))
		resp, err := c.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("drop before processing", func(t *testing.T) {
		defer e.ClearFaults()
		id, _ := e.Invoke(testURN)
		mustInject(t, e, Fault{Op: OpCancel, Drop: DropBefore})
		before := e.Stats().AcceptedCancels
		if _, err := tryCall(c, "POST", fnURL(base, testURN, "cancel"), `{"request_id":"`+id+`"}`); err == nil {
			t.Fatal("want a transport error")
		}
		if inv, _ := e.Invocation(testURN, id); inv.Status != StatusRunning || e.Stats().AcceptedCancels != before {
			t.Fatalf("a dropped-before cancel was processed: %+v", inv)
		}
	})

	t.Run("drop after processing", func(t *testing.T) {
		defer e.ClearFaults()
		id, _ := e.Invoke(testURN)
		mustInject(t, e, Fault{Op: OpCancel, Drop: DropAfter})
		before := e.Stats().AcceptedCancels
		if _, err := tryCall(c, "POST", fnURL(base, testURN, "cancel"), `{"request_id":"`+id+`"}`); err == nil {
			t.Fatal("want a transport error")
		}
		if inv, _ := e.Invocation(testURN, id); inv.Status != StatusFail || e.Stats().AcceptedCancels != before+1 {
			t.Fatalf("a dropped-after cancel was not processed: %+v", inv)
		}
	})

	t.Run("drop after still authenticates", func(t *testing.T) {
		defer e.ClearFaults()
		id, _ := e.Invoke(testURN)
		mustInject(t, e, Fault{Op: OpCancel, Drop: DropAfter})
		_, _ = tryCall(c, "POST", fnURL(base, testURN, "cancel"), `{"request_id":"`+id+`"}`, "X-Auth-Token", "wrong")
		if inv, _ := e.Invocation(testURN, id); inv.Status != StatusRunning {
			t.Fatalf("an unauthenticated dropped-after cancel was processed: %+v", inv)
		}
	})

	t.Run("drop mid-body", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Op: OpList, Drop: DropMidBody})
		resp, err := c.Get(listURL)
		if err != nil {
			t.Fatalf("headers should arrive: %v", err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) || len(b) == 0 {
			t.Fatalf("status %d, %d bytes, err %v", resp.StatusCode, len(b), err)
		}
	})

	t.Run("malformed html", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Malformed: MalformedHTML})
		res := call(t, "GET", listURL, "")
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") || !strings.HasPrefix(res.body, "<!DOCTYPE html>") {
			t.Fatalf("%d %v %q", res.status, res.header, res.body)
		}
	})

	t.Run("malformed empty", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Malformed: MalformedEmpty})
		if res := call(t, "GET", listURL, ""); res.status != 500 || res.body != "" {
			t.Fatalf("%d %q", res.status, res.body)
		}
		e.ClearFaults()
		mustInject(t, e, Fault{Malformed: MalformedEmpty, Status: 502})
		if res := call(t, "GET", listURL, ""); res.status != 502 || res.body != "" {
			t.Fatalf("%d %q", res.status, res.body)
		}
	})

	t.Run("malformed truncated", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Malformed: MalformedTruncated})
		res := call(t, "GET", listURL, "")
		var v any
		if res.status != 200 || res.header.Get("Content-Length") != strconv.Itoa(len(res.body)) ||
			!strings.HasPrefix(res.body, `{"invocations":[`) || json.Unmarshal([]byte(res.body), &v) == nil {
			t.Fatalf("%d %v %q", res.status, res.header, res.body)
		}
	})

	t.Run("malformed huge", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Malformed: MalformedHuge})
		resp, err := c.Get(listURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		head := make([]byte, 30)
		if _, err := io.ReadFull(resp.Body, head); err != nil || resp.ContentLength != HugeBodySize || !strings.HasPrefix(string(head), `{"invocations":[]`) {
			t.Fatalf("%v %d %q", err, resp.ContentLength, head)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || n+30 != HugeBodySize {
			t.Fatalf("read %d more bytes: %v", n, err)
		}
	})

	t.Run("malformed huge, client gives up early", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Malformed: MalformedHuge})
		resp, err := c.Get(listURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // the handler must notice and stop writing
	})

	t.Run("malformed loop", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Op: OpList, Malformed: MalformedLoop})
		for _, marker := range []string{"0", "7", "7"} {
			var page listAnswer
			call(t, "GET", listURL+"?limit=5&marker="+marker, "").json(t, &page)
			if len(page.Invocations) != 5 || strconv.Itoa(page.NextMarker) != marker || page.Count <= page.NextMarker+len(page.Invocations)-1 {
				t.Fatalf("page %+v", page)
			}
		}
	})

	t.Run("malformed endless", func(t *testing.T) {
		defer e.ClearFaults()
		mustInject(t, e, Fault{Op: OpList, Malformed: MalformedEndless})
		seen := map[string]bool{}
		marker := 0
		for range 3 {
			var page listAnswer
			call(t, "GET", listURL+"?limit=5&marker="+strconv.Itoa(marker), "").json(t, &page)
			if len(page.Invocations) != 5 || page.NextMarker != marker+5 || page.Count <= page.NextMarker {
				t.Fatalf("page %+v", page)
			}
			for _, inv := range page.Invocations {
				id, _ := inv["request_id"].(string)
				if seen[id] || inv["status"] != StatusRunning {
					t.Fatalf("invocation %+v listed twice or not running", inv)
				}
				seen[id] = true
			}
			marker = page.NextMarker
		}
	})

	t.Run("invalid faults are refused", func(t *testing.T) {
		for _, f := range []Fault{{Op: "delete"}, {Drop: "sometimes"}, {Malformed: "xml"}, {Malformed: MalformedLoop}, {Malformed: MalformedEndless}, {Probability: 2}, {Times: -1}, {Status: 42}, {RetryAfter: "1\r\nX-Evil: 1"}} {
			if err := e.InjectFault(f); err == nil {
				t.Errorf("%+v accepted", f)
			}
		}
	})
}

func TestCloseWakesHangingHandlers(t *testing.T) {
	var obs observer
	e, base := startEmulator(t, Options{Observe: obs.Observe})
	mustInject(t, e, Fault{Hang: true})
	mustInject(t, e, Fault{Delay: time.Hour})
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			_, err := tryCall(freshClient(t, 0), "GET", fnURL(base, testURN, "async-invocations"), "")
			errs <- err
		}()
	}
	obs.waitUntil(t, e, func(s Stats) bool { return s.Requests == 4 })
	// Hanging and delayed an hour, the requests end only because Close wakes them.
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err == nil {
			t.Error("a hanging request got an answer")
		}
	}
}
