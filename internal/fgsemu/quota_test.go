package fgsemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"
)

// epochAligned is a whole UTC day, so every window of 1 s, 10 s or 1 min starts on it.
var epochAligned = time.Unix(1764806400, 0).UTC()

const otherToken = "other-token"

// quotaStep is one call in a quota scenario: the clock moves, then op is called with token.
type quotaStep struct {
	advance   time.Duration
	op        string
	token     string // "" = testToken
	throttled bool
}

// sendQuotaStep makes one API call of op; a cancel names a fresh RUNNING invocation, so it is accepted unless throttled.
func sendQuotaStep(t *testing.T, e *Emulator, base string, s quotaStep) apiResult {
	t.Helper()
	token := s.token
	if token == "" {
		token = testToken
	}
	switch s.op {
	case OpList:
		return call(t, "GET", fnURL(base, testURN, "async-invocations"), "", "X-Auth-Token", token)
	case OpInvoke:
		return call(t, "POST", fnURL(base, testURN, "invocations-async"), `{}`, "X-Auth-Token", token)
	default:
		id, err := e.Invoke(testURN)
		if err != nil {
			t.Fatal(err)
		}
		return call(t, "POST", fnURL(base, testURN, "cancel"), `{"request_id":"`+id+`","type":"force"}`, "X-Auth-Token", token)
	}
}

var throttledBodyPattern = regexp.MustCompile(`^\{"error_code":"APIGW\.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:(\d+),time:(\d+ (?:second|minute))","request_id":"([0-9a-f]{32})"\}$`)

// wantThrottled checks a refusal is API Gateway's: 429, APIGW.0308 with the quota in its text, the request ID twice, no Retry-After.
func wantThrottled(t *testing.T, res apiResult, limit int, window string) {
	t.Helper()
	m := throttledBodyPattern.FindStringSubmatch(res.body)
	if res.status != 429 || m == nil || m[1] != fmt.Sprint(limit) || m[2] != window {
		t.Fatalf("got %d %s, want 429 APIGW.0308 with limit:%d,time:%s", res.status, res.body, limit, window)
	}
	if res.header.Get("X-Request-Id") != m[3] {
		t.Errorf("X-Request-Id %q, body request_id %q", res.header.Get("X-Request-Id"), m[3])
	}
	if v, ok := res.header["Retry-After"]; ok {
		t.Errorf("a quota's 429 must carry no Retry-After, got %q", v)
	}
}

func TestQuotaWindows(t *testing.T) {
	list, cancel, invoke := OpList, OpCancel, OpInvoke
	for _, tc := range []struct {
		name   string
		start  time.Duration // after an aligned instant
		quotas []Quota
		steps  []quotaStep
	}{
		{"up to the limit, then refused until the next window", 0, []Quota{{list, 2, 10 * time.Second}}, []quotaStep{
			{0, list, "", false}, {time.Second, list, "", false}, {time.Second, list, "", true}, {6 * time.Second, list, "", true},
			{1999 * time.Millisecond, list, "", true}, {time.Millisecond, list, "", false}, {0, list, "", false}, {0, list, "", true}}},
		{"windows are aligned to the epoch, not to the first call", 9 * time.Second, []Quota{{list, 2, 10 * time.Second}}, []quotaStep{
			{0, list, "", false}, {0, list, "", false}, {0, list, "", true}, {time.Second, list, "", false}}},
		{"each API has its own count", 0, []Quota{{cancel, 1, 10 * time.Second}, {list, 2, 10 * time.Second}}, []quotaStep{
			{0, cancel, "", false}, {0, cancel, "", true}, {0, list, "", false}, {0, list, "", false}, {0, list, "", true},
			{0, invoke, "", false}, {0, invoke, "", false}, {0, invoke, "", false}, {0, cancel, "", true}}},
		{"each credential has its own count", 0, []Quota{{cancel, 1, time.Minute}}, []quotaStep{
			{0, cancel, "", false}, {0, cancel, "", true}, {0, cancel, otherToken, false}, {0, cancel, otherToken, true},
			{59 * time.Second, cancel, "", true}, {time.Second, cancel, otherToken, false}, {0, cancel, "", false}}},
		{"refused calls do not use up the next window", 0, []Quota{{list, 2, time.Second}}, []quotaStep{
			{0, list, "", false}, {0, list, "", false}, {0, list, "", true}, {0, list, "", true}, {0, list, "", true},
			{time.Second, list, "", false}, {0, list, "", false}, {0, list, "", true}}},
		{"an unset invoke quota never refuses", 0, []Quota{{cancel, 1, time.Second}}, []quotaStep{
			{0, invoke, "", false}, {0, invoke, "", false}, {0, invoke, "", false}, {0, invoke, "", false}}},
		{"a quota on invoke when set", 0, []Quota{{invoke, 1, time.Minute}}, []quotaStep{
			{0, invoke, "", false}, {0, invoke, "", true}, {0, list, "", false}}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkQuotaSteps(t, tc.start, tc.quotas, tc.steps) })
	}
}

// checkQuotaSteps sets the quotas on an emulator whose clock starts at start after an aligned instant, then runs the steps.
func checkQuotaSteps(t *testing.T, start time.Duration, quotas []Quota, steps []quotaStep) {
	clock := &fakeClock{t: epochAligned.Add(start)}
	e, base := startEmulator(t, Options{Now: clock.Now, Tokens: []string{testToken, otherToken}})
	for _, q := range quotas {
		if err := e.SetQuota(q.Op, q.Limit, q.Window); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int64{}
	for i, s := range steps {
		clock.Advance(s.advance)
		res := sendQuotaStep(t, e, base, s)
		if !s.throttled {
			if res.status/100 != 2 {
				t.Fatalf("step %d (%s): %d %s, want it let through", i, s.op, res.status, res.body)
			}
			continue
		}
		want[s.op]++
		for _, q := range quotas {
			if q.Op == s.op {
				wantThrottled(t, res, q.Limit, windowText(q.Window))
			}
		}
	}
	st := e.Stats()
	if fmt.Sprint(st.ThrottledByOp) != fmt.Sprint(want) || st.Throttled != want[OpList]+want[OpCancel]+want[OpInvoke] {
		t.Errorf("throttled %d %v, want %v", st.Throttled, st.ThrottledByOp, want)
	}
	if st.Requests != int64(len(steps)) {
		t.Errorf("requests %d, want every call counted (%d)", st.Requests, len(steps))
	}
}

func windowText(w time.Duration) string {
	if w == time.Minute {
		return "1 minute"
	}
	return fmt.Sprintf("%d second", w/time.Second)
}

// A refused cancel does nothing; a 401 or an injected fault does not use up the quota.
func TestQuotaRefusalsHaveNoEffect(t *testing.T) {
	clock := &fakeClock{t: epochAligned}
	e, base := startEmulator(t, Options{Now: clock.Now})
	if err := e.SetQuota(OpCancel, 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	cancelURL := fnURL(base, testURN, "cancel")
	if res := call(t, "POST", cancelURL, `{"request_id":"x"}`, "X-Auth-Token", "wrong"); res.status != 401 {
		t.Fatalf("unknown token: %d", res.status)
	}
	mustInject(t, e, Fault{Op: OpCancel, Times: 1, Status: 429, RetryAfter: "1"})
	if res := call(t, "POST", cancelURL, `{"request_id":"x"}`); res.status != 429 || res.header.Get("Retry-After") != "1" {
		t.Fatalf("injected 429: %d %v", res.status, res.header)
	}
	first, _ := e.Invoke(testURN)
	second, _ := e.Invoke(testURN)
	if res := call(t, "POST", cancelURL, `{"request_id":"`+first+`"}`); res.status != 200 {
		t.Fatalf("first cancel after a 401 and a fault: %d %s", res.status, res.body)
	}
	wantThrottled(t, call(t, "POST", cancelURL, `{"request_id":"`+second+`"}`), 1, "1 minute")
	if inv, _ := e.Invocation(testURN, second); inv.Status != StatusRunning {
		t.Errorf("a throttled cancel stopped the invocation: %+v", inv)
	}
	st := e.Stats()
	if st.AcceptedCancels != 1 || st.Throttled != 1 || st.FaultsApplied != 1 || st.AuthFailures != 1 {
		t.Errorf("stats %+v", st)
	}
	if err := e.SetQuota(OpCancel, 0, 0); err != nil {
		t.Fatal(err)
	}
	if res := call(t, "POST", cancelURL, `{"request_id":"`+second+`"}`); res.status != 200 {
		t.Errorf("after the quota is removed: %d %s", res.status, res.body)
	}
	e.ResetStats()
	if st := e.Stats(); st.Throttled != 0 || len(st.ThrottledByOp) != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
}

func TestThrottledMessage(t *testing.T) {
	for _, tc := range []struct {
		limit  int
		window time.Duration
		want   string
	}{
		{100, time.Minute, "limit:100,time:1 minute"},
		{5, 5 * time.Second, "limit:5,time:5 second"},
		{200, time.Second, "limit:200,time:1 second"},
		{20, 10 * time.Second, "limit:20,time:10 second"},
		{1000, 2 * time.Minute, "limit:1000,time:120 second"},
	} {
		got := ThrottledMessage(tc.limit, tc.window)
		if got != "The throttling threshold has been reached: policy user over ratelimit,"+tc.want {
			t.Errorf("%d per %s: %q", tc.limit, tc.window, got)
		}
	}
}

func TestParseQuota(t *testing.T) {
	for _, tc := range []struct {
		in     string
		limit  int
		window time.Duration
		err    string
	}{
		{"100/10s", 100, 10 * time.Second, ""},
		{"20/1m", 20, time.Minute, ""},
		{" 5 / s ", 5, time.Second, ""},
		{"60/m", 60, time.Minute, ""},
		{"0", 0, 0, ""},
		{"", 0, 0, ""},
		{"100", 0, 0, "want LIMIT/WINDOW"},
		{"0/10s", 0, 0, "at least 1"},
		{"-1/10s", 0, 0, "at least 1"},
		{"x/10s", 0, 0, "at least 1"},
		{"10/soon", 0, 0, "a duration"},
		{"10/1500ms", 0, 0, "whole seconds"},
		{"10/0s", 0, 0, "whole seconds"},
		{"10/25h", 0, 0, "whole seconds"},
	} {
		limit, window, err := ParseQuota(tc.in)
		if limit != tc.limit || window != tc.window || (err == nil) != (tc.err == "") ||
			(err != nil && !regexp.MustCompile(regexp.QuoteMeta(tc.err)).MatchString(err.Error())) {
			t.Errorf("ParseQuota(%q) = %d, %s, %v; want %d, %s, %q", tc.in, limit, window, err, tc.limit, tc.window, tc.err)
		}
	}
}

func TestQuotaControlAPI(t *testing.T) {
	clock := &fakeClock{t: epochAligned}
	e, base := startEmulator(t, Options{Now: clock.Now})
	ctl := base + "/_emulator/quotas"
	res := call(t, "POST", ctl, `{"op":"list","limit":1,"window":"1m"}`)
	var got []Quota
	res.json(t, &got)
	if res.status != 200 || fmt.Sprint(got) != fmt.Sprint([]Quota{{OpList, 1, time.Minute}}) {
		t.Fatalf("set: %d %s", res.status, res.body)
	}
	call(t, "POST", ctl, `{"op":"cancel","limit":100,"window":"10s"}`)
	if res := call(t, "GET", ctl, ""); res.body != `[{"op":"cancel","limit":100,"window":"10s"},{"op":"list","limit":1,"window":"1m0s"}]` {
		t.Fatalf("list: %s", res.body)
	}
	call(t, "GET", fnURL(base, testURN, "async-invocations"), "")
	wantThrottled(t, call(t, "GET", fnURL(base, testURN, "async-invocations"), ""), 1, "1 minute")
	var st map[string]json.RawMessage
	call(t, "GET", base+"/_emulator/stats", "").json(t, &st)
	if string(st["throttled"]) != "1" || string(st["throttled_by_op"]) != `{"list":1}` {
		t.Errorf("stats: throttled %s, throttled_by_op %s", st["throttled"], st["throttled_by_op"])
	}
	for _, bad := range []string{`{"op":"iam","limit":1,"window":"1s"}`, `{"op":"list","limit":1,"window":"1500ms"}`,
		`{"op":"list","limit":-1,"window":"1s"}`, `{"op":"list","limit":1,"windows":"1s"}`, ``} {
		if res := call(t, "POST", ctl, bad); res.status != 400 || !regexp.MustCompile(`^\{"error":".+"\}$`).MatchString(res.body) {
			t.Errorf("%s: %d %s, want 400 with an error", bad, res.status, res.body)
		}
	}
	call(t, "POST", ctl, `{"op":"cancel","limit":0}`)
	if q := e.Quotas(); len(q) != 1 || q[0].Op != OpList {
		t.Errorf("limit 0 should remove the cancel quota: %v", q)
	}
	if res := call(t, "DELETE", ctl, ""); res.status != 200 || res.body != "[]" || len(e.Quotas()) != 0 {
		t.Errorf("delete: %d %s %v", res.status, res.body, e.Quotas())
	}
	if res := call(t, "GET", fnURL(base, testURN, "async-invocations"), ""); res.status != 200 {
		t.Errorf("after clearing: %d", res.status)
	}
}

// Concurrent calls let exactly the limit through, never one more.
func TestQuotaUnderConcurrency(t *testing.T) {
	clock := &fakeClock{t: epochAligned}
	e, base := startEmulator(t, Options{Now: clock.Now})
	if err := e.SetQuota(OpList, 37, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	const calls = 120
	statuses := make(chan int, calls)
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := tryCall(http.DefaultClient, "GET", fnURL(base, testURN, "async-invocations"), "")
			if err != nil {
				t.Error(err)
				return
			}
			statuses <- res.status
		}()
	}
	wg.Wait()
	close(statuses)
	n := map[int]int{}
	for s := range statuses {
		n[s]++
	}
	if n[200] != 37 || n[429] != calls-37 {
		t.Fatalf("answers by status %v, want 37 × 200 and %d × 429", n, calls-37)
	}
	if st := e.Stats(); st.ThrottledByOp[OpList] != calls-37 || st.RequestsByOp[OpList] != calls {
		t.Errorf("stats %+v", st)
	}
}
