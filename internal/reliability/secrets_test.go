package reliability

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	iamv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/testproxy"
)

// Secrets: every workspace of the suite is scanned when its test ends (see
// scan_test.go), so every fault case, bad input and interrupt above runs
// under TF_LOG=TRACE and is checked. The tests here add what those cases do
// not: the whole lifecycle (plan, show, apply, plan, destroy) with each way
// of passing credentials, answers that echo a secret back, refused keys,
// TLS verification, and the scan's own ability to find a leak.

// The agency the emulator's IAM lets the test keys assume, for temporary keys.
const (
	agencyName   = "fgs-reliability"
	agencyDomain = "reliability-account"
)

// temporaryCredentials asks the emulator's IAM for an agency's temporary
// access key, secret key and security token, as the SDK does.
func temporaryCredentials(t *testing.T, emu *emulator) fgs.Credentials {
	t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(acctest.AccessKey).WithSk(acctest.SecretKey).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := iamv3.IamClientBuilder().WithEndpoints([]string{emu.URL()}).WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	domain := agencyDomain
	resp, err := iamv3.NewIamClient(hc).CreateTemporaryAccessKeyByAgency(&iammodel.CreateTemporaryAccessKeyByAgencyRequest{
		Body: &iammodel.CreateTemporaryAccessKeyByAgencyRequestBody{Auth: &iammodel.AgencyAuth{Identity: &iammodel.AgencyAuthIdentity{
			Methods:    []iammodel.AgencyAuthIdentityMethods{iammodel.GetAgencyAuthIdentityMethodsEnum().ASSUME_ROLE},
			AssumeRole: &iammodel.IdentityAssumerole{AgencyName: agencyName, DomainName: &domain},
		}}},
	})
	if err != nil || resp.Credential == nil {
		t.Fatalf("getting temporary credentials: %v", err)
	}
	return fgs.Credentials{AccessKey: resp.Credential.Access, SecretKey: resp.Credential.Secret, SecurityToken: resp.Credential.Securitytoken}
}

// secretsEmulator is an emulator whose IAM issues temporary credentials.
func secretsEmulator(t *testing.T, urn string) *emulator {
	t.Helper()
	return startEmulator(t, fgsemu.Options{Agencies: []fgsemu.Agency{{AgencyName: agencyName, DomainName: agencyDomain}}}, fgsemu.Function{URN: urn})
}

// The whole lifecycle under TF_LOG=TRACE, with each way of passing
// credentials: plan to a file and show it as JSON, apply it, plan again,
// show the state, destroy. No secret appears in any log, output, plan or
// state; the provider's own log lines are there to be scanned.
func TestSecrets_lifecycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup returns the environment, the provider block's credential
		// lines, and the secrets and access key in use.
		setup func(t *testing.T, emu *emulator) (env map[string]string, lines, secrets []string, accessKey string)
		// inConfig: the configuration writes the secrets, so a plan's JSON
		// shows them in its configuration section, as Terraform does with
		// the user's own input; nowhere else.
		inConfig bool
	}{
		{
			name: "keys from HW_ACCESS_KEY and HW_SECRET_KEY",
			setup: func(*testing.T, *emulator) (map[string]string, []string, []string, string) {
				return credentialsEnv(), nil, []string{acctest.SecretKey}, acctest.AccessKey
			},
		},
		{
			name: "temporary keys with HW_SECURITY_TOKEN",
			setup: func(t *testing.T, emu *emulator) (map[string]string, []string, []string, string) {
				c := temporaryCredentials(t, emu)
				env := map[string]string{"HW_ACCESS_KEY": c.AccessKey, "HW_SECRET_KEY": c.SecretKey, "HW_SECURITY_TOKEN": c.SecurityToken}
				return env, nil, []string{c.SecretKey, c.SecurityToken, acctest.SecretKey}, c.AccessKey
			},
		},
		{
			name:     "temporary keys and token in the provider block",
			inConfig: true,
			setup: func(t *testing.T, emu *emulator) (map[string]string, []string, []string, string) {
				c := temporaryCredentials(t, emu)
				lines := []string{
					fmt.Sprintf("access_key = %q", c.AccessKey),
					fmt.Sprintf("secret_key = %q", c.SecretKey),
					fmt.Sprintf("security_token = %q", c.SecurityToken),
				}
				return map[string]string{}, lines, []string{c.SecretKey, c.SecurityToken, acctest.SecretKey}, c.AccessKey
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			figures.securityCase(t)
			urn := acctest.FunctionURN("report")
			emu := secretsEmulator(t, urn)
			id := acctest.Invoke(t, emu.Emulator, urn)
			env, lines, secrets, accessKey := tt.setup(t, emu)
			w := newWorkspace(t, env)
			w.secrets, w.accessKeys = secrets, []string{accessKey, acctest.AccessKey}
			w.configure(providerBlock(emu, lines...), cancelBlock("stop", urn, id),
				fmt.Sprintf("data \"huaweicloud_fgs_async_invocations\" \"all\" {\n  function_urn = %q\n}\n", urn))
			w.init()

			w.mustSucceed(w.run("plan", "-no-color", "-input=false", "-out=cancel.tfplan"))
			plan := w.mustSucceed(w.run("show", "-json", "-no-color", "cancel.tfplan"))
			w.mustSucceed(w.run("apply", "-no-color", "-input=false", "cancel.tfplan"))
			again := w.run("plan", "-no-color", "-input=false", "-detailed-exitcode")
			if again.code != 0 {
				t.Fatalf("a second plan is not empty:\n%s", again)
			}
			if r := stateResources(w.state())["huaweicloud_fgs_async_invocation_cancel.stop"]; r == nil {
				t.Fatal("the state has no cancel")
			}
			w.mustSucceed(w.run("destroy", "-auto-approve", "-no-color", "-input=false"))
			w.state()
			if s := emu.Stats(); s.AcceptedCancels != 1 || s.AuthFailures != 0 {
				t.Fatalf("want one accepted cancel and no auth failure: %+v", s)
			}

			// The plan's JSON holds the secrets written in the configuration,
			// and only there.
			if got := strings.Contains(plan.stdout, secrets[0]); got != tt.inConfig {
				t.Fatalf("plan JSON holds the secret key: %t, want %t", got, tt.inConfig)
			}

			// The scan cannot pass for want of material: the provider's TRACE
			// and DEBUG lines, each request's among them, are in the logs.
			res := scanDir(w.dir, w.secrets, w.accessKeys, nil)
			logs := allLogs(t, w)
			for _, line := range []string{"Configured the FunctionGraph client", "FunctionGraph request answered", "Cancelling async invocation",
				"Async invocation cancel accepted", "Listed async invocations", "provider.terraform-provider-huaweicloud"} {
				if !strings.Contains(logs, line) {
					t.Errorf("the TRACE logs lack the provider's %q lines", line)
				}
			}
			if res.providerLogLines < 100 || res.maskedAccessKeys == 0 {
				t.Errorf("scanned %d provider log lines and %d masked access keys; the provider's logs were not captured", res.providerLogLines, res.maskedAccessKeys)
			}
		})
	}
}

// allLogs is every TF_LOG file of a workspace, joined.
func allLogs(t *testing.T, w *workspace) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(w.dir, "logs", "*.log"))
	var b strings.Builder
	for _, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(content)
	}
	return b.String()
}

// echoingProxy answers every cancel as some proxies and debugging gateways
// do: an error page repeating the request's headers, the security token
// among them, and the token again as X-Request-Id.
func echoingProxy(t *testing.T, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get("X-Security-Token")
		w.Header().Set("X-Request-Id", token)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: X-Security-Token=%s; %s"}`,
			token, r.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// An answer that echoes the security token, in its body and its
// X-Request-Id, does not bring it into the diagnostic, the logs or the state.
func TestSecrets_echoedTokenIsMasked(t *testing.T) {
	t.Parallel()
	for _, status := range []int{401, 500} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			figures.securityCase(t)
			urn := acctest.FunctionURN("report")
			emu := secretsEmulator(t, urn)
			c := temporaryCredentials(t, emu)
			proxy := echoingProxy(t, status)
			w := newWorkspace(t, map[string]string{"HW_ACCESS_KEY": c.AccessKey, "HW_SECRET_KEY": c.SecretKey, "HW_SECURITY_TOKEN": c.SecurityToken})
			w.secrets, w.accessKeys = []string{c.SecretKey, c.SecurityToken}, []string{c.AccessKey}
			w.configure(fmt.Sprintf("provider \"huaweicloud\" {\n  endpoints = { fgs = %q }\n  max_retries = 1\n}\n", proxy.URL),
				cancelBlock("stop", urn, goodRequestID))
			w.init()
			res := w.apply()
			want := map[int]string{
				401: `Authentication Failed.*Check access_key and secret_key.*security_token.*HTTP status: 401.*Error code: APIGW\.0301.*X-Security-Token=\*\*\*`,
				500: `FunctionGraph Server Error.*HTTP status: 500.*X-Security-Token=\*\*\*.*X-Request-Id\): \*\*\*.*Attempts: 2`,
			}[status]
			if res.code == 0 {
				t.Fatalf("want a failure:\n%s", res)
			}
			expectOutput(t, res, want)
			// The cleanup scan fails the test if the token appears anywhere.
		})
	}
}

// Refused keys get a diagnostic that says what to check and carries the
// facts for a support ticket, not a bare "Authentication failed", and the
// wrong secret key is not shown either.
func TestSecrets_refusedKeysExplained(t *testing.T) {
	t.Parallel()
	figures.securityCase(t)
	urn := acctest.FunctionURN("report")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu.Emulator, urn)
	const wrongSecret = "wrong-secret-key-must-not-show-0001"
	w := newWorkspace(t, map[string]string{"HW_ACCESS_KEY": acctest.AccessKey, "HW_SECRET_KEY": wrongSecret})
	w.secrets = append(w.secrets, wrongSecret)
	w.configure(providerBlock(emu), cancelBlock("stop", urn, id))
	w.init()
	res := w.apply()
	expectOutput(t, res, `Error: Failed to Cancel Async Invocation: Authentication Failed.*did not accept the request's credentials.*`+
		`Check access_key and secret_key \(or HW_ACCESS_KEY and HW_SECRET_KEY.*clock.*HTTP status: 401.*Error code: APIGW\.0301.*`+
		`Message: .*signature.*X-Request-Id\): [0-9a-f]{32}.*Attempts: 1`)
	if s := emu.Stats(); s.AuthFailures != 1 || s.AcceptedCancels != 0 {
		t.Fatalf("want one refused request and no cancel: %+v", s)
	}
}

// TLS certificates are verified unless insecure is set: against a server
// whose certificate no CA vouches for, the apply fails before any request is
// made, says why, and is not retried; with insecure (or HW_INSECURE) it works.
func TestSecrets_tlsVerifiedUnlessInsecure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lines    []string
		env      map[string]string
		verified bool // the certificate is checked, so the apply fails
	}{
		{name: "verified by default", verified: true},
		{name: "insecure = false", lines: []string{"insecure = false"}, env: withCredentials(map[string]string{"HW_INSECURE": "true"}), verified: true},
		{name: "insecure = true", lines: []string{"insecure = true"}},
		{name: "HW_INSECURE=true", env: withCredentials(map[string]string{"HW_INSECURE": "true"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			figures.securityCase(t)
			urn := acctest.FunctionURN("report")
			emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
			id := acctest.Invoke(t, emu.Emulator, urn)
			target, err := url.Parse(emu.URL())
			if err != nil {
				t.Fatal(err)
			}
			var requests atomic.Int64
			proxy := httputil.NewSingleHostReverseProxy(target)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				proxy.ServeHTTP(w, r)
			}))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
			srv.StartTLS()
			t.Cleanup(srv.Close)

			w := newWorkspace(t, tt.env)
			w.configure(fmt.Sprintf("provider \"huaweicloud\" {\n  endpoints = { fgs = %q }\n  %s\n}\n", srv.URL, strings.Join(tt.lines, "\n  ")),
				cancelBlock("stop", urn, id))
			w.init()
			res := w.apply()
			if !tt.verified {
				w.mustSucceed(res)
				if s := emu.Stats(); s.AcceptedCancels != 1 {
					t.Fatalf("want one accepted cancel: %+v", s)
				}
				return
			}
			expectOutput(t, res, `Error: Failed to Cancel Async Invocation: Cannot Reach FunctionGraph.*TLS certificate did not verify.*`+
				`certificate signed by unknown authority.*Only for a test environment, insecure = true \(HW_INSECURE\) skips verification.*Attempts: 1`)
			if n, s := requests.Load(), emu.Stats(); n != 0 || s.Requests != 0 {
				t.Fatalf("%d requests passed a certificate that did not verify (%d reached the emulator)", n, s.Requests)
			}
		})
	}
}

// The scan finds what it looks for: a secret in a log, in state JSON or in a
// plan's resource values, an unmasked access key, a panic; and it lets
// through only a secret the user wrote in the provider block, where a
// plan's JSON shows the configuration back.
func TestSecrets_scanFindsLeaks(t *testing.T) {
	t.Parallel()
	const secret, accessKey = "planted-secret-0001", "PLANTEDACCESSKEY0001"
	dir := t.TempDir()
	planJSON := func(configured, inValues string) string {
		return fmt.Sprintf(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"values":{"request_id":%q}}]}},`+
			`"configuration":{"provider_config":{"huaweicloud":{"name":"huaweicloud","expressions":{"secret_key":{"constant_value":%q},"region":{"constant_value":"cn-north-4"}}}}}}`,
			inValues, configured)
	}
	files := map[string]string{
		"clean/01-apply.log":         "[DEBUG] provider.terraform-provider-huaweicloud: Configured: access_key=" + fgs.MaskAccessKey(accessKey),
		"clean/02-show.stdout":       planJSON(secret, "abc"),
		"leaky/01-apply.log":         "[TRACE] sending X-Security-Token: " + secret,
		"leaky/02-show.stdout":       planJSON("", secret),
		"leaky/03-apply.stderr":      "Error: Authentication Failed\nAccess key: " + accessKey,
		"leaky/terraform.tfstate":    `{"resources":[{"instances":[{"attributes":{"api_request_id":"` + secret + `"}}]}]}`,
		"leaky/04-apply.stderr":      "Stack trace from the terraform-provider-huaweicloud plugin:\n\npanic: runtime error",
		"leaky/main.tf":              `secret_key = "` + secret + `"`,
		"leaky/.terraform/providers": secret,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	clean := scanDir(filepath.Join(dir, "clean"), []string{secret}, []string{accessKey}, nil)
	if len(clean.leaks)+len(clean.unhealthy) != 0 || clean.maskedAccessKeys != 1 || clean.providerLogLines != 1 || clean.runs != 1 {
		t.Fatalf("clean files: %+v", clean)
	}
	leaky := scanDir(filepath.Join(dir, "leaky"), []string{secret}, []string{accessKey}, nil)
	var found []string
	for _, l := range leaky.leaks {
		found = append(found, strings.SplitN(l, ":", 2)[0])
	}
	if want := "01-apply.log 02-show.stdout 03-apply.stderr terraform.tfstate"; strings.Join(found, " ") != want {
		t.Fatalf("leaks found in %q, want %q: %q", found, want, leaky.leaks)
	}
	if len(leaky.unhealthy) != 1 || !regexp.MustCompile(`^04-apply\.stderr: .*panic: runtime error`).MatchString(leaky.unhealthy[0]) {
		t.Fatalf("unhealthy: %q", leaky.unhealthy)
	}
	for _, l := range leaky.leaks {
		if strings.Contains(l, secret) {
			t.Fatalf("the report itself shows the secret: %q", l)
		}
	}
}

// Secrets echoed by the server: a stand-in for FunctionGraph answers 200
// and repeats the request's Authorization (access key and signature) and
// X-Security-Token, in a listed invocation's error_message and in a
// cancel's error body. Neither the data source's invocations, the output,
// the state, the diagnostic nor any log shows them: the 200 answers go
// through the same masking as error answers, and the cancel's 200 with an
// error body is a failure with its code.
func TestSecrets_echoedByTheServer(t *testing.T) {
	t.Parallel()
	figures.securityCase(t)
	urn := acctest.FunctionURN("report")
	emu := secretsEmulator(t, urn)
	c := temporaryCredentials(t, emu)
	echo := testproxy.StartEcho(t)
	w := newWorkspace(t, map[string]string{"HW_ACCESS_KEY": c.AccessKey, "HW_SECRET_KEY": c.SecretKey, "HW_SECURITY_TOKEN": c.SecurityToken})
	w.secrets, w.accessKeys = []string{c.SecretKey, c.SecurityToken}, []string{c.AccessKey}
	w.configure(fmt.Sprintf("provider \"huaweicloud\" {\n  endpoints = { fgs = %q }\n  max_retries = 1\n}\n", echo.URL),
		fmt.Sprintf("data \"huaweicloud_fgs_async_invocations\" \"all\" {\n  function_urn = %q\n}\n", urn),
		"output \"echoed\" {\n  value = data.huaweicloud_fgs_async_invocations.all.invocations\n}\n",
		cancelBlock("stop", urn, goodRequestID, "depends_on = [data.huaweicloud_fgs_async_invocations.all]"))
	w.init()
	res := w.apply()
	if res.code == 0 {
		t.Fatalf("a cancel answered 200 with an error body was taken as done:\n%s", res)
	}
	expectOutput(t, res, `Failed to Cancel Async Invocation: Error in a Success Answer.*HTTP status: 200.*Error code: FSS\.0500.*Message: debug: SDK-HMAC-SHA256 Access=\S+\*\*\*.*Signature=\*\*\*.*X-Security-Token=\*\*\*`)
	state := w.mustSucceed(w.run("show", "-json", "-no-color"))
	if !strings.Contains(state.stdout, `Signature=***`) || !strings.Contains(state.stdout, `X-Security-Token=***`) {
		t.Fatalf("the state lacks the listed invocation's masked error_message, so the scan proves nothing:\n%s", state.stdout)
	}
	if got := echo.Requests(); len(got) != 2 {
		t.Fatalf("want one list and one cancel, the server saw %q", got)
	}
	// The cleanup scan fails the test if any of these shows anywhere.
	w.secrets = append(w.secrets, echo.Echoed()...)
}
