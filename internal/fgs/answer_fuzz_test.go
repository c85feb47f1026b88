package fgs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// Credentials of the fuzzed client. The secret key never goes on the wire;
// the security token does, so a server can echo it back.
const (
	fuzzAccessKey     = "FUZZACCESSKEY000001"
	fuzzSecretKey     = "fuzz-secret-key-never-shown-0001"
	fuzzSecurityToken = "fuzz-security-token-never-shown-0001"
)

// fuzzAnswer is the answer the fuzzing server gives to every request.
type fuzzAnswer struct {
	status                             int
	contentType, requestID, retryAfter string
	body                               []byte
	// echo makes the server repeat the request's X-Security-Token and
	// Authorization in its body, and the token as X-Request-Id, as a
	// debugging proxy's error page might.
	echo bool
}

// FuzzAnswer serves whatever the fuzzer makes up (status, headers, body) as
// FunctionGraph's answer to a cancel and to a list, and checks what the
// client makes of it: no panic; success only for a 2xx answer; otherwise one
// *fgs.Error, not an internal one, whose texts are valid UTF-8 on one line
// without control characters, and hold none of the call's secrets (nor the
// access key unmasked) even when the server echoes them.
func FuzzAnswer(f *testing.F) {
	for _, a := range []fuzzAnswer{
		{status: 200, contentType: "application/json", requestID: "0123456789abcdef0123456789abcdef", body: []byte("null")},
		{status: 400, contentType: "application/json", body: []byte(`{"error_code":"FSS.0400","error_msg":"Invalid RequestId"}`)},
		{status: 429, retryAfter: "1", body: []byte(`{"error_code":"APIGW.0308","error_msg":"throttled"}`)},
		{status: 500, contentType: "text/html", body: []byte("<html><body><h1>500 Internal Server Error</h1></body></html>")},
		{status: 500},
		{status: 200, contentType: "application/json", body: []byte(`{"invocations":[{"request_id":"a","status":"RUN`)},
		{status: 302, contentType: "text/html", body: []byte(`<a href="https://login.example/">Found</a>`)},
		{status: 204},
		{status: 302, contentType: "application/json", body: []byte(`{}`)},
		{status: 303},
		{status: 400, body: []byte("{\"error_code\":\"FSS.1\",\"error_msg\":\"bad \xff \\u001b[31m\\nHTTP status: 200\"}")},
		{status: 401, body: []byte(`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: token `), echo: true},
		{status: 200, requestID: "id\x00\x1b[2J", body: []byte(`{"invocations":[],"count":0,"next_marker":0}`), echo: true},
		{status: 200, body: []byte(`{"invocations":[{"request_id":"r\u0000","status":"F\u001bAIL","error_message":"line1\nline2\xff","error_code":4208,"start_time":"2026-01-02T03:04:05","end_time":"x"}],"count":1,"next_marker":1}`)},
	} {
		f.Add(a.status, a.contentType, a.requestID, a.retryAfter, a.body, a.echo)
	}

	var mu sync.Mutex
	var current fuzzAnswer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		a := current
		mu.Unlock()
		body := a.body
		if a.echo {
			token := r.Header.Get("X-Security-Token")
			body = append(append([]byte(nil), body...), token+" "+r.Header.Get("Authorization")+`"}`...)
			a.requestID = token
		}
		for k, v := range map[string]string{"Content-Type": a.contentType, "X-Request-Id": a.requestID, "Retry-After": a.retryAfter} {
			if v != "" {
				w.Header().Set(k, v)
			}
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(a.status)
		_, _ = w.Write(body)
	}))
	f.Cleanup(srv.Close)
	client, err := fgs.New(fgs.Config{
		Credentials:      fgs.Credentials{AccessKey: fuzzAccessKey, SecretKey: fuzzSecretKey, SecurityToken: fuzzSecurityToken},
		EndpointOverride: srv.URL,
		Retry:            fgs.RetryPolicy{MaxRetries: 0, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond},
		AttemptTimeout:   2 * time.Second,
	})
	if err != nil {
		f.Fatal(err)
	}
	urn := fgs.URN{Region: "cn-north-4", ProjectID: "0123456789abcdef0123456789abcdef", Package: "default", FunctionName: "hello", Version: "latest"}

	f.Fuzz(func(t *testing.T, status int, contentType, requestID, retryAfter string, body []byte, echo bool) {
		// Any status a server can send: 1xx are interim (the final answer
		// is then 200), except 101, which would switch protocols.
		if status < 100 || status > 599 {
			status = 100 + (status%500+500)%500
		}
		if status == http.StatusSwitchingProtocols {
			status = http.StatusOK
		}
		mu.Lock()
		current = fuzzAnswer{status, contentType, requestID, retryAfter, body, echo}
		mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		success := status >= 200 && status <= 299 || status < 200 && status != http.StatusSwitchingProtocols

		res, err := client.Cancel(ctx, fgs.CancelRequest{URN: urn, RequestID: "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"})
		if err == nil {
			if !success {
				t.Fatalf("HTTP %d was taken as an accepted cancel", status)
			}
			checkText(t, "cancel's X-Request-Id", res.APIRequestID)
		} else {
			checkError(t, "cancel", status, err)
		}

		list, err := client.ListInvocations(ctx, urn, fgs.ListFilter{})
		if err == nil {
			if !success {
				t.Fatalf("HTTP %d was taken as a list of %d invocations", status, len(list))
			}
			for _, inv := range list {
				for _, s := range []string{inv.RequestID, inv.Status, inv.ErrorCode, inv.ErrorMessage} {
					if !utf8.ValidString(s) {
						t.Fatalf("listed invocation holds invalid UTF-8: %+v", inv)
					}
				}
			}
		} else {
			checkError(t, "list", status, err)
		}
	})
}

// checkError checks a failed call's error against the answer that caused it.
func checkError(t *testing.T, op string, status int, err error) {
	t.Helper()
	e, ok := fgs.AsError(err)
	if !ok {
		t.Fatalf("%s: error %v is %T, not *fgs.Error", op, err, err)
	}
	if e.Kind == fgs.KindInternal {
		t.Fatalf("%s: an internal error (HTTP %d): %v", op, status, e)
	}
	if status >= 400 && e.Kind == fgs.KindAPI && e.StatusCode != status {
		t.Fatalf("%s: HTTP %d reported as %d", op, status, e.StatusCode)
	}
	for name, s := range map[string]string{"Error()": e.Error(), "Message": e.Message, "Code": e.Code, "RequestID": e.RequestID, "Note": e.Note} {
		checkText(t, op+" error's "+name, s)
	}
}

// checkText checks text from an answer is safe to show on one line.
func checkText(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not valid UTF-8: %q", what, s)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		t.Fatalf("%s holds a control character at %d: %q", what, i, s)
	}
	// A piece of the token is a leak too, where an answer was cut short.
	for _, secret := range []string{fuzzSecretKey, fuzzSecurityToken[:8], fuzzAccessKey} {
		if strings.Contains(s, secret) {
			t.Fatalf("%s shows a secret, or the access key unmasked: %q", what, s)
		}
	}
}
