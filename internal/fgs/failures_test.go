package fgs_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/testproxy"
)

// proxyTo sends every request through the proxy at rawURL.
func proxyTo(t *testing.T, rawURL string) func(*http.Request) (*url.URL, error) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return http.ProxyURL(u)
}

// Failures that cannot heal are sent once and say what is wrong; a dead
// proxy is retried, and named, not blamed on the endpoint. Only loopback is
// dialled: the public endpoint is named in CONNECT to a loopback proxy.
func TestConnectionFailuresNameTheirCause(t *testing.T) {
	t.Parallel()
	const publicEndpoint = "https://functiongraph.cn-north-4.myhuaweicloud.com"
	tests := []struct {
		name string
		// setup returns the client's configuration and a check of what was sent.
		setup        func(t *testing.T) (fgs.Config, func(t *testing.T))
		wantKind     fgs.ErrorKind
		wantAttempts int
		wantMessage  string
	}{
		{
			name: "TLS against a plain HTTP endpoint",
			setup: func(t *testing.T) (fgs.Config, func(t *testing.T)) {
				emu := startEmulator(t)
				return fgs.Config{EndpointOverride: strings.Replace(emu.URL(), "http://", "https://", 1)}, func(t *testing.T) {
					if s := emu.Stats(); s.Requests != 0 || s.Connections != 1 {
						t.Fatalf("want one connection and no request, got %+v", s)
					}
				}
			},
			wantKind: fgs.KindConnection, wantAttempts: 1,
			wantMessage: "the endpoint answered in plain HTTP to a TLS handshake: it speaks http://, not https://",
		},
		{
			name: "a proxy refusing CONNECT",
			setup: func(t *testing.T) (fgs.Config, func(t *testing.T)) {
				proxy := testproxy.StartRefusing(t)
				return fgs.Config{EndpointOverride: publicEndpoint, Proxy: proxyTo(t, proxy.URL)}, func(t *testing.T) {
					if got := proxy.Targets(); len(got) != 1 || got[0] != "CONNECT functiongraph.cn-north-4.myhuaweicloud.com:443" {
						t.Fatalf("the proxy saw %q", got)
					}
				}
			},
			wantKind: fgs.KindConnection, wantAttempts: 1,
			wantMessage: "refused to open a tunnel to functiongraph.cn-north-4.myhuaweicloud.com:443: 403 Forbidden",
		},
		{
			name: "a dead proxy",
			setup: func(t *testing.T) (fgs.Config, func(t *testing.T)) {
				return fgs.Config{EndpointOverride: publicEndpoint, Proxy: proxyTo(t, "http://"+testproxy.DeadAddress(t))}, func(*testing.T) {}
			},
			wantKind: fgs.KindConnection, wantAttempts: 3,
			wantMessage: "was refused: nothing is listening at the proxy",
		},
		{
			name: "a token with a line break",
			setup: func(t *testing.T) (fgs.Config, func(t *testing.T)) {
				emu := startIAMEmulator(t, fgsemu.Options{})
				return fgs.Config{EndpointOverride: emu.URL(), Token: testToken + "\n"}, func(t *testing.T) {
					if s := emu.Stats(); s.Requests != 0 || s.Connections != 0 {
						t.Fatalf("want nothing sent, got %+v", s)
					}
				}
			},
			wantKind: fgs.KindInvalidInput, wantAttempts: 1,
			wantMessage: "the request was not sent: its X-Auth-Token header, which carries the token, holds a line break",
		},
		{
			name: "a security token with a line break",
			setup: func(t *testing.T) (fgs.Config, func(t *testing.T)) {
				emu := startEmulator(t)
				return fgs.Config{EndpointOverride: emu.URL(), Credentials: fgs.Credentials{AccessKey: testAK, SecretKey: testSK, SecurityToken: "sts-secret-value\r\n"}},
					func(t *testing.T) {
						if s := emu.Stats(); s.Requests != 0 {
							t.Fatalf("want nothing sent, got %+v", s)
						}
					}
			},
			wantKind: fgs.KindInvalidInput, wantAttempts: 1,
			wantMessage: "X-Security-Token header, which carries the security token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, check := tt.setup(t)
			if cfg.Token == "" && cfg.Credentials.AccessKey == "" {
				cfg.Credentials = fgs.Credentials{AccessKey: testAK, SecretKey: testSK}
			}
			cfg.Retry = fgs.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
			c, err := fgs.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err = c.Cancel(ctx, fgs.CancelRequest{URN: testURN, RequestID: "a1b2c3"})
			e, ok := fgs.AsError(err)
			if !ok || e.Kind != tt.wantKind || e.Attempts != tt.wantAttempts || !strings.Contains(e.Message, tt.wantMessage) {
				t.Fatalf("got %v (kind %v, %d attempts, message %q); want %v, %d attempts, %q",
					err, e.Kind, e.Attempts, e.Message, tt.wantKind, tt.wantAttempts, tt.wantMessage)
			}
			for _, secret := range []string{testSK, testToken, "sts-secret-value"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("the error holds a secret: %v", err)
				}
			}
			check(t)
		})
	}
}
