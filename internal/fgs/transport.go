package fgs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The SDK takes no context, so each call marks its request with this header
// and the transport looks the call up to attach its context. The underscore
// keeps the header out of the SDK's signature, and the transport removes it
// before the request leaves, so it never reaches the network.
const callHeader = "X-Fgs_call"

// maxResponseBody bounds what is read of any answer; FunctionGraph's are small.
const maxResponseBody = 8 << 20

// errResponseTooLarge is returned by the body reader past maxResponseBody.
var errResponseTooLarge = fmt.Errorf("response body is larger than %d MiB", maxResponseBody>>20)

// exchange is what the transport learns about one attempt: the context it
// runs under, and what the answer said before the SDK parses it.
type exchange struct {
	ctx     context.Context
	service Service          // named in log lines
	mask    *masker          // hides the call's secrets in what the answer brings back
	now     func() time.Time // the client's clock

	mu         sync.Mutex
	status     int
	requestID  string
	retryAfter time.Duration
	bodyErr    error
	sent       bool
	reached    bool // the request was written in full to the endpoint's connection
	// What describes an answer the client cannot use (answerSummary).
	contentType, location string
	head                  []byte // the body's first bytes
	bodyLen               int64  // bytes of the body read
}

func (x *exchange) record(fn func(*exchange)) {
	x.mu.Lock()
	fn(x)
	x.mu.Unlock()
}

func (x *exchange) snapshot() (status int, requestID string, retryAfter time.Duration, bodyErr error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status, x.requestID, x.retryAfter, x.bodyErr
}

// callTransport routes each SDK request to its call's context.
type callTransport struct {
	base http.RoundTripper
	// proxy is base's, asked again to name the proxy in a failure.
	proxy func(*http.Request) (*url.URL, error)
	calls sync.Map // call ID -> *exchange
	next  atomic.Uint64
	log   Logger
}

// MaxConnsPerHost bounds the connections a Client holds to one endpoint,
// however many calls are in flight; they are kept alive and reused.
const MaxConnsPerHost = 64

// newTransport is the one keep-alive pool every call of a Client shares. It
// sends through proxy, by default the environment's: the SDK's own transport
// ignores HTTPS_PROXY.
func newTransport(insecure bool, proxy func(*http.Request) (*url.URL, error), log Logger) *callTransport {
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	base := &http.Transport{
		Proxy:                  proxy,
		OnProxyConnectResponse: refusedTunnel,
		DialContext:            (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12}, //nolint:gosec // only when the user sets insecure
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  0, // bounded by the attempt's context instead
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           256,
		MaxConnsPerHost:        MaxConnsPerHost,
		MaxIdleConnsPerHost:    MaxConnsPerHost, // every connection opened stays for reuse
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	return &callTransport{base: base, proxy: proxy, log: log}
}

// register makes a call ID for the header and returns a release function.
func (t *callTransport) register(x *exchange) (string, func()) {
	id := strconv.FormatUint(t.next.Add(1), 36)
	t.calls.Store(id, x)
	return id, func() { t.calls.Delete(id) }
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkHeaders(req.Header); err != nil {
		return nil, err
	}
	id := req.Header.Get(callHeader)
	v, ok := t.calls.Load(id)
	if !ok {
		// Only the SDK's own side requests (IAM project lookup, the ECS metadata
		// server) come without a call; the provider never wants those.
		return nil, errors.New("refusing a request the provider did not make itself (" + req.Method + " " + req.URL.Host + req.URL.Path + ")")
	}
	x := v.(*exchange) //nolint:forcetypeassert // only *exchange is stored
	out := req.Clone(x.ctx)
	out.Header.Del(callHeader)
	secrets := authHeaderSecrets(out.Header)
	x.record(func(x *exchange) { x.sent, x.mask = true, x.mask.with(secrets...) })
	// Only a request written in full to the endpoint's connection can have
	// been carried out: not one refused by a proxy, a failed handshake or
	// a deadline that passed first.
	out = out.WithContext(httptrace.WithClientTrace(out.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				x.record(func(x *exchange) { x.reached = true })
			}
		},
	}))

	start := x.now()
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		err = t.viaProxy(out, err)
		t.log.Debug(x.ctx, string(x.service)+" request failed", map[string]any{
			"http_method": req.Method, "http_path": req.URL.Path, "error": err.Error(),
			"duration_ms": x.now().Sub(start).Milliseconds(),
		})
		return nil, err
	}
	requestID := x.text(resp.Header.Get("X-Request-Id"), 128)
	retryAfter, _ := parseRetryAfter(resp.Header.Get("Retry-After"), x.now())
	x.record(func(x *exchange) {
		x.status = resp.StatusCode
		x.requestID = requestID
		x.retryAfter = retryAfter
		x.contentType = resp.Header.Get("Content-Type")
		x.location = resp.Header.Get("Location")
	})
	t.log.Debug(x.ctx, string(x.service)+" request answered", map[string]any{
		"http_method": req.Method, "http_path": req.URL.Path, "http_status": resp.StatusCode,
		"x_request_id": requestID, "duration_ms": x.now().Sub(start).Milliseconds(),
	})
	resp.Body = &limitedBody{body: resp.Body, left: maxResponseBody, x: x}
	return resp, nil
}

// limitedBody stops reading past maxResponseBody and records read errors,
// which the SDK would otherwise report without the status they came with.
type limitedBody struct {
	body io.ReadCloser
	left int64
	x    *exchange
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		b.x.record(func(x *exchange) { x.bodyErr = errResponseTooLarge })
		return 0, errResponseTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	if n > 0 {
		b.x.record(func(x *exchange) {
			x.bodyLen += int64(n)
			if room := 2*maxAnswerHead - len(x.head); room > 0 {
				x.head = append(x.head, p[:min(n, room)]...)
			}
		})
	}
	if err != nil && err != io.EOF {
		b.x.record(func(x *exchange) { x.bodyErr = err })
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.body.Close() }

// maxRetryAfter is the longest wait a server may ask for before the call
// gives up instead; longer would look like a hang.
const maxRetryAfter = 5 * time.Minute

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second)*10 {
			secs = int64(maxRetryAfter/time.Second) * 10
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// HeaderError is a request the transport refused to send: a header value
// that HTTP cannot carry, such as a credential ending in a line break.
type HeaderError struct {
	Header string
}

func (e *HeaderError) Error() string {
	what := map[string]string{
		"X-Auth-Token":     "the token",
		"X-Security-Token": "the security token",
		"Authorization":    "the access key's signature",
		"X-Project-Id":     "the project ID",
	}[e.Header]
	if what == "" {
		what = "a value the provider was given"
	}
	return fmt.Sprintf("the request was not sent: its %s header, which carries %s, holds a line break or another control character; "+
		"remove it from where the value is set (in Terraform, wrap it in trimspace())", e.Header, what)
}

// checkHeaders refuses what net/http would refuse later, as an error that
// names the header and is not retried, instead of a connection failure.
func checkHeaders(h http.Header) error {
	for name, values := range h {
		for _, v := range values {
			for i := 0; i < len(v); i++ {
				if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
					return &HeaderError{Header: name}
				}
			}
		}
	}
	return nil
}

// ProxyError is a failure on the way through an HTTP proxy; Proxy is its
// scheme and host, never its credentials.
type ProxyError struct {
	Proxy string
	// Status is the proxy's answer when it refused to open a tunnel (CONNECT).
	Status string
	// Target is the host and port the tunnel was for.
	Target string
	Err    error
}

func (e *ProxyError) Error() string {
	if e.Status != "" {
		return fmt.Sprintf("the proxy %s refused to open a tunnel to %s: %s", e.Proxy, e.Target, e.Status)
	}
	return fmt.Sprintf("through the proxy %s: %v", e.Proxy, e.Err)
}

func (e *ProxyError) Unwrap() error { return e.Err }

// refusedTunnel turns a proxy's refusal of CONNECT into a ProxyError, which
// net/http would report as the bare status text ("Forbidden").
func refusedTunnel(_ context.Context, proxy *url.URL, connect *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return &ProxyError{Proxy: proxy.Scheme + "://" + proxy.Host, Status: printable(resp.Status, 100), Target: connect.Host}
}

// viaProxy names the proxy in a failure of a request that went through one.
func (t *callTransport) viaProxy(req *http.Request, err error) error {
	var pe *ProxyError
	if t.proxy == nil || errors.As(err, &pe) {
		return err
	}
	proxy, perr := t.proxy(req)
	if perr != nil || proxy == nil {
		return err
	}
	return &ProxyError{Proxy: proxy.Scheme + "://" + proxy.Host, Target: req.URL.Host, Err: err}
}

func (x *exchange) wasReached() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.reached
}

func (x *exchange) sentWithoutAnswer() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.sent && x.status == 0
}
