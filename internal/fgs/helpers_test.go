package fgs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

const (
	testAK      = "CLIENTTESTAK"
	testSK      = "client-test-secret"
	testProject = "0123456789abcdef0123456789abcdef"
)

var testURN = fgs.URN{Region: "cn-north-4", ProjectID: testProject, Package: "default", FunctionName: "hello", Version: "latest"}

func startEmulator(t *testing.T) *fgsemu.Emulator {
	t.Helper()
	emu := fgsemu.New(fgsemu.Options{Keys: map[string]string{testAK: testSK}})
	if _, err := emu.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	if err := emu.AddFunction(fgsemu.Function{URN: testURN.String()}); err != nil {
		t.Fatal(err)
	}
	return emu
}

func newClient(t *testing.T, endpoint string, maxRetries int) *fgs.Client {
	t.Helper()
	c, err := fgs.New(fgs.Config{
		Credentials:      fgs.Credentials{AccessKey: testAK, SecretKey: testSK},
		EndpointOverride: endpoint,
		Retry:            fgs.RetryPolicy{MaxRetries: maxRetries, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func inject(t *testing.T, emu *fgsemu.Emulator, faults ...fgsemu.Fault) {
	t.Helper()
	for _, f := range faults {
		if err := emu.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	testToken  = "client-test-iam-token"
	testAgency = "fgs-ops"
	testDomain = "acme"
)

// startIAMEmulator starts an emulator that also knows the test token and
// lets the test keys assume testAgency in testDomain.
func startIAMEmulator(t *testing.T, opts fgsemu.Options) *fgsemu.Emulator {
	t.Helper()
	opts.Keys = map[string]string{testAK: testSK}
	opts.Tokens = []string{testToken}
	opts.Agencies = []fgsemu.Agency{{AgencyName: testAgency, DomainName: testDomain, DomainID: "d0123"}}
	emu := fgsemu.New(opts)
	if _, err := emu.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	if err := emu.AddFunction(fgsemu.Function{URN: testURN.String()}); err != nil {
		t.Fatal(err)
	}
	return emu
}

func newConfiguredClient(t *testing.T, cfg fgs.Config) *fgs.Client {
	t.Helper()
	cfg.Retry = fgs.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
	c, err := fgs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func cancelOne(t *testing.T, c *fgs.Client, emu *fgsemu.Emulator) error {
	t.Helper()
	id, err := emu.Invoke(testURN.String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = c.Cancel(ctx, fgs.CancelRequest{URN: testURN, RequestID: id})
	return err
}

func agency() *fgs.AssumeRole {
	return &fgs.AssumeRole{AgencyName: testAgency, DomainName: testDomain}
}

// testClock is a settable clock. As a client's clock (useClock) its Sleep
// moves the time on at once, so no test waits in real time.
type testClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

// newTestClock starts at the wall clock's time: signatures and the
// emulator's records need a time near it.
func newTestClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Sleep moves the clock on by d and returns, as a real sleep honouring ctx
// would: an ended context ends it at once, and a deadline that comes first
// by this clock moves it only to the deadline and ends it.
func (c *testClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	if deadline, ok := ctx.Deadline(); ok && c.t.Add(d).After(deadline) {
		c.t = latest(c.t, deadline)
		return context.DeadlineExceeded
	}
	c.t = c.t.Add(d)
	return nil
}

// Slept lists the waits asked of Sleep, in order.
func (c *testClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// useClock makes the client read the time from clock and wait on it.
func useClock(c *fgs.Client, clock *testClock) {
	fgs.SetClock(c, clock.Now)
	fgs.SetSleep(c, clock.Sleep)
}

func cancelRequests(t *testing.T, emu *fgsemu.Emulator, n int) []fgs.CancelRequest {
	t.Helper()
	ids, err := emu.InvokeN(testURN.String(), n)
	if err != nil {
		t.Fatal(err)
	}
	reqs := make([]fgs.CancelRequest, n)
	for i, id := range ids {
		reqs[i] = fgs.CancelRequest{URN: testURN, RequestID: id}
	}
	return reqs
}

var shortURN = fgs.URN{Region: "cn-north-4", ProjectID: testProject, Package: "default", FunctionName: "short", Version: "latest"}

func invoke(t *testing.T, emu *fgsemu.Emulator, urn fgs.URN) string {
	t.Helper()
	id, err := emu.Invoke(urn.String())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func noteOf(err error) string {
	if e, ok := fgs.AsError(err); ok {
		return e.Note
	}
	return ""
}
