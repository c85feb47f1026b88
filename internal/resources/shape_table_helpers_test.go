package resources_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
)

// shapeWorkspace is one working directory attached to a provider served in
// the test's process, like acctest.CLI, but able to interrupt an apply.
type shapeWorkspace struct {
	t         *testing.T
	dir       string
	terraform string
	reattach  string
}

// shapeCommandTimeout bounds one terraform command, so a hang fails the test.
const shapeCommandTimeout = 4 * time.Minute

// newShapeWorkspace serves the provider as acctest.CLI does (no machine
// environment, fast retries and polls) and makes an empty working directory.
func newShapeWorkspace(t *testing.T) *shapeWorkspace {
	t.Helper()
	tf, err := acctest.TerraformPath()
	if err != nil {
		t.Fatal(err)
	}
	reattach, _ := acctest.ServeInProcess(t, acctest.Env(nil), acctest.FastRetries, acctest.FastPolls)
	return &shapeWorkspace{t: t, dir: t.TempDir(), terraform: tf, reattach: reattach}
}

// configure writes main.tf with the provider requirement and the blocks, and runs init.
func (w *shapeWorkspace) configure(blocks ...string) {
	w.t.Helper()
	cfg := "terraform {\n  required_providers {\n    huaweicloud = { source = \"fgs-tools/huaweicloud\" }\n  }\n}\n" + strings.Join(blocks, "\n")
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		w.t.Fatal(err)
	}
	if res := w.run(nil, "init", "-input=false"); res.Code != 0 {
		w.t.Fatalf("%s", res)
	}
}

// interruptPoint is when Terraform gets SIGINT (Ctrl-C): once the emulator
// closes moment and, if shown is set, Terraform has printed it.
type interruptPoint struct {
	moment <-chan struct{}
	shown  string
}

// run runs one terraform command with -no-color, interrupted at at if set.
func (w *shapeWorkspace) run(at *interruptPoint, args ...string) acctest.CLIResult {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), shapeCommandTimeout)
	defer cancel()
	full := append([]string{args[0], "-no-color"}, args[1:]...)
	cmd := exec.CommandContext(ctx, w.terraform, full...)
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+w.reattach, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
	// Its own process group, so the signal reaches Terraform and not the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := newWatchedOutput("")
	if at != nil {
		out = newWatchedOutput(at.shown)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	if at != nil {
		err = w.interrupt(cmd, done, at.moment, out.shown)
	} else {
		err = <-done
	}
	res := acctest.CLIResult{Args: full, Output: out.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		w.t.Fatalf("terraform %s did not finish within %s\n%s", strings.Join(full, " "), shapeCommandTimeout, res.Output)
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
	case err != nil:
		w.t.Fatalf("running terraform %s: %v", strings.Join(full, " "), err)
	}
	return res
}

// interrupt sends SIGINT once moment and shown are closed and returns how
// the command ended; a command that ends first (or is killed at
// shapeCommandTimeout, which run reports) is not interrupted.
func (w *shapeWorkspace) interrupt(cmd *exec.Cmd, done <-chan error, moment, shown <-chan struct{}) error {
	w.t.Helper()
	for _, c := range []<-chan struct{}{moment, shown} {
		select {
		case err := <-done:
			return err
		case <-c:
		}
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		w.t.Fatal(err)
	}
	return <-done
}

// watchedOutput collects a command's output and closes shown once the
// output contains the text it watches for (at once if that is empty).
type watchedOutput struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	text  string
	shown chan struct{}
	once  sync.Once
}

func newWatchedOutput(text string) *watchedOutput {
	o := &watchedOutput{text: text, shown: make(chan struct{})}
	if text == "" {
		o.once.Do(func() { close(o.shown) })
	}
	return o
}

func (o *watchedOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, err := o.buf.Write(p)
	if o.text != "" && strings.Contains(o.buf.String(), o.text) {
		o.once.Do(func() { close(o.shown) })
	}
	return n, err
}

func (o *watchedOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// skipUnlessShapeRuns skips a shape the CLI cannot run, with acctest's
// reasons: actions need Terraform 1.14, the ephemeral cancel Terraform 1.10
// or OpenTofu 1.12.
func skipUnlessShapeRuns(t *testing.T, s cancelShape) {
	t.Helper()
	switch {
	case s.action:
		acctest.SkipWithoutActions(t)
	case s.ephemeral:
		acctest.SkipWithoutEphemeral(t)
	}
}

// diagnosticHead is a diagnostic as Terraform prints it: "Error: Title"
// or "Warning: Title", then the source line of the argument it blames.
var diagnosticHead = regexp.MustCompile(`^(Error|Warning): (.+)$`)

// sourceLine is the quoted line of the configuration under a diagnostic.
var sourceLine = regexp.MustCompile(`^\s*\d+:\s+(.*)$`)

// shapeDiagnostic is one diagnostic of the output: its severity, title and
// the argument (or block) its source line shows. Terraform 1.14 reports an
// action's plan and invoke diagnostics under a title of its own, with the
// provider's title first in the detail, at the action_trigger's line.
type shapeDiagnostic struct {
	severity, title, blamed string
	wrapped                 bool
	detail                  string // for a wrapped one: the detail, lines joined
}

func (d shapeDiagnostic) String() string {
	s := d.severity + ": " + d.title
	if d.wrapped {
		s += " (" + shorten(d.detail, 60) + ")"
	}
	if d.blamed != "" {
		s += " [" + d.blamed + "]"
	}
	return s
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// matches reports whether d is the diagnostic "Severity: Title [blamed]".
// Terraform shows a wrapped action diagnostic at the action_trigger or the
// action block, never at the argument, so there the argument is not compared.
func (d shapeDiagnostic) matches(severity, title, blamed string) bool {
	switch {
	case d.severity != severity:
		return false
	case d.wrapped:
		return strings.HasPrefix(d.detail, title+": ")
	}
	return d.title == title && d.argument() == blamed
}

// argument is the argument blamed, or "" when the source line is a block's
// header (resource "x" "y" {, provider "x" {): the whole block is blamed.
func (d shapeDiagnostic) argument() string {
	switch d.blamed {
	case "resource", "ephemeral", "action", "provider", "data":
		return ""
	}
	return d.blamed
}

// actionWrappers are the titles Terraform 1.14 puts over an action's diagnostics.
var actionWrappers = map[string]bool{
	"Error when invoking action": true, "Warning when invoking action": true, "Failed to plan action": true,
}

// terraformOwn are diagnostics of Terraform's own, not the provider's.
var terraformOwn = map[string]bool{"execution halted": true}

// parseDiagnostics reads the diagnostics of Terraform's output, each with
// the first word of the source line it quotes: an argument's name, or a
// block's kind when the diagnostic blames the whole block.
func parseDiagnostics(output string) []shapeDiagnostic {
	lines := strings.Split(output, "\n")
	var diags []shapeDiagnostic
	for i, line := range lines {
		m := diagnosticHead.FindStringSubmatch(line)
		if m == nil || terraformOwn[strings.TrimSpace(m[2])] {
			continue
		}
		d := shapeDiagnostic{severity: m[1], title: strings.TrimSpace(m[2])}
		d.wrapped = actionWrappers[d.title]
		// The source lines follow within a few lines: "with X,", "on main.tf line N", "N: text".
		j := i + 1 // where the detail begins: after the source line, if any
		for k := i + 1; k < len(lines) && k <= i+6 && !diagnosticHead.MatchString(lines[k]); k++ {
			if s := sourceLine.FindStringSubmatch(lines[k]); s != nil {
				d.blamed, j = strings.Fields(s[1])[0], k+1
				break
			}
		}
		if d.wrapped {
			// The detail: the paragraph after the source line.
			var detail []string
			for ; j < len(lines); j++ {
				l := strings.TrimSpace(lines[j])
				if l == "" && len(detail) > 0 {
					break
				}
				if l != "" {
					detail = append(detail, l)
				}
			}
			d.detail = strings.Join(detail, " ")
		}
		diags = append(diags, d)
	}
	return diags
}
