package fgsemu

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestControlAPI(t *testing.T) {
	e, base := startEmulator(t, Options{})
	ctl := base + "/_emulator/"
	other := "urn:fss:cn-north-4:" + testProject + ":function:default:other"

	t.Run("add a function", func(t *testing.T) {
		res := call(t, "POST", ctl+"functions", `{"urn":"`+other+`","concurrency":2,"stop_delay":"1.5s","never_stops":false,"run_for":"1m"}`)
		var got Function
		res.json(t, &got)
		want := Function{URN: other + ":latest", Concurrency: 2, StopDelay: 1500 * time.Millisecond, RunFor: time.Minute}
		if res.status != 201 || got != want {
			t.Fatalf("%d %+v, want %+v", res.status, got, want)
		}
		var all []Function
		call(t, "GET", ctl+"functions", "").json(t, &all)
		if len(all) != 2 {
			t.Fatalf("functions %+v", all)
		}
	})

	var ids []string
	t.Run("invoke", func(t *testing.T) {
		var got InvokeResponse
		res := call(t, "POST", ctl+"invoke", `{"urn":"`+other+`","count":3}`)
		res.json(t, &got)
		if res.status != 200 || len(got.RequestIDs) != 3 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		ids = got.RequestIDs
		if s := e.Stats(); s.Requests != 0 {
			t.Errorf("control calls counted as API requests: %+v", s)
		}
	})

	t.Run("invocations", func(t *testing.T) {
		var got InvocationsResponse
		call(t, "GET", ctl+"invocations?urn="+other, "").json(t, &got)
		if len(got.Invocations) != 3 || got.Invocations[1].RequestID != ids[1] || got.Invocations[2].Instance != 1 || got.Invocations[0].Status != StatusRunning {
			t.Fatalf("%+v", got)
		}
		var one InvocationsResponse
		call(t, "GET", ctl+"invocations?urn="+other+"&request_id="+ids[2], "").json(t, &one)
		if len(one.Invocations) != 1 || one.Invocations[0].RequestID != ids[2] || !one.Invocations[0].EndTime.IsZero() {
			t.Fatalf("%+v", one)
		}
		if res := call(t, "GET", ctl+"invocations?urn="+other+"&request_id=nope", ""); res.status != 404 {
			t.Fatalf("unknown request id: %d", res.status)
		}
	})

	t.Run("faults", func(t *testing.T) {
		res := call(t, "POST", ctl+"faults", `{"op":"list","times":1,"status":503,"retry_after":"2","delay":"1ms"}`)
		if res.status != 201 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		var listed []Fault
		call(t, "GET", ctl+"faults", "").json(t, &listed)
		if len(listed) != 1 || listed[0] != (Fault{Op: OpList, Times: 1, Status: 503, RetryAfter: "2", Delay: time.Millisecond}) {
			t.Fatalf("faults %+v", listed)
		}
		if res := call(t, "GET", fnURL(base, testURN, "async-invocations"), ""); res.status != 503 || res.header.Get("Retry-After") != "2" {
			t.Fatalf("injected fault not applied: %d", res.status)
		}
		call(t, "POST", ctl+"faults", `{"status":500}`)
		if res := call(t, "DELETE", ctl+"faults", ""); res.status != 200 {
			t.Fatal(res.body)
		}
		if res := call(t, "GET", fnURL(base, testURN, "async-invocations"), ""); res.status != 200 {
			t.Fatalf("faults not cleared: %d", res.status)
		}
		if res := call(t, "POST", ctl+"faults", `{"drop":"sideways"}`); res.status != 400 || !strings.Contains(res.body, "drop") {
			t.Fatalf("invalid fault: %d %s", res.status, res.body)
		}
	})

	t.Run("latency", func(t *testing.T) {
		var timers timers
		_, base := startEmulator(t, Options{After: timers.After})
		ctl := base + "/_emulator/"
		if res := call(t, "POST", ctl+"latency", `{"latency":"40ms"}`); res.status != 200 {
			t.Fatal(res.body)
		}
		call(t, "GET", fnURL(base, testURN, "async-invocations"), "")
		if waits := timers.Waits(); fmt.Sprint(waits) != "[40ms]" {
			t.Errorf("the answer waited %v, want the latency's 40ms", waits)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if res := call(t, "POST", ctl+"tokens", `{"token":"demo-token","expires":"`+exp+`"}`); res.status != 201 {
			t.Fatal(res.body)
		}
		if res := call(t, "GET", fnURL(base, testURN, "async-invocations"), "", "X-Auth-Token", "demo-token"); res.status != 200 {
			t.Fatalf("added token refused: %d", res.status)
		}
	})

	t.Run("stats and reset", func(t *testing.T) {
		var s Stats
		call(t, "GET", ctl+"stats", "").json(t, &s)
		if s.Requests == 0 || s.FaultsApplied != 1 || s.RequestsByOp[OpList] == 0 {
			t.Fatalf("%+v", s)
		}
		for _, key := range []string{`"requests"`, `"requests_by_op"`, `"accepted_cancels"`, `"auth_failures"`, `"faults_applied"`, `"iam_calls"`, `"connections"`, `"open_connections"`, `"max_open_connections"`} {
			if res := call(t, "GET", ctl+"stats", ""); !strings.Contains(res.body, key) {
				t.Errorf("stats JSON lacks %s: %s", key, res.body)
			}
		}
		call(t, "POST", ctl+"reset-stats", "")
		if s := e.Stats(); s.Requests != 0 || s.FaultsApplied != 0 {
			t.Fatalf("after reset %+v", s)
		}
	})

	t.Run("mistakes", func(t *testing.T) {
		for _, tc := range []struct {
			method, path, body string
			status             int
		}{
			{"POST", "invoke", `{"urn":"urn:fss:x:y:function:a:b","count":1}`, 404},
			{"POST", "invoke", `{"urn":"` + other + `","count":-1}`, 400},
			{"POST", "invoke", `{"urn":"` + other + `","cuont":2}`, 400},
			{"POST", "functions", `{"urn":"nope"}`, 400},
			{"POST", "functions", `{"urn":"` + other + `","stop_delay":"soon"}`, 400},
			{"POST", "latency", ``, 400},
			{"POST", "tokens", `{"token":""}`, 400},
			{"GET", "invocations?urn=nope", ``, 404},
			{"GET", "nothing", ``, 404},
			{"PUT", "stats", ``, 404},
		} {
			if res := call(t, tc.method, ctl+tc.path, tc.body); res.status != tc.status || !strings.Contains(res.body, `"error":`) {
				t.Errorf("%s %s %s: %d %s", tc.method, tc.path, tc.body, res.status, res.body)
			}
		}
	})

	t.Run("loopback only", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/_emulator/stats", nil)
		r.RemoteAddr = "192.0.2.7:4000"
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, r)
		if rec.Code != http.StatusForbidden {
			t.Fatalf("remote client got %d", rec.Code)
		}
	})
}

// TestControlAPIUnknownEndpoints: a method a path lacks is named with what
// the path answers, and an uncleaned path is refused, never redirected out of
// /_emulator/ as http.ServeMux would.
func TestControlAPIUnknownEndpoints(t *testing.T) {
	_, base := startEmulator(t, Options{})
	for _, tc := range []struct{ method, path, want string }{
		{"PUT", "/_emulator/stats", `no such control endpoint: PUT /_emulator/stats (/_emulator/stats answers GET)`},
		{"PATCH", "/_emulator/faults", `(/_emulator/faults answers POST, GET, DELETE)`},
		{"GET", "/_emulator/nothing", `no such control endpoint: GET /_emulator/nothing"`},
		{"GET", "/_emulator//stats", `no such control endpoint: GET /_emulator//stats"`},
		{"GET", "/_emulator/../_emulator/stats", `no such control endpoint: GET /_emulator/../_emulator/stats"`},
		{"GET", "/_emulator/stats/", `no such control endpoint: GET /_emulator/stats/"`},
	} {
		res := call(t, tc.method, base+tc.path, "")
		var body ControlError
		res.json(t, &body)
		if res.status != http.StatusNotFound || !strings.Contains(res.body, tc.want) || res.header.Get("Location") != "" {
			t.Errorf("%s %s: %d %v %s, want 404 with %s", tc.method, tc.path, res.status, res.header, res.body, tc.want)
		}
	}
}

// TestControlAPIHead: HEAD answers wherever GET does, with no body, as
// http.ServeMux routes it; a POST-only endpoint still refuses it.
func TestControlAPIHead(t *testing.T) {
	_, base := startEmulator(t, Options{})
	if res := call(t, "HEAD", base+"/_emulator/stats", ""); res.status != http.StatusOK || res.body != "" {
		t.Errorf("HEAD stats: %d %q", res.status, res.body)
	}
	if res := call(t, "HEAD", base+"/_emulator/reset-stats", ""); res.status != http.StatusNotFound {
		t.Errorf("HEAD reset-stats: %d", res.status)
	}
}
