package fgs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// A token is sent in X-Auth-Token instead of a signature, and the emulator
// accepts only unsigned requests by token.
func TestTokenAuthentication(t *testing.T) {
	t.Parallel()
	emu := startIAMEmulator(t, fgsemu.Options{})
	c := newConfiguredClient(t, fgs.Config{Token: testToken, EndpointOverride: emu.URL()})
	if c.AuthMethod() != fgs.AuthToken {
		t.Fatalf("auth method %q", c.AuthMethod())
	}
	if err := cancelOne(t, c, emu); err != nil {
		t.Fatal(err)
	}
	wrong := newConfiguredClient(t, fgs.Config{Token: "not-a-token", EndpointOverride: emu.URL()})
	err := cancelOne(t, wrong, emu)
	e, ok := fgs.AsError(err)
	if !ok || e.StatusCode != 401 || e.Auth != fgs.AuthToken || e.Service != fgs.ServiceFunctionGraph {
		t.Fatalf("wrong token: %#v", err)
	}
	if strings.Contains(err.Error(), "not-a-token") {
		t.Fatalf("the token leaked into the error: %v", err)
	}
	if s := emu.Stats(); s.AcceptedCancels != 1 || s.AuthFailures != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// The configured algorithm reaches the SDK's signer: HmacSM3 is verified,
// and the two the emulator cannot verify arrive under their own names.
func TestSigningAlgorithms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		algorithm  string
		wantScheme string
		wantStatus int
	}{
		{"", "SDK-HMAC-SHA256", 0},
		{"HmacSHA256", "SDK-HMAC-SHA256", 0},
		{"HmacSM3", "SDK-HMAC-SM3", 0},
		{"EcdsaP256SHA256", "SDK-ECDSA-P256-SHA256", 401},
		{"SM2SM3", "SDK-SM2-SM3", 401},
	}
	for _, tt := range tests {
		t.Run(tt.algorithm, func(t *testing.T) {
			t.Parallel()
			emu := fgsemu.New(fgsemu.Options{Keys: map[string]string{testAK: testSK}})
			if err := emu.AddFunction(fgsemu.Function{URN: testURN.String()}); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var schemes []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, "/_emulator/") {
					scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
					mu.Lock()
					schemes = append(schemes, scheme)
					mu.Unlock()
				}
				emu.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			c := newConfiguredClient(t, fgs.Config{Credentials: fgs.Credentials{AccessKey: testAK, SecretKey: testSK},
				SigningAlgorithm: tt.algorithm, EndpointOverride: srv.URL})
			err := cancelOne(t, c, emu)
			if e, _ := fgs.AsError(err); (tt.wantStatus == 0 && err != nil) || (tt.wantStatus != 0 && (e == nil || e.StatusCode != tt.wantStatus)) {
				t.Fatalf("got %v, want status %d", err, tt.wantStatus)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(schemes) != 1 || schemes[0] != tt.wantScheme {
				t.Fatalf("Authorization schemes %q, want one %q", schemes, tt.wantScheme)
			}
		})
	}
}

// Fifty cancels starting at once share one IAM request for the agency's
// temporary credentials, and every one is accepted with them.
func TestAssumedAgency_oneIAMCallForConcurrentCalls(t *testing.T) {
	t.Parallel()
	emu := startIAMEmulator(t, fgsemu.Options{Latency: 20 * time.Millisecond})
	c := newConfiguredClient(t, fgs.Config{Credentials: fgs.Credentials{AccessKey: testAK, SecretKey: testSK},
		AssumeRole: agency(), AuthURL: emu.URL() + "/v3", EndpointOverride: emu.URL()})
	if c.AuthMethod() != fgs.AuthAssumedAgency {
		t.Fatalf("auth method %q", c.AuthMethod())
	}
	const n = 50
	ids := make([]string, n)
	for i := range ids {
		id, err := emu.Invoke(testURN.String())
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: id})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if s := emu.Stats(); s.IAMCalls != 1 || s.AcceptedCancels != n || s.AuthFailures != 0 {
		t.Fatalf("want 1 IAM call and %d accepted cancels, got %+v", n, s)
	}
}

// Credentials are renewed before they expire: calls spread over several
// lifetimes never present expired ones. The client and the emulator share
// a clock the test moves on.
func TestAssumedAgency_renewsBeforeExpiry(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: time.Now()}
	emu := startIAMEmulator(t, fgsemu.Options{Now: clock.Now, TempCredentialTTL: 2 * time.Second})
	c := newConfiguredClient(t, fgs.Config{Credentials: fgs.Credentials{AccessKey: testAK, SecretKey: testSK},
		AssumeRole: agency(), AuthURL: emu.URL(), EndpointOverride: emu.URL()})
	fgs.SetClock(c, clock.Now)
	const calls = 10
	for i := range calls {
		if err := cancelOne(t, c, emu); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		clock.Advance(500 * time.Millisecond)
	}
	s := emu.Stats()
	if s.AuthFailures != 0 || s.AcceptedCancels != calls {
		t.Fatalf("%d calls: %+v", calls, s)
	}
	// Calls every 0.5 s from 0 to 4.5 s; 2 s credentials renewed a quarter
	// early, at 0, 1.5, 3 and 4.5 s: four IAM calls, never one per call.
	if s.IAMCalls != 4 {
		t.Fatalf("%d IAM calls for %d cancels over 4.5 s, want 4", s.IAMCalls, calls)
	}
}

// If FunctionGraph refuses temporary credentials the client still thinks
// valid (its clock behind the server's), it renews them once and succeeds.
func TestAssumedAgency_refusedCredentialsAreRenewed(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: time.Now()}
	emu := startIAMEmulator(t, fgsemu.Options{Now: clock.Now, TempCredentialTTL: 10 * time.Minute})
	c := newConfiguredClient(t, fgs.Config{Credentials: fgs.Credentials{AccessKey: testAK, SecretKey: testSK},
		AssumeRole: agency(), AuthURL: emu.URL(), EndpointOverride: emu.URL()})
	if err := cancelOne(t, c, emu); err != nil {
		t.Fatal(err)
	}
	clock.Advance(11 * time.Minute)
	if err := cancelOne(t, c, emu); err != nil {
		t.Fatal(err)
	}
	if s := emu.Stats(); s.IAMCalls != 2 || s.AuthFailures != 1 || s.AcceptedCancels != 2 {
		t.Fatalf("want 2 IAM calls, 1 refusal, 2 cancels: %+v", s)
	}
}

// IAM can be asked with a token as well as with keys.
func TestAssumedAgency_withToken(t *testing.T) {
	t.Parallel()
	emu := startIAMEmulator(t, fgsemu.Options{})
	c := newConfiguredClient(t, fgs.Config{Token: testToken, AssumeRole: &fgs.AssumeRole{AgencyName: testAgency, DomainID: "d0123", Duration: time.Hour},
		AuthURL: emu.URL(), EndpointOverride: emu.URL()})
	if err := cancelOne(t, c, emu); err != nil {
		t.Fatal(err)
	}
	if s := emu.Stats(); s.IAMCalls != 1 || s.AcceptedCancels != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// IAM's refusal is the call's error, marked as IAM's, and nothing reaches FunctionGraph.
func TestAssumedAgency_IAMRefusal(t *testing.T) {
	t.Parallel()
	emu := startIAMEmulator(t, fgsemu.Options{})
	c := newConfiguredClient(t, fgs.Config{Credentials: fgs.Credentials{AccessKey: testAK, SecretKey: testSK},
		AssumeRole: &fgs.AssumeRole{AgencyName: "nobody", DomainName: testDomain}, AuthURL: emu.URL(), EndpointOverride: emu.URL()})
	err := cancelOne(t, c, emu)
	e, ok := fgs.AsError(err)
	if !ok || e.Service != fgs.ServiceIAM || e.StatusCode != 403 || e.Code != "IAM.0002" || e.Auth != fgs.AuthAssumedAgency ||
		e.URN != testURN.String() || e.Endpoint != emu.URL() || e.Op != "cancel async invocation" {
		t.Fatalf("got %#v", err)
	}
	if want := "cancel async invocation failed: getting the agency's temporary credentials from IAM: HTTP 403, IAM.0002"; !strings.Contains(err.Error(), want) {
		t.Fatalf("message %q, want it to contain %q", err, want)
	}
	if s := emu.Stats(); s.RequestsByOp[fgsemu.OpCancel] != 0 || s.IAMCalls != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// A caller's deadline ends its wait for IAM without failing the renewal
// that others may be waiting on.
func TestAssumedAgency_deadlineWhileWaitingForIAM(t *testing.T) {
	t.Parallel()
	emu := startIAMEmulator(t, fgsemu.Options{})
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpIAM, Delay: 2 * time.Second, Times: 1}); err != nil {
		t.Fatal(err)
	}
	c := newConfiguredClient(t, fgs.Config{Credentials: fgs.Credentials{AccessKey: testAK, SecretKey: testSK},
		AssumeRole: agency(), AuthURL: emu.URL(), EndpointOverride: emu.URL()})
	id, _ := emu.Invoke(testURN.String())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Cancel(ctx, fgs.CancelRequest{URN: testURN, RequestID: id})
	// Marked as IAM's: the call stopped waiting for IAM rather than running out after it.
	e, ok := fgs.AsError(err)
	if !ok || e.Kind != fgs.KindTimeout || e.Service != fgs.ServiceIAM {
		t.Fatalf("got %#v", err)
	}
	// The renewal went on; the next call uses its credentials.
	if err := cancelOne(t, c, emu); err != nil {
		t.Fatal(err)
	}
	if s := emu.Stats(); s.IAMCalls != 1 || s.AcceptedCancels != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestNewRejectsIncompleteCredentials(t *testing.T) {
	t.Parallel()
	keys := fgs.Credentials{AccessKey: "AK", SecretKey: "SK"}
	tests := []struct {
		name string
		cfg  fgs.Config
		want string
	}{
		{"nothing", fgs.Config{}, "an access key and a secret key, or a token, are required"},
		{"access key only", fgs.Config{Credentials: fgs.Credentials{AccessKey: "AK"}}, "are required"},
		{"keys and token", fgs.Config{Credentials: keys, Token: "t"}, "not both"},
		{"bad algorithm", fgs.Config{Credentials: keys, SigningAlgorithm: "HmacMD5"}, `"HmacMD5" is not a signing algorithm`},
		{"agency without domain", fgs.Config{Credentials: keys, AssumeRole: &fgs.AssumeRole{AgencyName: "a"}, AuthURL: "https://iam.example.com"}, "needs the name or the ID"},
		{"agency without name", fgs.Config{Credentials: keys, AssumeRole: &fgs.AssumeRole{DomainName: "d"}, AuthURL: "https://iam.example.com"}, "agency name is empty"},
		{"short duration", fgs.Config{Credentials: keys, AssumeRole: &fgs.AssumeRole{AgencyName: "a", DomainID: "d", Duration: time.Minute}, AuthURL: "https://iam.example.com"}, "900 to 43200 seconds"},
		{"agency without auth URL", fgs.Config{Credentials: keys, AssumeRole: agency()}, "auth URL"},
		{"bad auth URL", fgs.Config{Credentials: keys, AssumeRole: agency(), AuthURL: "iam.example.com"}, "must start with https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := fgs.New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestIAMEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, wantErr string }{
		{in: "https://iam.cn-north-4.myhuaweicloud.com/v3", want: "https://iam.cn-north-4.myhuaweicloud.com"},
		{in: "https://iam.cn-north-4.myhuaweicloud.com/v3/", want: "https://iam.cn-north-4.myhuaweicloud.com"},
		{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{in: "iam.example.com", wantErr: "must start with https://"},
		{in: "https://iam.example.com/v3?x=1", wantErr: "query"},
		{in: "https://user@iam.example.com", wantErr: "user information"},
		{in: "https://iam.example.com/identity/v3", wantErr: "has the path"},
		{in: "https://", wantErr: "no host"},
	}
	for _, tt := range tests {
		got, err := fgs.IAMEndpoint(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: got %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if got := fgs.DefaultAuthURL("cn-north-4", ""); got != "https://iam.cn-north-4.myhuaweicloud.com/v3" {
		t.Errorf("default auth URL %q", got)
	}
}
