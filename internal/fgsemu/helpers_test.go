package fgsemu

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer/algorithm"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdktime"
	fgs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2"
	fgsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2/model"
)

const (
	testProject = "0123456789abcdef0123456789abcdef"
	testURN     = "urn:fss:cn-north-4:" + testProject + ":function:default:hello:latest"
	testToken   = "test-token"
	testAK      = "TESTACCESSKEY0000001"
	testSK      = "test-secret-key"
)

// fakeClock is a settable clock for lifecycle tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// timers is an Options.After that fires at once and records each wait it
// was asked for, so a test sees the delays an answer waited without waiting them.
type timers struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *timers) After(d time.Duration) <-chan time.Time {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	fired := make(chan time.Time, 1)
	fired <- time.Time{}
	return fired
}

// Waits returns the waits asked for since the last call.
func (r *timers) Waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.waits
	r.waits = nil
	return w
}

// startEmulator starts an emulator on a loopback port with the test token,
// key and function, and closes it when the test ends.
func startEmulator(t *testing.T, opts Options, fns ...Function) (*Emulator, string) {
	t.Helper()
	if opts.Keys == nil {
		opts.Keys = map[string]string{testAK: testSK}
	}
	if opts.Tokens == nil {
		opts.Tokens = []string{testToken}
	}
	e := New(opts)
	if len(fns) == 0 {
		fns = []Function{{URN: testURN}}
	}
	for _, f := range fns {
		if err := e.AddFunction(f); err != nil {
			t.Fatal(err)
		}
	}
	url, err := e.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, url
}

// apiResult is one answer as a plain client sees it.
type apiResult struct {
	status int
	header http.Header
	body   string
}

func (r apiResult) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("answer %d is not JSON: %v: %q", r.status, err, r.body)
	}
}

// call sends a request authenticated with the test token (headers may override).
func call(t *testing.T, method, url, body string, headers ...string) apiResult {
	t.Helper()
	res, err := tryCall(http.DefaultClient, method, url, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return res
}

// tryCall is call through client c, returning the error instead of failing.
func tryCall(c *http.Client, method, url, body string, headers ...string) (apiResult, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return apiResult{}, err
	}
	req.Header.Set("X-Auth-Token", testToken)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		return apiResult{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	res := apiResult{status: resp.StatusCode, header: resp.Header, body: string(b)}
	return res, err
}

// fnURL is the API URL of action on the function urn, in the test project.
func fnURL(base, urn, action string) string {
	return base + "/v2/" + testProject + "/fgs/functions/" + urn + "/" + action
}

// freshClient opens a new connection per request so a dropped connection is
// never retried by the transport on a reused one.
func freshClient(t *testing.T, timeout time.Duration) *http.Client {
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

// mustInject injects a fault the test knows is valid.
func mustInject(t *testing.T, e *Emulator, f Fault) {
	t.Helper()
	if err := e.InjectFault(f); err != nil {
		t.Fatal(err)
	}
}

// observer is an Options.Observe that wakes a test waiting for the counts
// to satisfy a condition.
type observer struct {
	mu   sync.Mutex
	cond func(Stats) bool
	met  chan struct{}
}

func (o *observer) Observe(_ Moment, s Stats) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cond != nil && o.cond(s) {
		close(o.met)
		o.cond = nil
	}
}

// waitUntil returns once e's counts satisfy cond (now or at a later
// moment), failing the test if that takes 5 s.
func (o *observer) waitUntil(t *testing.T, e *Emulator, cond func(Stats) bool) {
	t.Helper()
	o.mu.Lock()
	if cond(e.Stats()) {
		o.mu.Unlock()
		return
	}
	met := make(chan struct{})
	o.cond, o.met = cond, met
	o.mu.Unlock()
	select {
	case <-met:
	case <-time.After(5 * time.Second):
		t.Fatalf("the emulator's counts did not come to the condition within 5 s: %+v", e.Stats())
	}
}

// listAnswer is the list API's answer, read loosely to check its fields.
type listAnswer struct {
	Invocations []map[string]any `json:"invocations"`
	Count       int              `json:"count"`
	NextMarker  int              `json:"next_marker"`
}

// Request and trace IDs as FunctionGraph and API Gateway write them.
var (
	uuidPattern  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tracePattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// The SDK's own FunctionGraph client, so the emulator is held to what the SDK sends and reads.

// tamperTransport alters a request after the SDK signed it, as a proxy or an attacker would.
type tamperTransport struct {
	base   http.RoundTripper
	mutate func(r *http.Request, body []byte) []byte
}

func (t tamperTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.mutate == nil {
		return t.base.RoundTrip(r)
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	c := r.Clone(r.Context())
	body = t.mutate(c, body)
	c.Body = io.NopCloser(bytes.NewReader(body))
	c.ContentLength = int64(len(body))
	return t.base.RoundTrip(c)
}

// sdkCreds are the credentials a test's SDK client signs with.
type sdkCreds struct {
	ak, sk, token string
}

// sdkHTTPConfig signs with alg and lets mutate change each request after signing.
func sdkHTTPConfig(t *testing.T, alg algorithm.SigningAlgorithm, mutate func(*http.Request, []byte) []byte) *config.HttpConfig {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return config.DefaultHttpConfig().
		WithSigningAlgorithm(alg).
		WithTimeout(5 * time.Second).
		WithHttpRoundTripper(tamperTransport{base: tr, mutate: mutate})
}

// newFGClient is the SDK's FunctionGraph client for the emulator at base.
func newFGClient(t *testing.T, base string, c sdkCreds, alg algorithm.SigningAlgorithm, mutate func(*http.Request, []byte) []byte) *fgs.FunctionGraphClient {
	t.Helper()
	b := basic.NewCredentialsBuilder().WithAk(c.ak).WithSk(c.sk).WithProjectId(testProject)
	if c.token != "" {
		b = b.WithSecurityToken(c.token)
	}
	cred, err := b.SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := fgs.FunctionGraphClientBuilder().WithEndpoints([]string{base}).WithCredential(cred).
		WithHttpConfig(sdkHTTPConfig(t, alg, mutate)).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return fgs.NewFunctionGraphClient(hc)
}

func ptr[T any](v T) *T { return &v }

// sdkInvoke starts an invocation of testURN through the SDK.
func sdkInvoke(c *fgs.FunctionGraphClient) (string, error) {
	resp, err := c.AsyncInvokeFunction(&fgsmodel.AsyncInvokeFunctionRequest{FunctionUrn: testURN, Body: map[string]interface{}{"key": "value with spaces & symbols +/?"}})
	if err != nil {
		return "", err
	}
	if resp.RequestId == nil {
		return "", errors.New("no request_id")
	}
	return *resp.RequestId, nil
}

// sdkList lists one invocation of testURN through the SDK, in a window around begin.
func sdkList(c *fgs.FunctionGraphClient, id string, begin time.Time) (*fgsmodel.ListAsyncInvocationsResponse, error) {
	// SdkTime prints the wall clock with a literal "Z": only UTC times mean what they say.
	b, e := sdktime.SdkTime(begin.Add(-time.Minute).UTC()), sdktime.SdkTime(begin.Add(time.Hour).UTC())
	return c.ListAsyncInvocations(&fgsmodel.ListAsyncInvocationsRequest{
		FunctionUrn: testURN, RequestId: &id, Marker: ptr("0"), Limit: ptr("10"), Status: ptr("RUNNING"),
		QueryBeginTime: &b, QueryEndTime: &e,
	})
}

// sdkCancel force-cancels one invocation of testURN through the SDK.
func sdkCancel(c *fgs.FunctionGraphClient, id string) error {
	typ := fgsmodel.GetCancelAsyncInvocationRequestBodyTypeEnum().FORCE
	_, err := c.CancelAsyncInvocation(&fgsmodel.CancelAsyncInvocationRequest{FunctionUrn: testURN,
		Body: &fgsmodel.CancelAsyncInvocationRequestBody{RequestId: id, Type: &typ}})
	return err
}

// wantSDKError checks the SDK saw an API error with this status and code and
// an X-Request-Id, and that no secret leaked into it.
func wantSDKError(t *testing.T, err error, status int, code, text string) {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("want a ServiceResponseError %d %s, got %v", status, code, err)
	}
	if se.StatusCode != status || se.ErrorCode != code || !tracePattern.MatchString(se.RequestId) || !strings.Contains(se.ErrorMessage, text) {
		t.Fatalf("got %d %s %q (request %q), want %d %s containing %q", se.StatusCode, se.ErrorCode, se.ErrorMessage, se.RequestId, status, code, text)
	}
	if strings.Contains(se.ErrorMessage, testSK) {
		t.Fatal("the error message leaks the secret key")
	}
}

// The SDK's own signer, so VerifySignature is held to what the SDK signs.

// Keys fuzzSecrets knows: one permanent, one temporary with its token.
const (
	fuzzAK        = "FUZZACCESSKEY0000001"
	fuzzSK        = "fuzz-secret-key"
	fuzzTempAK    = "FUZZTEMPACCESSKEY001"
	fuzzTempSK    = "fuzz-temp-secret"
	fuzzTempToken = "fuzz-security-token"
)

// fuzzSecrets is VerifySignature's secretFor over the fuzz keys.
func fuzzSecrets(ak string) (string, string, bool) {
	switch ak {
	case fuzzAK:
		return fuzzSK, "", true
	case fuzzTempAK:
		return fuzzTempSK, fuzzTempToken, true
	}
	return "", "", false
}

// errSkip marks an input the SDK or net/http cannot put on the wire.
var errSkip = errors.New("not representable")

// sdkSignedRequest signs a request with the SDK's own signer and returns it
// as the server would read it off the wire, with its body.
func sdkSignedRequest(method, path, queryKey, queryValue, headerValue string, body []byte, sm3 bool, ak, sk, token string, at time.Time) (r *http.Request, b []byte, err error) {
	defer func() {
		if p := recover(); p != nil { // the SDK's problem, not the emulator's
			r, b, err = nil, nil, errSkip
		}
	}()
	builder := request.NewHttpRequestBuilder().WithEndpoint("http://127.0.0.1:9").WithMethod(method).WithPath(path).
		AddHeaderParam("Content-Type", "application/json").
		AddHeaderParam("X-Project-Id", headerValue).
		AddHeaderParam("X-Sdk-Date", at.UTC().Format("20060102T150405Z"))
	if queryKey != "" {
		builder.AddQueryParam(queryKey, reflect.ValueOf(queryValue))
	}
	if token != "" {
		builder.AddHeaderParam("X-Security-Token", token)
	}
	if len(body) > 0 {
		builder.WithBody("", string(body))
	}
	req := builder.Build()
	var s signer.IAKSKSigner = signer.Signer{}
	if sm3 {
		s = signer.SM3Signer{}
	}
	extra, err := s.Sign(req, ak, sk)
	if err != nil {
		return nil, nil, errSkip
	}
	for k, v := range extra {
		req.AddHeaderParam(k, v)
	}
	hr, err := req.ConvertRequest()
	if err != nil {
		return nil, nil, errSkip
	}
	var wire bytes.Buffer
	if err := hr.Write(&wire); err != nil {
		return nil, nil, errSkip
	}
	sr, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		return nil, nil, errSkip
	}
	// A path such as "A:" goes out as the request target "A:?0=0", which a
	// server reads as an absolute URL with the scheme "a" and no path at all;
	// no SDK call sends one, and what a gateway would sign it as is not
	// defined, so there is nothing to compare.
	if sr.URL.Scheme != "" || sr.URL.Opaque != "" || sr.URL.Host != "" {
		return nil, nil, errSkip
	}
	b, err = io.ReadAll(sr.Body)
	if err != nil {
		return nil, nil, errSkip
	}
	return sr, b, nil
}
