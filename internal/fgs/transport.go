package fgs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
	service Service // named in log lines
	mask    *masker // hides the call's secrets in what the answer brings back

	mu         sync.Mutex
	status     int
	requestID  string
	retryAfter time.Duration
	bodyErr    error
	sent       bool
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
	base  http.RoundTripper
	calls sync.Map // call ID -> *exchange
	next  atomic.Uint64
	log   Logger
}

// MaxConnsPerHost bounds the connections a Client holds to one endpoint,
// however many calls are in flight; they are kept alive and reused.
const MaxConnsPerHost = 64

// newTransport is the one keep-alive pool every call of a Client shares.
func newTransport(insecure bool, log Logger) *callTransport {
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment, // the SDK's own transport ignores HTTPS_PROXY
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12}, //nolint:gosec // only when the user sets insecure
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 0, // bounded by the attempt's context instead
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          256,
		MaxConnsPerHost:       MaxConnsPerHost,
		MaxIdleConnsPerHost:   MaxConnsPerHost, // every connection opened stays for reuse
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &callTransport{base: base, log: log}
}

// register makes a call ID for the header and returns a release function.
func (t *callTransport) register(x *exchange) (string, func()) {
	id := strconv.FormatUint(t.next.Add(1), 36)
	t.calls.Store(id, x)
	return id, func() { t.calls.Delete(id) }
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
	x.record(func(x *exchange) { x.sent = true })

	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		t.log.Debug(x.ctx, string(x.service)+" request failed", map[string]any{
			"http_method": req.Method, "http_path": req.URL.Path, "error": err.Error(),
			"duration_ms": time.Since(start).Milliseconds(),
		})
		return nil, err
	}
	requestID := x.text(resp.Header.Get("X-Request-Id"), 128)
	retryAfter, _ := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	x.record(func(x *exchange) {
		x.status = resp.StatusCode
		x.requestID = requestID
		x.retryAfter = retryAfter
		x.contentType = resp.Header.Get("Content-Type")
		x.location = resp.Header.Get("Location")
	})
	t.log.Debug(x.ctx, string(x.service)+" request answered", map[string]any{
		"http_method": req.Method, "http_path": req.URL.Path, "http_status": resp.StatusCode,
		"x_request_id": requestID, "duration_ms": time.Since(start).Milliseconds(),
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
