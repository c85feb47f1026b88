package provider_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// cancelBlock is one cancel resource of the request id in the function urn.
func cancelBlock(urn, id string) string {
	return fmt.Sprintf(`
resource "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn = %q
  request_id   = %q
}
`, urn, id)
}

// countVerbs counts the %s verbs a block template expects to be filled.
func countVerbs(s string) int {
	n := 0
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == 's' {
			n++
		}
	}
	return n
}

// providerBlock is a provider block of these argument lines.
func providerBlock(lines ...string) string {
	return "provider \"huaweicloud\" {\n  " + strings.Join(lines, "\n  ") + "\n}\n"
}

// keysAnd is the emulator's access keys followed by these lines.
func keysAnd(lines ...string) []string { return append(append([]string{}, testKeys...), lines...) }

// testKeys are the block lines of the emulator's access keys.
var testKeys = []string{fmt.Sprintf("access_key = %q", acctest.AccessKey), fmt.Sprintf("secret_key = %q", acctest.SecretKey)}

// cancels is n cancel resources, each after the one before when chained,
// so that an apply lasts n answers.
func cancels(urn string, ids []string, chained bool) string {
	var b strings.Builder
	for i, id := range ids {
		dependsOn := ""
		if chained && i > 0 {
			dependsOn = fmt.Sprintf("  depends_on   = [huaweicloud_fgs_async_invocation_cancel.c%d]\n", i-1)
		}
		fmt.Fprintf(&b, "\nresource \"huaweicloud_fgs_async_invocation_cancel\" \"c%d\" {\n  function_urn = %q\n  request_id   = %q\n%s}\n", i, urn, id, dependsOn)
	}
	return b.String()
}

// invokeN starts n invocations of urn and returns their request IDs.
func invokeN(t *testing.T, emu *fgsemu.Emulator, urn string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = acctest.Invoke(t, emu, urn)
	}
	return ids
}

// expectAccepted checks every cancel was accepted, with the given number of IAM calls.
func expectAccepted(emu *fgsemu.Emulator, cancels, iamCalls int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s := emu.Stats()
		if s.AcceptedCancels != cancels || s.IAMCalls != iamCalls || s.AuthFailures != 0 {
			return fmt.Errorf("want %d accepted cancels, %d IAM calls and no auth failure, got %+v", cancels, iamCalls, s)
		}
		return nil
	}
}

// profileFile writes a Huawei Cloud CLI config.json whose "good" profiles
// hold the emulator's keys and whose "wrong" profile holds keys it refuses.
func profileFile(t *testing.T, dir string) string {
	t.Helper()
	content := fmt.Sprintf(`{
  "current": "good",
  "profiles": [
    {"name": "good", "mode": "AKSK", "accessKeyId": %[1]q, "secretAccessKey": %[2]q, "region": %[3]q, "projectId": %[4]q},
    {"name": "sso", "mode": "SSO", "region": %[3]q, "ssoAuth": {"stsToken": {"accessKeyId": %[1]q, "secretAccessKey": %[2]q}}},
    {"name": "wrong", "mode": "AKSK", "accessKeyId": "WRONGACCESSKEY0001", "secretAccessKey": "wrong-secret", "region": %[3]q},
    {"name": "agency", "mode": "AKSK", "accessKeyId": %[1]q, "secretAccessKey": %[2]q, "region": %[3]q,
     "agencyName": %[5]q, "agencyDomainName": %[6]q},
    {"name": "nokeys", "mode": "AKSK", "region": %[3]q}
  ]
}`, acctest.AccessKey, acctest.SecretKey, acctest.Region, acctest.ProjectID, acctest.AgencyName, acctest.AgencyDomain)
	p := filepath.Join(dir, "config.json")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// providerCase is a provider block and environment, with what must follow:
// the cancel accepted by the emulator, or an error before anything reached it.
type providerCase struct {
	name string
	// block lines; %[1]s is the emulator's URL, %[2]s its host:port, %[3]s a temporary directory.
	block []string
	env   map[string]string
	// wantError, if set, must match; unless sent, the emulator must then have seen no cancel.
	wantError string
	sent      bool
	// check, if set, runs after the step.
	check func(t *testing.T, emu *fgsemu.Emulator)
}

// runProviderCases applies one cancel per case, in parallel, each against its own emulator.
func runProviderCases(t *testing.T, tests []providerCase) {
	t.Helper()
	urn := acctest.FunctionURN("hello")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
			dir := t.TempDir()
			fill := func(s string) string {
				s = strings.ReplaceAll(s, "%[1]s", emu.URL())
				s = strings.ReplaceAll(s, "%[2]s", strings.TrimPrefix(emu.URL(), "http://"))
				return strings.ReplaceAll(s, "%[3]s", dir)
			}
			var lines []string
			for _, l := range tt.block {
				lines = append(lines, fill(l))
			}
			env := map[string]string{"HOME": dir}
			for k, v := range tt.env {
				env[k] = fill(v)
			}
			writeTestFiles(t, dir, emu.URL())
			step := resource.TestStep{Config: providerBlock(lines...) + cancelBlock(urn, acctest.Invoke(t, emu, urn))}
			if tt.wantError != "" {
				step.ExpectError = acctest.ErrorPattern(tt.wantError)
			} else {
				step.Check = func(*terraform.State) error {
					if s := emu.Stats(); s.AcceptedCancels != 1 || s.AuthFailures != 0 {
						return fmt.Errorf("want one accepted cancel and no auth failure, got %+v", s)
					}
					return nil
				}
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(acctest.Env(env)),
				Steps:                    []resource.TestStep{step},
			})
			if s := emu.Stats(); tt.wantError != "" && !tt.sent && s.RequestsByOp[fgsemu.OpCancel] != 0 {
				t.Fatalf("the emulator received a cancel from a provider that should have failed first: %+v", s)
			}
			if tt.check != nil {
				tt.check(t, emu)
			}
		})
	}
}

// writeTestFiles puts the SDK's regions files and CLI profiles in dir.
func writeTestFiles(t *testing.T, dir, emuURL string) {
	t.Helper()
	files := map[string]string{
		"regions.yaml":        fmt.Sprintf("FunctionGraph:\n  - id: %s\n    endpoint: %s\n", acctest.Region, strings.Replace(emuURL, "http://", "HTTP://", 1)),
		"regions-prefix.yaml": fmt.Sprintf("FUNCTIONGRAPH:\n  - id: %s\n    endpoint: %s/prefix\n", acctest.Region, emuURL),
		"regions-bad.yaml":    "FUNCTIONGRAPH: [id: {\n",
		"sk.txt":              acctest.SecretKey + "\n",
		"profiles.json": fmt.Sprintf(`{"current": "good", "profiles": [
  {"name": "good", "mode": "AKSK", "accessKeyId": %[1]q, "secretAccessKey": %[2]q},
  {"name": "wrong", "mode": "AKSK", "accessKeyId": "WRONGACCESSKEY0001", "secretAccessKey": "wrong-secret"},
  {"name": "newline", "mode": "AKSK", "accessKeyId": %[1]q, "secretAccessKey": %[3]q}]}`, acctest.AccessKey, acctest.SecretKey, acctest.SecretKey+"\n"),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Named pipes nobody writes to, as regions files: a read would block for ever.
	if err := os.MkdirAll(filepath.Join(dir, "fifohome", ".huaweicloud"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fifo.yaml", "fifohome/.huaweicloud/regions.yaml"} {
		if err := mkfifo(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// sdkRegionVariable is the SDK's FunctionGraph endpoint for cn-north-4.
const sdkRegionVariable = "HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_CN_NORTH_4"

// answerCase is one apply off the happy path, with what its output must
// and must not say, and what the emulator must have seen.
type answerCase struct {
	name string
	// block lines; %[1]s is the emulator's URL, %[2]s its host:port.
	block []string
	env   map[string]string
	// resource is the configuration besides the provider; %[1]s is the URN, %[2]s a running invocation.
	resource string
	faults   []fgsemu.Fault
	want     string // must match the output
	notWant  string // must not match it
	check    func(t *testing.T, emu *fgsemu.Emulator)
	// function adjusts the emulator's function; succeeds says the apply must succeed.
	function fgsemu.Function
	succeeds bool
}

// runAnswerCases applies each case, in parallel, against its own emulator with its faults.
func runAnswerCases(t *testing.T, tests []answerCase) {
	t.Helper()
	urn := acctest.FunctionURN("hello")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fn := tt.function
			fn.URN = urn
			clock := acctest.NewClock()
			emu := acctest.StartAuthEmulator(t, fgsemu.Options{Now: clock.Now}, fn)
			id := acctest.Invoke(t, emu, urn)
			if fn.RunFor > 0 { // the invocation ends on its own before the apply
				clock.Advance(fn.RunFor)
				if inv, _ := emu.Invocation(urn, id); inv.Status != fgsemu.StatusSuccess {
					t.Fatalf("the invocation did not end on its own: %+v", inv)
				}
			}
			fill := strings.NewReplacer("%[1]s", emu.URL(), "%[2]s", strings.TrimPrefix(emu.URL(), "http://"))
			var lines []string
			for _, l := range keysAnd(tt.block...) {
				lines = append(lines, fill.Replace(l))
			}
			resourceText := tt.resource
			if resourceText == "" {
				resourceText = singleCancel
			}
			cli := acctest.NewCLI(t, acctest.Env(tt.env))
			cli.Configure(providerBlock(lines...) + strings.NewReplacer("%[1]s", urn, "%[2]s", id).Replace(resourceText))
			for _, f := range tt.faults {
				if err := emu.InjectFault(f); err != nil {
					t.Fatal(err)
				}
			}
			res := cli.Run("apply", "-auto-approve")
			if (res.Code == 0) != tt.succeeds {
				t.Fatalf("apply exited %d\n%s", res.Code, res)
			}
			if !acctest.ErrorPattern(tt.want).MatchString(res.Output) {
				t.Fatalf("output does not match %q\n%s", tt.want, res)
			}
			if tt.notWant != "" && regexp.MustCompile(tt.notWant).MatchString(strings.Join(strings.Fields(res.Output), " ")) {
				t.Fatalf("output says %q\n%s", tt.notWant, res)
			}
			if tt.check != nil {
				tt.check(t, emu)
			}
		})
	}
}

// singleCancel is an answerCase's default resource.
const singleCancel = `resource "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn = "%[1]s"
  request_id   = "%[2]s"
}
`

// carriedOut is the sentence that says a cancel may have been carried out.
const carriedOut = `may have carried it out`

// logEntryStart is how each hclog entry begins; its continuation lines do not.
var logEntryStart = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)

// withoutTestHarness drops the entries terraform-plugin-testing writes about
// itself (it logs each step's configuration, secrets and all), keeping what
// Terraform and the provider log, as a user's TF_LOG=TRACE would show them.
func withoutTestHarness(log []byte) []byte {
	var out bytes.Buffer
	keep := true
	for _, line := range bytes.SplitAfter(log, []byte("\n")) {
		if logEntryStart.Match(line) {
			keep = !bytes.Contains(line, []byte(" sdk.helper_resource: "))
		}
		if keep {
			out.Write(line)
		}
	}
	return out.Bytes()
}

// issuedCredentials serves an emulator and keeps the temporary credentials
// its IAM hands out, so a test can look for them where they must not be.
type issuedCredentials struct {
	url string

	mu    sync.Mutex
	creds []string // access key, secret key, security token of each issue
}

// recordIssuedCredentials serves emu behind a recorder of the credentials its IAM issues.
func recordIssuedCredentials(t *testing.T, emu *fgsemu.Emulator) *issuedCredentials {
	t.Helper()
	ic := &issuedCredentials{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v3.0/OS-CREDENTIAL/securitytokens" {
			emu.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		var body struct {
			Credential struct{ Access, Secret, Securitytoken string } `json:"credential"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &body) == nil && body.Credential.Access != "" {
			ic.mu.Lock()
			ic.creds = append(ic.creds, body.Credential.Access, body.Credential.Secret, body.Credential.Securitytoken)
			ic.mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	ic.url = srv.URL
	return ic
}

// all is every credential issued so far.
func (ic *issuedCredentials) all() []string {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	return append([]string(nil), ic.creds...)
}
