package fgs

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
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
