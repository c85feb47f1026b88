package acctest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// Identities the authentication tests use beside AccessKey and SecretKey.
// They are test values, never real ones.
const (
	AuthToken      = "emulator-iam-token-do-not-log-0001"
	AgencyName     = "fgs-operator"
	AgencyDomain   = "emulator-account"
	AgencyDomainID = "0a1b2c3d4e5f0a1b2c3d4e5f0a1b2c3d"
)

// StartAuthEmulator starts an emulator that accepts the test keys and
// AuthToken, and lets them assume AgencyName in AgencyDomain (or by
// AgencyDomainID). opts sets the rest, such as TempCredentialTTL or Latency.
func StartAuthEmulator(t testing.TB, opts fgsemu.Options, functions ...fgsemu.Function) *fgsemu.Emulator {
	t.Helper()
	opts.Keys = map[string]string{AccessKey: SecretKey}
	opts.Tokens = []string{AuthToken}
	opts.Agencies = []fgsemu.Agency{{AgencyName: AgencyName, DomainName: AgencyDomain, DomainID: AgencyDomainID}}
	return StartEmulatorWith(t, opts, functions...)
}

// SchemeRecorder serves an emulator and records the scheme of each API
// request's Authorization header ("SDK-HMAC-SM3", or "" for a token), to
// show which signing algorithm reached the server.
type SchemeRecorder struct {
	URL string

	mu      sync.Mutex
	schemes []string
}

// RecordSchemes serves emu (which need not be started) until the test ends.
func RecordSchemes(t testing.TB, emu *fgsemu.Emulator) *SchemeRecorder {
	t.Helper()
	r := &SchemeRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !strings.HasPrefix(req.URL.Path, "/_emulator/") {
			scheme, _, _ := strings.Cut(req.Header.Get("Authorization"), " ")
			r.mu.Lock()
			r.schemes = append(r.schemes, scheme)
			r.mu.Unlock()
		}
		emu.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Schemes returns the schemes seen so far, in order.
func (r *SchemeRecorder) Schemes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.schemes...)
}
