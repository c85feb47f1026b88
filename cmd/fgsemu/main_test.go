package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

const testURN = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:hello:latest"

// syncBuffer is a bytes.Buffer safe to read while run writes to it; once
// watched, each write wakes the watcher.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		select {
		case s.written <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var listeningLine = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+)\n`)

// startServe runs serve in the background and returns its URL, its output
// and a stop function that cancels it and returns the exit code.
func startServe(t *testing.T, args []string, env map[string]string) (string, *syncBuffer, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{written: make(chan struct{}, 1)}, &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, envMap(env), stdout, stderr) }()
	deadline := time.After(5 * time.Second)
	for {
		if m := listeningLine.FindStringSubmatch(stdout.String()); m != nil {
			stop := func() int {
				cancel()
				select {
				case code := <-done:
					return code
				case <-time.After(3 * time.Second):
					t.Fatal("serve did not return after its context was cancelled")
					return -1
				}
			}
			t.Cleanup(func() { cancel() })
			return m[1], stdout, stderr, stop
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		case <-deadline:
			t.Fatalf("no listening line; stdout %q stderr %q", stdout.String(), stderr.String())
		case <-stdout.written:
		}
	}
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, envMap(nil), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestServeInvokeShow(t *testing.T) {
	url, stdout, stderr, stop := startServe(t, []string{"-function", testURN, "-stop-delay", "0s"},
		map[string]string{"FGSEMU_ACCESS_KEY": "AK", "FGSEMU_SECRET_KEY": "SK", "FGSEMU_LISTEN": "127.0.0.1:0"})

	code, out, errOut := runCmd(t, "invoke", "-endpoint", url, "-urn", testURN, "-count", "3")
	ids := strings.Fields(out)
	if code != 0 || len(ids) != 3 || errOut != "" {
		t.Fatalf("invoke: %d %q %q", code, out, errOut)
	}

	// Right after invoke: the invocations are counted, and the request counter
	// says why it is 0 (invoke goes through the control API).
	code, out, _ = runCmd(t, "show", "-endpoint", url, "-urn", testURN)
	if code != 0 || !regexp.MustCompile(`(?m)^invocations: +3 \(RUNNING 3\)$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^API requests: +0 \(the control API, which invoke and show use, is not counted\)$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^accepted cancels: +0$`).MatchString(out) {
		t.Fatalf("show right after invoke: %d\n%s", code, out)
	}

	// An unsigned API call shows up as a log line and an auth failure.
	resp, err := http.Post(url+"/v2/0123456789abcdef0123456789abcdef/fgs/functions/"+testURN+"/cancel", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	code, out, _ = runCmd(t, "show", "-endpoint", url, "-urn", testURN)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) < 5 || !regexp.MustCompile(`^REQUEST ID\s+STATUS\s+ERROR\s+MESSAGE\s+START\s+END$`).MatchString(lines[0]) {
		t.Fatalf("show: %d\n%s", code, out)
	}
	for i, id := range ids {
		if !regexp.MustCompile(`^` + id + `\s+RUNNING\s+-\s+-\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+-$`).MatchString(lines[i+1]) {
			t.Errorf("row %d: %q", i+1, lines[i+1])
		}
	}
	if !regexp.MustCompile(`(?m)^API requests: +1 \(cancel 1; the control API, which invoke and show use, is not counted\)$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^auth failures: +1$`).MatchString(out) {
		t.Errorf("stats section:\n%s", out)
	}
	code, out, _ = runCmd(t, "show", "-endpoint", url, "-urn", testURN, "-request-id", ids[1])
	rows := regexp.MustCompile(`(?m)^\S+ +RUNNING `).FindAllString(out, -1)
	if code != 0 || len(rows) != 1 || !strings.HasPrefix(rows[0], ids[1]) ||
		!regexp.MustCompile(`(?m)^invocations: +3 \(RUNNING 3\)$`).MatchString(out) {
		t.Errorf("show one: %d\n%s", code, out)
	}
	if code, out, errOut := runCmd(t, "show", "-endpoint", url, "-urn", testURN, "-request-id", "no-such-id"); code != 1 || out != "" ||
		!strings.Contains(errOut, `unknown request ID "no-such-id"`) {
		t.Errorf("show of an unknown request ID: %d %q %q", code, out, errOut)
	}

	// An unknown function: the error says how to add it, and doing so works.
	other := strings.Replace(testURN, ":hello:", ":other:", 1)
	code, _, errOut = runCmd(t, "invoke", "-endpoint", url, "-urn", other)
	add := regexp.MustCompile(`(?m)^  curl -X POST (\S+) -d '(.*)'$`).FindStringSubmatch(errOut)
	if code != 1 || add == nil || add[1] != url+"/_emulator/functions" || !strings.Contains(errOut, "-function \""+other+"\"") ||
		!strings.Contains(errOut, "Functions served now:\n  "+testURN+"\n") {
		t.Fatalf("invoke of an unknown function: %d\n%s", code, errOut)
	}
	if code, _, errOut := runCmd(t, "show", "-endpoint", url, "-urn", other); code != 1 || !strings.Contains(errOut, add[0]) {
		t.Errorf("show of an unknown function: %d\n%s", code, errOut)
	}
	resp, err = http.Post(add[1], "application/json", strings.NewReader(add[2]))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, out, errOut := runCmd(t, "invoke", "-endpoint", url, "-urn", other); resp.StatusCode != http.StatusCreated || code != 0 || len(strings.Fields(out)) != 1 {
		t.Errorf("invoke after adding the function as told: HTTP %d, %d %q %q", resp.StatusCode, code, out, errOut)
	}

	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	if n := strings.Count(stdout.String(), "\n"); n != 1 {
		t.Errorf("stdout should hold only the listening line, got %q", stdout.String())
	}
	logs := stderr.String()
	if !strings.Contains(logs, "POST /v2/0123456789abcdef0123456789abcdef/fgs/functions/"+testURN+"/cancel 401 op=cancel") ||
		!strings.Contains(logs, "shutting down") || strings.Contains(logs, "SK") {
		t.Errorf("stderr:\n%s", logs)
	}
}

func TestServeFlagsAndEnvironment(t *testing.T) {
	other := strings.Replace(testURN, "hello", "other", 1)
	t.Run("functions from the environment", func(t *testing.T) {
		url, _, _, stop := startServe(t, []string{"-token", "T"}, map[string]string{"FGSEMU_FUNCTIONS": testURN + ", " + other})
		for _, urn := range []string{testURN, other} {
			if code, _, errOut := runCmd(t, "invoke", "-endpoint", url, "-urn", urn); code != 0 {
				t.Errorf("%s: %s", urn, errOut)
			}
		}
		stop()
	})
	t.Run("a flag replaces the environment", func(t *testing.T) {
		url, _, _, stop := startServe(t, []string{"-function", other}, map[string]string{
			"FGSEMU_FUNCTIONS": testURN, "FGSEMU_ACCESS_KEY": "AK", "FGSEMU_SECRET_KEY": "SK"})
		if code, _, _ := runCmd(t, "invoke", "-endpoint", url, "-urn", testURN); code != 1 {
			t.Errorf("the environment's function should be replaced by -function, got exit %d", code)
		}
		if code, _, _ := runCmd(t, "invoke", "-endpoint", url, "-urn", other); code != 0 {
			t.Error("-function not served")
		}
		stop()
	})
	// That the emulator delays every answer by its Latency is fgsemu's
	// to prove (on its timer seam); here, that the environment sets it.
	t.Run("latency from the environment", func(t *testing.T) {
		var stderr bytes.Buffer
		fs, c := serveFlags(&stderr)
		env := map[string]string{"FGSEMU_LATENCY": "50ms"}
		if code, ok := parseFlags(fs, []string{"-access-key", "AK", "-secret-key", "SK"}, func(k string) string { return env[k] }, servePlurals, &stderr); !ok {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		opts, _, err := c.options()
		if err != nil || opts.Latency != 50*time.Millisecond {
			t.Errorf("FGSEMU_LATENCY=50ms gave latency %v (%v)", opts.Latency, err)
		}
	})

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no keys", nil, nil, "missing credentials"},
		{"key without secret", []string{"-access-key", "AK"}, nil, "both -access-key and -secret-key"},
		{"non-loopback", []string{"-access-key", "AK", "-secret-key", "SK", "-listen", "0.0.0.0:8080"}, nil, "only loopback"},
		{"non-loopback from env", []string{"-access-key", "AK", "-secret-key", "SK"}, map[string]string{"FGSEMU_LISTEN": "192.0.2.1:80"}, "only loopback"},
		{"bad URN", []string{"-access-key", "AK", "-secret-key", "SK", "-function", "urn:fss:nope"}, nil, `-function "urn:fss:nope"`},
		{"bad duration in env", []string{"-access-key", "AK", "-secret-key", "SK"}, map[string]string{"FGSEMU_STOP_DELAY": "soon"}, "FGSEMU_STOP_DELAY"},
		{"bad agency", []string{"-access-key", "AK", "-secret-key", "SK", "-agency", "nodomain"}, nil, "AGENCY@DOMAIN"},
		{"unknown flag", []string{"-nope"}, nil, "flag provided but not defined"},
		{"stray argument", []string{"-access-key", "AK", "-secret-key", "SK", "extra"}, nil, "unexpected argument"},
		{"unknown command", []string{"frobnicate"}, nil, "unknown command"},
		{"invoke without urn", []string{"invoke", "-endpoint", "http://127.0.0.1:1"}, nil, "-endpoint and -urn are required"},
		{"show with a bad endpoint", []string{"show", "-endpoint", "127.0.0.1:1", "-urn", testURN}, nil, "want a URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, envMap(tc.env), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
				t.Fatalf("exit %d, stderr %q, stdout %q; want 2 and %q", code, stderr.String(), stdout.String(), tc.want)
			}
		})
	}

	t.Run("invoke against nothing", func(t *testing.T) {
		code, _, errOut := runCmd(t, "invoke", "-endpoint", "http://127.0.0.1:1", "-urn", testURN)
		if code != 1 || !strings.Contains(errOut, "fgsemu invoke:") {
			t.Fatalf("%d %q", code, errOut)
		}
	})
	t.Run("help", func(t *testing.T) {
		if code, out, _ := runCmd(t, "help"); code != 0 || !strings.Contains(out, "Usage:") {
			t.Fatalf("%d %q", code, out)
		}
	})
}

// TestHelpListsEveryFlagAndControlEndpoint reads the flags from each
// command's own flag set and the endpoints from the control API's routes, so
// a flag or an endpoint added without a word in the help fails here.
func TestHelpListsEveryFlagAndControlEndpoint(t *testing.T) {
	code, out, _ := runCmd(t, "help")
	if code != 0 {
		t.Fatalf("help exited %d", code)
	}
	serveFS, _ := serveFlags(io.Discard)
	invokeFS, _, _, _ := invokeFlags(io.Discard)
	showFS, _, _, _ := showFlags(io.Discard)
	for _, fs := range []*flag.FlagSet{serveFS, invokeFS, showFS} {
		i := strings.Index(out, "\n"+fs.Name()+" flags:\n")
		if i < 0 {
			t.Errorf("help has no %q section", fs.Name()+" flags:")
			continue
		}
		section, _, _ := strings.Cut(out[i+1:], "\n\n")
		fs.VisitAll(func(f *flag.Flag) {
			if !regexp.MustCompile(`(?m)^  -` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(section) {
				t.Errorf("%s: -%s is not in the help", fs.Name(), f.Name)
			}
		})
	}

	endpoints := fgsemu.ControlEndpoints()
	if len(endpoints) < 10 {
		t.Fatalf("the emulator serves only %d control endpoints: %q", len(endpoints), endpoints)
	}
	for _, endpoint := range endpoints {
		method, path, _ := strings.Cut(endpoint, " ")
		line := `(?m)^  ` + method + ` +` + regexp.QuoteMeta(path) + `[ ?]`
		if !regexp.MustCompile(line).MatchString(out) {
			t.Errorf("help does not list %s", endpoint)
		}
	}
}

// TestSignalStopsTheProgram builds the real binary and stops it with SIGTERM.
func TestSignalStopsTheProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "fgsemu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		cmd := exec.Command(bin, "serve", "-function", testURN)
		cmd.Env = append(os.Environ(), "FGSEMU_ACCESS_KEY=AK", "FGSEMU_SECRET_KEY=SK")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || !listeningLine.MatchString(line) {
			_ = cmd.Process.Kill()
			t.Fatalf("first line %q: %v", line, err)
		}
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("%v: exit %v, want 0", sig, err)
			}
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("%v: did not exit", sig)
		}
	}
}

// A quota set by flag or variable refuses as API Gateway does, and show counts the refusals.
func TestServeQuota(t *testing.T) {
	// Day-long windows: the test's calls cannot straddle two windows of the wall clock.
	url, _, stderr, stop := startServe(t, []string{"-token", "T", "-function", testURN, "-quota-cancel", "2/24h"},
		map[string]string{"FGSEMU_QUOTA_LIST": "1/86400s", "FGSEMU_QUOTA_CANCEL": "1/1s"})
	code, out, _ := runCmd(t, "invoke", "-endpoint", url, "-urn", testURN, "-count", "3")
	ids := strings.Fields(out)
	if code != 0 || len(ids) != 3 {
		t.Fatalf("invoke: %d %q (a quota must not limit the control API)", code, out)
	}
	api := func(method, action, body string) (int, string, http.Header) {
		req, _ := http.NewRequest(method, url+"/v2/0123456789abcdef0123456789abcdef/fgs/functions/"+testURN+"/"+action, strings.NewReader(body))
		req.Header.Set("X-Auth-Token", "T")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	throttled := regexp.MustCompile(`^\{"error_code":"APIGW\.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:(\d+),time:86400 second","request_id":"[0-9a-f]{32}"\}$`)
	for i, id := range ids {
		status, body, header := api("POST", "cancel", `{"request_id":"`+id+`"}`)
		if i < 2 && status != 200 {
			t.Fatalf("cancel %d within the quota: %d %s", i, status, body)
		}
		if i == 2 && (status != 429 || throttled.FindStringSubmatch(body) == nil || throttled.FindStringSubmatch(body)[1] != "2" || header.Get("Retry-After") != "") {
			t.Fatalf("cancel over the flag's quota: %d %s %v", status, body, header)
		}
	}
	api("GET", "async-invocations", "")
	if status, body, _ := api("GET", "async-invocations", ""); status != 429 || throttled.FindStringSubmatch(body) == nil {
		t.Fatalf("list over FGSEMU_QUOTA_LIST: %d %s", status, body)
	}
	code, out, _ = runCmd(t, "show", "-endpoint", url, "-urn", testURN)
	if code != 0 || !regexp.MustCompile(`(?m)^quotas: +cancel 2/24h, list 1/24h per credential$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^throttled by quotas: +2 \(cancel 1, list 1\)$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^accepted cancels: +2$`).MatchString(out) {
		t.Fatalf("show: %d\n%s", code, out)
	}
	if code := stop(); code != 0 || !strings.Contains(stderr.String(), "fgsemu: quota on cancel: 2/24h per credential") {
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
}

func TestServeQuotaErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-token", "T", "-quota-cancel", "100"}, nil, `invalid value "100" for flag -quota-cancel: quota "100": want LIMIT/WINDOW`},
		{[]string{"-token", "T", "-quota-list", "5/1500ms"}, nil, "whole seconds"},
		{[]string{"-token", "T", "-quota-list", "0/1m"}, nil, "at least 1"},
		{[]string{"-token", "T"}, map[string]string{"FGSEMU_QUOTA_INVOKE": "5/soon"}, "FGSEMU_QUOTA_INVOKE"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, envMap(tc.env), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 and %q", tc.args, tc.env, code, stderr.String(), tc.want)
		}
	}
}
