package fgsemu

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestInvokeAnswers(t *testing.T) {
	_, base := startEmulator(t, Options{})
	otherProject := "urn:fss:cn-north-4:ffffffffffffffffffffffffffffffff:function:default:hello:latest"
	tests := []struct {
		name       string
		url        string
		wantStatus int
		wantBody   string // exact, unless empty
	}{
		{"raw colons", fnURL(base, testURN, "invocations-async"), 202, ""},
		{"percent-encoded colons", fnURL(base, url.PathEscape(testURN), "invocations-async"), 202, ""},
		{"lower-case escapes", fnURL(base, strings.ReplaceAll(testURN, ":", "%3a"), "invocations-async"), 202, ""},
		{"no version means latest", fnURL(base, strings.TrimSuffix(testURN, ":latest"), "invocations-async"), 202, ""},
		{"unknown function", fnURL(base, strings.Replace(testURN, "hello", "nope", 1), "invocations-async"), 404, `{"error_code":"FSS.0404","error_msg":"can not find function"}`},
		{"URN project differs from path", fnURL(base, otherProject, "invocations-async"), 404, `{"error_code":"FSS.0404","error_msg":"can not find function"}`},
		{"malformed URN", fnURL(base, "not-a-urn", "invocations-async"), 404, `{"error_code":"FSS.0404","error_msg":"can not find function"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, "POST", tc.url, `{"k":"v"}`)
			if res.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.status, tc.wantStatus, res.body)
			}
			if got := res.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
			if got := res.header.Get("X-Request-Id"); !tracePattern.MatchString(got) {
				t.Errorf("X-Request-Id %q is not 32 hex", got)
			}
			if tc.wantBody != "" {
				if res.body != tc.wantBody {
					t.Errorf("body %s, want %s", res.body, tc.wantBody)
				}
				return
			}
			var got struct {
				RequestID string `json:"request_id"`
			}
			res.json(t, &got)
			if !uuidPattern.MatchString(got.RequestID) {
				t.Errorf("request_id %q is not a UUID", got.RequestID)
			}
		})
	}
}

func TestListAnswers(t *testing.T) {
	clock := newFakeClock()
	e, base := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, RunFor: 10 * time.Second})
	first := clock.Now()
	ids, _ := e.InvokeN(testURN, 3) // will end SUCCESS at +10s
	clock.Advance(20 * time.Second)
	later, _ := e.InvokeN(testURN, 2) // RUNNING
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

	listURL := fnURL(base, testURN, "async-invocations")
	tests := []struct {
		name      string
		query     string
		status    int
		wantIDs   []string
		wantCount int
		wantNext  int
		wantError string
	}{
		{"all", "", 200, append(append([]string{}, ids...), later...), 5, 5, ""},
		{"first page", "limit=2", 200, ids[:2], 5, 2, ""},
		{"second page", "marker=2&limit=2", 200, []string{ids[2], later[0]}, 5, 4, ""},
		{"last page", "marker=4&limit=2", 200, later[1:], 5, 5, ""},
		{"past the end", "marker=9", 200, nil, 5, 9, ""},
		{"status RUNNING", "status=RUNNING", 200, later, 2, 2, ""},
		{"status SUCCESS", "status=SUCCESS&limit=1", 200, ids[:1], 3, 1, ""},
		{"status FAIL none", "status=FAIL", 200, nil, 0, 0, ""},
		{"request_id", "request_id=" + later[1], 200, later[1:], 1, 1, ""},
		{"unknown request_id", "request_id=nope", 200, nil, 0, 0, ""},
		{"begin (API format)", "query_begin_time=" + ts(first.Add(10*time.Second)), 200, later, 2, 2, ""},
		{"end (RFC 3339)", "query_end_time=" + url.QueryEscape(first.Add(time.Second).Format(time.RFC3339)), 200, ids, 3, 3, ""},
		{"begin equals start second", "query_begin_time=" + ts(first) + "&query_end_time=" + ts(first), 200, ids, 3, 3, ""},
		{"bad status", "status=running", 400, nil, 0, 0, `{"error_code":"FSS.0400","error_msg":"Invalid status"}`},
		{"limit 0", "limit=0", 400, nil, 0, 0, "Invalid limit"},
		{"limit 501", "limit=501", 400, nil, 0, 0, "Invalid limit"},
		{"limit 500", "limit=500", 200, append(append([]string{}, ids...), later...), 5, 5, ""},
		{"limit not a number", "limit=ten", 400, nil, 0, 0, "Invalid limit"},
		{"negative marker", "marker=-1", 400, nil, 0, 0, "Invalid marker"},
		{"bad begin time", "query_begin_time=yesterday", 400, nil, 0, 0, "Invalid query_begin_time"},
		{"bad end time", "query_end_time=2024-13-01T00:00:00", 400, nil, 0, 0, "Invalid query_end_time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := listURL
			if tc.query != "" {
				u += "?" + tc.query
			}
			res := call(t, "GET", u, "")
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.wantError != "" {
				if !strings.Contains(res.body, tc.wantError) || !strings.Contains(res.body, `"error_code":"FSS.0400"`) {
					t.Fatalf("body %s, want %s", res.body, tc.wantError)
				}
				return
			}
			var got listAnswer
			res.json(t, &got)
			var gotIDs []string
			for _, inv := range got.Invocations {
				gotIDs = append(gotIDs, inv["request_id"].(string))
			}
			if fmt.Sprint(gotIDs) != fmt.Sprint(tc.wantIDs) || got.Count != tc.wantCount || got.NextMarker != tc.wantNext {
				t.Fatalf("got ids %v count %d next %d; want %v %d %d", gotIDs, got.Count, got.NextMarker, tc.wantIDs, tc.wantCount, tc.wantNext)
			}
		})
	}

	t.Run("entry shape", func(t *testing.T) {
		var got listAnswer
		call(t, "GET", listURL+"?limit=1", "").json(t, &got)
		done := got.Invocations[0]
		want := map[string]any{"request_id": ids[0], "status": "SUCCESS", "start_time": ts(first), "end_time": ts(first.Add(10 * time.Second))}
		if fmt.Sprint(done) != fmt.Sprint(want) {
			t.Errorf("ended entry %v, want %v (no error_code when 0)", done, want)
		}
		var one listAnswer
		call(t, "GET", listURL+"?request_id="+later[0], "").json(t, &one)
		running := one.Invocations[0]
		if _, ok := running["end_time"]; ok || running["status"] != "RUNNING" {
			t.Errorf("running entry %v should have no end_time", running)
		}
	})

	t.Run("count and pages over thousands", func(t *testing.T) {
		if _, err := e.InvokeN(testURN, 3000); err != nil {
			t.Fatal(err)
		}
		seen, marker := 0, 0
		for {
			var page listAnswer
			call(t, "GET", fmt.Sprintf("%s?marker=%d&limit=500", listURL, marker), "").json(t, &page)
			if page.Count != 3005 {
				t.Fatalf("count %d", page.Count)
			}
			seen += len(page.Invocations)
			if len(page.Invocations) == 0 || page.NextMarker >= page.Count {
				break
			}
			marker = page.NextMarker
		}
		if seen != 3005 {
			t.Fatalf("paged through %d invocations, want 3005", seen)
		}
	})
}

func TestCancelAnswers(t *testing.T) {
	clock := newFakeClock()
	e, base := startEmulator(t, Options{Now: clock.Now}, Function{URN: testURN, RunFor: time.Second})
	ended, _ := e.Invoke(testURN)
	clock.Advance(2 * time.Second) // ended is SUCCESS now
	running, _ := e.InvokeN(testURN, 2)
	cancelURL := fnURL(base, testURN, "cancel")
	invalidID := `{"error_code":"FSS.0400","error_msg":"Invalid RequestId"}`
	invalidType := `{"error_code":"FSS.0400","error_msg":"Invalid type"}`
	notFound := `{"error_code":"FSS.0404","error_msg":"can not find function"}`

	tests := []struct {
		name   string
		url    string
		body   string
		status int
		want   string
	}{
		{"not JSON", cancelURL, `{"request_id":`, 400, invalidID},
		{"empty body", cancelURL, ``, 400, invalidID},
		{"null body", cancelURL, `null`, 400, invalidID},
		{"empty request_id", cancelURL, `{"request_id":""}`, 400, invalidID},
		{"request_id not a string", cancelURL, `{"request_id":42}`, 400, invalidID},
		{"bad type", cancelURL, `{"request_id":"` + running[0] + `","type":"gentle"}`, 400, invalidType},
		{"empty type", cancelURL, `{"request_id":"` + running[0] + `","type":""}`, 400, invalidType},
		{"type not a string", cancelURL, `{"request_id":"` + running[0] + `","type":1}`, 400, invalidType},
		{"unknown function", fnURL(base, strings.Replace(testURN, "hello", "nope", 1), "cancel"), `{"request_id":"x"}`, 404, notFound},
		{"unknown request", cancelURL, `{"request_id":"00000000-0000-4000-8000-000000000000"}`, 400, invalidID},
		{"already ended", cancelURL, `{"request_id":"` + ended + `"}`, 400, invalidID},
		{"running, force", cancelURL, `{"request_id":"` + running[0] + `","type":"force"}`, 200, `null`},
		{"now ended (stop delay 0)", cancelURL, `{"request_id":"` + running[0] + `"}`, 400, invalidID},
		{"running, recursive", cancelURL, `{"request_id":"` + running[1] + `","type":"recursive"}`, 200, `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, "POST", tc.url, tc.body)
			if res.status != tc.status || res.body != tc.want {
				t.Fatalf("got %d %s, want %d %s", res.status, res.body, tc.status, tc.want)
			}
		})
	}
	if s := e.Stats(); s.AcceptedCancels != 2 || s.RequestsByOp[OpCancel] != int64(len(tests)) {
		t.Errorf("stats %+v", s)
	}
	inv, _ := e.Invocation(testURN, running[0])
	if inv.Status != StatusFail || inv.ErrorCode != 4208 || inv.ErrorMessage != "function invocation canceled" || !inv.EndTime.Equal(clock.Now()) || inv.Cancels != 1 {
		t.Errorf("cancelled invocation %+v", inv)
	}
}

func TestAuthAnswers(t *testing.T) {
	clock := newFakeClock()
	e, base := startEmulator(t, Options{Now: clock.Now})
	e.AddToken("short-lived", clock.Now().Add(time.Minute))
	u := fnURL(base, testURN, "async-invocations")
	tests := []struct {
		name    string
		headers []string
		status  int
		code    string
		text    string
	}{
		{"token", nil, 200, "", ""},
		{"no auth", []string{"X-Auth-Token", ""}, 401, "APIGW.0101", "Missing authentication"},
		{"unknown token", []string{"X-Auth-Token", "guess"}, 401, "APIGW.0301", "Incorrect IAM authentication information: unknown X-Auth-Token"},
		{"added token", []string{"X-Auth-Token", "short-lived"}, 200, "", ""},
		{"bad Authorization", []string{"Authorization", "Basic Zm9vOmJhcg=="}, 401, "APIGW.0301", "unsupported signing algorithm"},
		{"unsigned date", []string{"Authorization", "SDK-HMAC-SHA256 Access=" + testAK + ", SignedHeaders=host, Signature=" + strings.Repeat("0", 64), "X-Sdk-Date", "20200101T000000Z"}, 401, "APIGW.0301", "X-Sdk-Date header is not signed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, "GET", u, "", tc.headers...)
			if res.status != tc.status {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if tc.code != "" && (!strings.Contains(res.body, `"error_code":"`+tc.code+`"`) || !strings.Contains(res.body, tc.text)) {
				t.Fatalf("body %s, want %s %q", res.body, tc.code, tc.text)
			}
		})
	}
	clock.Advance(time.Minute)
	res := call(t, "GET", u, "", "X-Auth-Token", "short-lived")
	if res.status != 401 || !strings.Contains(res.body, "expired") {
		t.Errorf("expired token: %d %s", res.status, res.body)
	}
	if got := e.Stats().AuthFailures; got != 5 {
		t.Errorf("auth failures %d, want 5", got)
	}
}

func TestOtherPaths(t *testing.T) {
	_, base := startEmulator(t, Options{})
	for _, tc := range []struct{ method, path string }{
		{"GET", "/"},
		{"GET", "/v2/" + testProject + "/fgs/functions/" + testURN + "/nothing"},
		{"GET", "/v2/" + testProject + "/fgs/functions/" + testURN + "/cancel"},
		{"DELETE", "/v2/" + testProject + "/fgs/functions/" + testURN + "/invocations-async"},
		{"GET", "/v3.0/OS-CREDENTIAL/securitytokens"},
	} {
		res := call(t, tc.method, base+tc.path, "")
		if res.status != 404 || !strings.Contains(res.body, `"error_code":"APIGW.0101"`) || res.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, res.status, res.body)
		}
	}
}

func TestIAMAnswers(t *testing.T) {
	clock := newFakeClock()
	e, base := startEmulator(t, Options{Now: clock.Now, Agencies: []Agency{{DomainName: "acme", DomainID: "d0001", AgencyName: "fgs-ops"}}})
	u := base + "/v3.0/OS-CREDENTIAL/securitytokens"
	body := func(inner string) string {
		return `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{` + inner + `}}}}`
	}
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		ttl    time.Duration
	}{
		{"by domain name, default duration", body(`"agency_name":"fgs-ops","domain_name":"acme"`), 201, "", 900 * time.Second},
		{"by domain id, 1h", body(`"agency_name":"fgs-ops","domain_id":"d0001","duration_seconds":3600`), 201, "", time.Hour},
		{"unknown agency", body(`"agency_name":"root","domain_name":"acme"`), 403, "IAM.0002", 0},
		{"unknown domain", body(`"agency_name":"fgs-ops","domain_name":"evil"`), 403, "IAM.0002", 0},
		{"no domain", body(`"agency_name":"fgs-ops"`), 400, "IAM.0011", 0},
		{"duration too short", body(`"agency_name":"fgs-ops","domain_name":"acme","duration_seconds":60`), 400, "IAM.0011", 0},
		{"wrong method", `{"auth":{"identity":{"methods":["password"]}}}`, 400, "IAM.0011", 0},
		{"not JSON", `{`, 400, "IAM.0011", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, "POST", u, tc.body)
			if res.status != tc.status {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if tc.code != "" {
				var got iamError
				res.json(t, &got)
				if got.Error.Code != tc.code || got.Error.Message == "" || got.Error.Title == "" {
					t.Fatalf("error %+v", got)
				}
				return
			}
			var got assumeRoleResponse
			res.json(t, &got)
			c := got.Credential
			if len(c.Access) != 20 || c.Secret == "" || c.SecurityToken == "" {
				t.Fatalf("credential %+v", c)
			}
			exp, err := time.Parse(time.RFC3339Nano, c.ExpiresAt)
			if err != nil || !exp.Equal(clock.Now().Add(tc.ttl)) || !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`).MatchString(c.ExpiresAt) {
				t.Fatalf("expires_at %q (%v), want now+%v", c.ExpiresAt, err, tc.ttl)
			}
		})
	}
	if s := e.Stats(); s.IAMCalls != int64(len(tests)) || s.RequestsByOp[OpIAM] != int64(len(tests)) {
		t.Errorf("stats %+v", s)
	}
}
