package acctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/pluginserver"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

// CLI runs single terraform commands in a working directory of its own,
// attached to the provider served in this process as main.go serves it.
// It is for what a plugin-testing step cannot run one by one: a plain
// `terraform plan`, an `apply` that plans for itself, a saved plan.
type CLI struct {
	t         *testing.T
	dir       string
	terraform string
	reattach  string
}

// cliCommandTimeout bounds one terraform command, so a hang fails the test.
const cliCommandTimeout = 4 * time.Minute

// providerAddress is the provider's registry address on the CLI the tests
// run: main.go's on Terraform, registry.opentofu.org's on OpenTofu.
func providerAddress() string { return ProviderHost() + "/fgs-tools/huaweicloud" }

// NewCLI serves the provider (with the tests' defaults, then opts) and
// makes an empty working directory; both go when the test ends.
func NewCLI(t *testing.T, opts ...provider.Option) *CLI {
	t.Helper()
	tf, err := TerraformPath()
	if err != nil {
		t.Fatal(err)
	}
	reattach, _ := ServeInProcess(t, withTestDefaults(opts)...)
	return &CLI{t: t, dir: t.TempDir(), terraform: tf, reattach: reattach}
}

// ServeInProcess serves the provider in the test's process, through the
// function the binary serves with, and returns the value of
// TF_REATTACH_PROVIDERS that attaches Terraform to it, and a function that
// stops it and waits until it has (also called when the test ends).
func ServeInProcess(t *testing.T, opts ...provider.Option) (reattach string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configs := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- pluginserver.ServeWith(providerAddress(), provider.New("test", opts...),
			tf6server.WithDebug(ctx, configs, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t))
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configs:
	case err := <-serveErr:
		cancel()
		t.Fatalf("serving the provider: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the provider did not start serving within 30 s")
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case <-closed:
		case <-time.After(30 * time.Second):
			t.Error("the provider did not stop within 30 s")
		}
	}
	t.Cleanup(stop)
	type addr struct{ Network, String string }
	b, err := json.Marshal(map[string]any{providerAddress(): map[string]any{
		"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": cfg.Test,
		"Addr": addr{cfg.Addr.Network(), cfg.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b), stop
}

// Configure writes main.tf: the provider requirement, then the given blocks,
// and runs terraform init.
func (c *CLI) Configure(blocks ...string) {
	c.t.Helper()
	cfg := "terraform {\n  required_providers {\n    huaweicloud = { source = \"fgs-tools/huaweicloud\" }\n  }\n}\n" + strings.Join(blocks, "\n")
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		c.t.Fatal(err)
	}
	c.MustRun("init", "-input=false")
}

// WriteFile writes a file, such as a terraform test file, into the working
// directory at a relative path.
func (c *CLI) WriteFile(name, content string) {
	c.t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// CLIResult is what one terraform command did.
type CLIResult struct {
	Args   []string
	Code   int
	Output string // standard output and error, as the user saw them
}

func (r CLIResult) String() string {
	return fmt.Sprintf("terraform %s: exit %d\n%s", strings.Join(r.Args, " "), r.Code, r.Output)
}

// Run runs one terraform command in the working directory, with -no-color.
func (c *CLI) Run(args ...string) CLIResult {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliCommandTimeout)
	defer cancel()
	full := append([]string{args[0], "-no-color"}, args[1:]...)
	cmd := exec.CommandContext(ctx, c.terraform, full...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+c.reattach, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
	out, err := cmd.CombinedOutput()
	res := CLIResult{Args: full, Output: string(out)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		c.t.Fatalf("terraform %s did not finish within %s\n%s", strings.Join(full, " "), cliCommandTimeout, out)
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
	case err != nil:
		c.t.Fatalf("running terraform %s: %v", strings.Join(full, " "), err)
	}
	return res
}

// MustRun runs a command that must succeed.
func (c *CLI) MustRun(args ...string) CLIResult {
	c.t.Helper()
	res := c.Run(args...)
	if res.Code != 0 {
		c.t.Fatalf("%s", res)
	}
	return res
}
