package resources

import (
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// A connection failure's advice names its real cause: the proxy when the
// proxy failed, the endpoint's scheme when TLS met plain HTTP.
func TestConnectionAdviceNamesTheCause(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://functiongraph.example.com", Err: err}
	}
	refused := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name, want, notWant string
		err                 error
	}{
		{name: "proxy refusing the tunnel", err: wrap(&fgs.ProxyError{Proxy: "http://127.0.0.1:3128", Status: "403 Forbidden", Target: "functiongraph.example.com:443"}),
			want: "The HTTP proxy http://127.0.0.1:3128 (from HTTPS_PROXY or HTTP_PROXY) refused to reach the endpoint", notWant: "endpoints.fgs"},
		{name: "dead proxy", err: wrap(&fgs.ProxyError{Proxy: "http://127.0.0.1:1", Err: refused}),
			want: "went through the HTTP proxy http://127.0.0.1:1", notWant: "endpoints.fgs"},
		{name: "certificate through a proxy", err: wrap(&fgs.ProxyError{Proxy: "http://p:1", Err: x509.UnknownAuthorityError{}}),
			want: "The certificate did not verify"},
		{name: "plain HTTP", err: wrap(http.ErrSchemeMismatch), want: "The endpoint speaks plain HTTP. If it is a local emulator, write it with http://"},
		{name: "invalid port", err: wrap(&net.OpError{Op: "dial", Err: &net.AddrError{Err: "invalid port", Addr: "99999"}}), want: "Fix the endpoint's host and port"},
		{name: "nothing listening", err: wrap(refused), want: "Check endpoints.fgs (or the SDK's HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_<REGION> or regions.yaml)"},
	}
	for _, tt := range tests {
		got := connectionAdvice(&fgs.Error{Kind: fgs.KindConnection, Err: tt.err})
		if !strings.Contains(got, tt.want) || tt.notWant != "" && strings.Contains(got, tt.notWant) {
			t.Errorf("%s: %q; want %q without %q", tt.name, got, tt.want, tt.notWant)
		}
	}
}
