package fgsemu

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
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

func fnURL(base, urn, action string) string {
	return base + "/v2/" + testProject + "/fgs/functions/" + urn + "/" + action
}
