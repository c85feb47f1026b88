package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// The Terraform CLI harness. Each scenario gets a workspace: a working
// directory, an isolated HOME and environment, and a provider (the built
// binary, or the provider served in this process for the load test). Every
// command runs with TF_LOG=TRACE into its own log file, and when the test
// ends every file the commands produced is scanned for secrets, panics and
// data races (see secrets_test.go).

// commandTimeout bounds any one terraform command; past it the command is
// killed and the test fails, so a hang can never stall the suite.
var commandTimeout = func() time.Duration {
	if os.Getenv("FGS_LONG") != "" {
		return time.Hour // the heavy load run's applies
	}
	return 4 * time.Minute
}()

// emulator is the in-process FunctionGraph emulator, remembering when it
// answered each request so tests can measure the waits between attempts.
type emulator struct {
	*fgsemu.Emulator

	mu       sync.Mutex
	answered map[string][]time.Time // operation -> when each request was answered
}

var opField = regexp.MustCompile(` op=(\S+) `)

// startEmulator starts an emulator that accepts the test keys (acctest.AccessKey
// and acctest.SecretKey) and knows the functions; it closes when the test ends.
func startEmulator(t testing.TB, opts fgsemu.Options, functions ...fgsemu.Function) *emulator {
	t.Helper()
	e := &emulator{answered: map[string][]time.Time{}}
	opts.Keys = map[string]string{acctest.AccessKey: acctest.SecretKey}
	opts.Logf = func(format string, args ...any) {
		if m := opField.FindStringSubmatch(fmt.Sprintf(format, args...)); m != nil {
			e.mu.Lock()
			e.answered[m[1]] = append(e.answered[m[1]], time.Now())
			e.mu.Unlock()
		}
	}
	e.Emulator = fgsemu.New(opts)
	if _, err := e.Start(""); err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	for _, f := range functions {
		if err := e.AddFunction(f); err != nil {
			t.Fatalf("adding function %s: %v", f.URN, err)
		}
	}
	return e
}

// answers returns when the requests of an operation were answered.
func (e *emulator) answers(op string) []time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Time(nil), e.answered[op]...)
}

func (e *emulator) inject(t testing.TB, faults ...fgsemu.Fault) {
	t.Helper()
	for _, f := range faults {
		if err := e.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
}

// workspace is a Terraform working directory and the environment its
// commands run in.
type workspace struct {
	t    *testing.T
	dir  string
	home string
	// env is added to every command's environment (and so the provider's).
	env map[string]string
	// reattach, if set, is TF_REATTACH_PROVIDERS: the provider served in-process.
	reattach string
	// trace turns TF_LOG=TRACE on; the load test turns it off for speed.
	trace bool
	// secrets are values no file may hold; accessKeys, values that may appear only masked.
	secrets    []string
	accessKeys []string
	// allowInOutput are patterns the health scan accepts in command output
	// (an interrupted command's own messages, for instance).
	allowInOutput []*regexp.Regexp

	mu   sync.Mutex
	runs int
}

// newWorkspace makes a workspace whose commands see only the given
// environment (plus what Terraform itself needs): no HW_* variable, profile
// or region file of the machine leaks in. Credentials default to the test keys.
func newWorkspace(t *testing.T, env map[string]string) *workspace {
	t.Helper()
	dir := t.TempDir()
	w := &workspace{
		t: t, dir: dir, home: filepath.Join(dir, "home"), env: env, trace: true,
		secrets: []string{acctest.SecretKey}, accessKeys: []string{acctest.AccessKey},
	}
	if w.env == nil {
		w.env = credentialsEnv()
	}
	for _, d := range []string{w.home, filepath.Join(dir, "logs")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { scanWorkspace(t, w) })
	return w
}

// credentialsEnv gives the provider the test keys through the official
// provider's variables, so they appear in no configuration.
func credentialsEnv() map[string]string {
	return map[string]string{"HW_ACCESS_KEY": acctest.AccessKey, "HW_SECRET_KEY": acctest.SecretKey}
}

// withCredentials is the test credentials plus more variables.
func withCredentials(more map[string]string) map[string]string {
	env := credentialsEnv()
	for k, v := range more {
		env[k] = v
	}
	return env
}

// configure writes main.tf: the provider requirement, then the given blocks.
func (w *workspace) configure(blocks ...string) {
	w.t.Helper()
	cfg := fmt.Sprintf("terraform {\n  required_providers {\n    huaweicloud = { source = %q }\n  }\n}\n", providerSource) +
		strings.Join(blocks, "\n")
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// init runs terraform init, which must succeed.
func (w *workspace) init() {
	w.t.Helper()
	w.mustSucceed(w.run("init", "-no-color", "-input=false"))
}

// tfResult is what one terraform command did.
type tfResult struct {
	args    []string
	code    int
	stdout  string
	stderr  string
	elapsed time.Duration
}

// output is what the user saw: standard output and error together.
func (r tfResult) output() string { return r.stdout + r.stderr }

func (r tfResult) String() string {
	return fmt.Sprintf("terraform %s: exit %d after %s\n--- stdout\n%s--- stderr\n%s",
		strings.Join(r.args, " "), r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// command prepares a terraform command, writing its output and its TF_LOG
// into the workspace's logs/ directory.
func (w *workspace) command(args ...string) (*exec.Cmd, string) {
	w.mu.Lock()
	w.runs++
	n := w.runs
	w.mu.Unlock()
	base := filepath.Join(w.dir, "logs", fmt.Sprintf("%02d-%s", n, args[0]))
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + w.home,
		"TMPDIR=" + os.TempDir(),
		"TF_CLI_CONFIG_FILE=" + suite.cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
	}
	if w.trace {
		env = append(env, "TF_LOG=TRACE", "TF_LOG_PATH="+base+".log")
	}
	if v := os.Getenv("GORACE"); v != "" {
		env = append(env, "GORACE="+v)
	}
	if w.reattach != "" {
		env = append(env, "TF_REATTACH_PROVIDERS="+w.reattach)
	}
	for k, v := range w.env {
		env = append(env, k+"="+v)
	}
	cmd := exec.Command(suite.terraform, args...)
	cmd.Dir = w.dir
	cmd.Env = env
	return cmd, base
}

// run runs a terraform command to its end, within commandTimeout.
func (w *workspace) run(args ...string) tfResult {
	w.t.Helper()
	cmd, base := w.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("starting terraform: %v", err)
	}
	res := w.wait(cmd, start, commandTimeout)
	res.args, res.stdout, res.stderr = args, stdout.String(), stderr.String()
	w.keep(base, res)
	if os.Getenv("FGS_SHOW_OUTPUT") != "" {
		w.t.Log(res)
	}
	return res
}

// wait waits for a started command; past the limit it kills the command's
// process group and fails the test.
func (w *workspace) wait(cmd *exec.Cmd, start time.Time, limit time.Duration) tfResult {
	w.t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(limit):
		if cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		} else {
			_ = cmd.Process.Kill()
		}
		w.t.Fatalf("terraform %s did not finish within %s: killed (%v)", strings.Join(cmd.Args[1:], " "), limit, <-done)
	}
	res := tfResult{elapsed: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	default:
		w.t.Fatalf("running terraform: %v", err)
	}
	return res
}

// keep writes what a command printed beside its log, for the scan.
func (w *workspace) keep(base string, res tfResult) {
	_ = os.WriteFile(base+".stdout", []byte(res.stdout), 0o600)
	_ = os.WriteFile(base+".stderr", []byte(res.stderr), 0o600)
}

func (w *workspace) mustSucceed(res tfResult) tfResult {
	w.t.Helper()
	if res.code != 0 {
		w.t.Fatalf("want success:\n%s", res)
	}
	return res
}

// apply runs terraform apply -auto-approve with extra arguments.
func (w *workspace) apply(args ...string) tfResult {
	w.t.Helper()
	return w.run(append([]string{"apply", "-auto-approve", "-no-color", "-input=false"}, args...)...)
}

// state reads the state as terraform show -json prints it, keeping that
// output for the scan.
func (w *workspace) state() *tfjson.State {
	w.t.Helper()
	res := w.mustSucceed(w.run("show", "-json", "-no-color"))
	var s tfjson.State
	if err := json.Unmarshal([]byte(res.stdout), &s); err != nil {
		w.t.Fatalf("reading the state: %v\n%s", err, res.stdout)
	}
	return &s
}

// stateResources returns the managed resources in the state by address.
func stateResources(s *tfjson.State) map[string]*tfjson.StateResource {
	out := map[string]*tfjson.StateResource{}
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return out
	}
	for _, r := range s.Values.RootModule.Resources {
		out[r.Address] = r
	}
	return out
}

// expectOutput fails unless the command's output matches the pattern, which
// is written as acctest.ErrorPattern reads it (spaces match line wraps).
func expectOutput(t *testing.T, res tfResult, pattern string) {
	t.Helper()
	if !acctest.ErrorPattern(pattern).MatchString(res.output()) {
		t.Fatalf("output does not match %q:\n%s", pattern, res)
	}
}

// providerBlock points the provider at the emulator; credentials come from
// the workspace's environment.
func providerBlock(emu *emulator, lines ...string) string {
	body := fmt.Sprintf("  endpoints = { fgs = %q }\n", emu.URL())
	for _, l := range lines {
		body += "  " + l + "\n"
	}
	return "provider \"huaweicloud\" {\n" + body + "}\n"
}

// cancelBlock is one cancel resource named name.
func cancelBlock(name, urn, requestID string, lines ...string) string {
	body := ""
	for _, l := range lines {
		body += "  " + l + "\n"
	}
	return fmt.Sprintf("resource \"huaweicloud_fgs_async_invocation_cancel\" %q {\n  function_urn = %q\n  request_id   = %q\n%s}\n",
		name, urn, requestID, body)
}

// untilTrue polls cond every 10 ms until it holds or the limit passes.
func untilTrue(ctx context.Context, limit time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return cond()
		case <-tick.C:
		}
	}
}
