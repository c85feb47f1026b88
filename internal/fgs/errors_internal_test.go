package fgs

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
)

// Which connection failures are sent again: only those that may heal.
func TestConnectionFailureRetryable(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return &url.Error{Op: "Post", URL: "https://x", Err: err} }
	tests := []struct {
		name      string
		err       error
		retryable bool
	}{
		{name: "connection refused", err: wrap(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), retryable: true},
		{name: "dead proxy", err: wrap(&ProxyError{Proxy: "http://127.0.0.1:1", Err: &net.OpError{Op: "proxyconnect", Err: syscall.ECONNREFUSED}}), retryable: true},
		{name: "reset", err: wrap(syscall.ECONNRESET), retryable: true},
		{name: "plain HTTP answer to TLS", err: wrap(http.ErrSchemeMismatch)},
		{name: "plain HTTP record through a proxy", err: wrap(&ProxyError{Proxy: "http://p", Err: tls.RecordHeaderError{RecordHeader: [5]byte{'H', 'T', 'T', 'P', '/'}}})},
		{name: "invalid port", err: wrap(&net.OpError{Op: "dial", Err: &net.AddrError{Err: "invalid port", Addr: "99999"}})},
		{name: "proxy refused CONNECT", err: wrap(&ProxyError{Proxy: "http://p", Status: "403 Forbidden", Target: "x:443"})},
		{name: "malformed header", err: wrap(&HeaderError{Header: "X-Auth-Token"})},
		{name: "unknown host", err: wrap(&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true})},
	}
	for _, tt := range tests {
		e := &Error{Kind: KindConnection, Err: tt.err, Message: connectionMessage(tt.err)}
		if got := e.retryable(); got != tt.retryable {
			t.Errorf("%s: retryable %t, want %t (%s)", tt.name, got, tt.retryable, e.Message)
		}
		if e.Message == "" || errors.Unwrap(tt.err) == nil {
			t.Errorf("%s: no message", tt.name)
		}
	}
}

// A success answer is a failure only when its body carries an error.
func TestErrorInAnswer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		fields   errorFields
		wantErr  bool
		wantCode string
	}{
		{fields: errorFields{}},
		{fields: errorFields{ErrorCode: "", ErrorMsg: ""}},
		{fields: errorFields{ErrorCode: json.Number("0")}},
		{fields: errorFields{ErrorCode: "FSS.0500", ErrorMsg: "internal error"}, wantErr: true, wantCode: "FSS.0500"},
		{fields: errorFields{ErrorCode: json.Number("4208")}, wantErr: true, wantCode: "4208"},
		{fields: errorFields{ErrorMsg: "failed"}, wantErr: true},
	} {
		err := errorInAnswer(&cancelAnswer{errorFields: tt.fields})
		var e *errorBodyError
		if got := errors.As(err, &e); got != tt.wantErr || got && e.code != tt.wantCode {
			t.Fatalf("%+v: got %v, want an error %t with code %q", tt.fields, err, tt.wantErr, tt.wantCode)
		}
	}
	if errorInAnswer(nil) != nil || errorInAnswer(&struct{}{}) != nil {
		t.Fatal("an answer without error fields is a failure")
	}
}

// An attempt may have been carried out only if it reached the endpoint and
// no answer said what became of it.
func TestLostAnswer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		e    Error
		lost bool
	}{
		{e: Error{Kind: KindConnection}},
		{e: Error{Kind: KindTimeout}},
		{e: Error{Kind: KindConnection, reached: true}, lost: true},
		{e: Error{Kind: KindCanceled, reached: true}, lost: true},
		{e: Error{Kind: KindAPI, StatusCode: 503, reached: true}, lost: true},
		{e: Error{Kind: KindAPI, StatusCode: 429, reached: true}},
		{e: Error{Kind: KindAPI, StatusCode: 400, reached: true}},
		{e: Error{Kind: KindAPI, StatusCode: 200, Code: "FSS.0500", reached: true}},
		{e: Error{Kind: KindBadResponse, StatusCode: 200, reached: true}, lost: true},
		{e: Error{Kind: KindBadResponse, StatusCode: 502, cutOff: true, reached: true}, lost: true},
		{e: Error{Kind: KindBadResponse, StatusCode: 302, reached: true}},
		{e: Error{Kind: KindInvalidInput, reached: true}},
	} {
		if got := tt.e.lostAnswer(); got != tt.lost {
			t.Fatalf("%+v: lost %t, want %t", tt.e, got, tt.lost)
		}
	}
}

// An echo of a request's headers shows neither its signature nor its tokens.
func TestMaskerHidesTheRequestsHeaders(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("Authorization", "SDK-HMAC-SHA256 Access=ACCESSKEY0001, SignedHeaders=host;x-sdk-date, Signature=0123456789abcdef")
	h.Set("X-Security-Token", "security-token-0001")
	m := identity{keys: Credentials{AccessKey: "ACCESSKEY0001", SecretKey: "secret-key-0001"}}.masker().with(authHeaderSecrets(h)...)
	got := m.text("echo: "+h.Get("Authorization")+" "+h.Get("X-Security-Token"), 500)
	for _, secret := range []string{"0123456789abcdef", "security-token-0001", "ACCESSKEY0001"} {
		if strings.Contains(got, secret) {
			t.Fatalf("%q shows %q", got, secret)
		}
	}
	if !strings.Contains(got, "Signature=***") {
		t.Fatalf("%q: the signature is not masked in place", got)
	}
}
