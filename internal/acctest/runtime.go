package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"testing"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Runtime is the CLI the tests drive: Terraform or OpenTofu, which
// plugin-testing cannot tell apart (both report a terraform_version).
type Runtime struct {
	Path    string
	Name    string // "Terraform" or "OpenTofu"
	Version *goversion.Version
}

// OpenTofu reports whether the CLI is OpenTofu.
func (r Runtime) OpenTofu() bool { return r.Name == "OpenTofu" }

func (r Runtime) String() string { return fmt.Sprintf("%s %s", r.Name, r.Version) }

// openTofuRegistry is the host OpenTofu gives a source without one
// ("fgs-tools/huaweicloud"); Terraform's is registry.terraform.io.
const openTofuRegistry = "registry.opentofu.org"

var (
	runtimeOnce sync.Once
	runtimeCLI  Runtime
	runtimeErr  error
)

// TerraformPath is the CLI binary the tests run, found as plugin-testing
// finds it: TF_ACC_TERRAFORM_PATH (which may name an OpenTofu binary), else
// terraform on PATH.
func TerraformPath() (string, error) {
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return tf, nil
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("no terraform binary is on PATH (nor TF_ACC_TERRAFORM_PATH set); install Terraform >= 1.8 " +
			"or point TF_ACC_TERRAFORM_PATH at one (or at OpenTofu >= 1.11)")
	}
	return tf, nil
}

// CLIRuntime runs the CLI's `version` once and says which runtime it is.
func CLIRuntime() (Runtime, error) {
	runtimeOnce.Do(func() { runtimeCLI, runtimeErr = detectRuntime() })
	return runtimeCLI, runtimeErr
}

func detectRuntime() (Runtime, error) {
	tf, err := TerraformPath()
	if err != nil {
		return Runtime{}, err
	}
	cmd := exec.Command(tf, "version")
	// OpenTofu prints the warnings of a missing CLI configuration on stdout.
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+os.DevNull)
	out, err := cmd.Output()
	if err != nil {
		return Runtime{}, fmt.Errorf("running %s version: %w", tf, err)
	}
	m := versionLine.FindStringSubmatch(string(out))
	if m == nil {
		return Runtime{}, fmt.Errorf("%s version printed no \"Terraform v…\" or \"OpenTofu v…\" line:\n%s", tf, out)
	}
	version, err := goversion.NewVersion(m[2])
	if err != nil {
		return Runtime{}, fmt.Errorf("%s version printed %q: %w", tf, m[0], err)
	}
	return Runtime{Path: tf, Name: m[1], Version: version}, nil
}

// versionLine is the line naming the CLI: "Terraform v1.14.9", "OpenTofu v1.12.6".
var versionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\S+)$`)

// ProviderHost is the registry host the CLI gives "fgs-tools/huaweicloud",
// which a provider served in-process must be attached under. On OpenTofu,
// Main sets plugin-testing's TF_ACC_PROVIDER_HOST to it.
func ProviderHost() string {
	if h := os.Getenv("TF_ACC_PROVIDER_HOST"); h != "" {
		return h
	}
	if r, err := CLIRuntime(); err == nil && r.OpenTofu() {
		return openTofuRegistry
	}
	return "registry.terraform.io"
}

// actionsSince is the first Terraform that runs action blocks.
var actionsSince = goversion.Must(goversion.NewVersion("1.14.0"))

// noActions is why a test of actions skips on OpenTofu, the same in every test.
func noActions(r Runtime) string {
	return fmt.Sprintf("OpenTofu has no action blocks (this is %s); actions run on Terraform 1.14 or later", r)
}

// SkipWithoutActions skips a test that drives the CLI outside
// plugin-testing unless the CLI runs action blocks (see RunsActions).
func SkipWithoutActions(t testing.TB) {
	t.Helper()
	r, err := CLIRuntime()
	switch {
	case err != nil:
		t.Fatal(err)
	case r.OpenTofu():
		t.Skip(noActions(r))
	case r.Version.LessThan(actionsSince):
		t.Skipf("actions need Terraform 1.14 or later; this is %s", r)
	}
}

// RunsActions skips a test unless the CLI runs action blocks: Terraform
// 1.14 or later. OpenTofu (1.12, the newest) has no action blocks.
var RunsActions []tfversion.TerraformVersionCheck = []tfversion.TerraformVersionCheck{runsActions{}}

type runsActions struct{}

func (runsActions) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	r, err := CLIRuntime()
	if err != nil {
		resp.Error = err
		return
	}
	if r.OpenTofu() {
		resp.Skip = noActions(r)
		return
	}
	tfversion.SkipBelow(tfversion.Version1_14_0).CheckTerraformVersion(ctx, req, resp)
}

// The first versions the ephemeral cancel is documented and tested on.
// OpenTofu 1.11 has ephemeral resources, but fails every refresh-only plan
// of a configuration that has one ("Invalid refresh-only plan … a bug in
// OpenTofu", measured with 1.11.5); 1.12 does not.
var (
	ephemeralSinceTerraform = goversion.Must(goversion.NewVersion("1.10.0"))
	ephemeralSinceOpenTofu  = goversion.Must(goversion.NewVersion("1.12.0"))
)

// withoutEphemeral says why the CLI cannot run the ephemeral cancel's tests,
// or "" when it can.
func withoutEphemeral(r Runtime) string {
	switch {
	case r.OpenTofu() && r.Version.LessThan(ephemeralSinceOpenTofu):
		return fmt.Sprintf("the ephemeral cancel needs OpenTofu 1.12 or later (1.11 fails refresh-only plans with an ephemeral resource); this is %s", r)
	case !r.OpenTofu() && r.Version.LessThan(ephemeralSinceTerraform):
		return fmt.Sprintf("ephemeral resources need Terraform 1.10 or later; this is %s", r)
	}
	return ""
}

// SkipWithoutEphemeral skips a test that drives the CLI outside
// plugin-testing unless the CLI runs the ephemeral cancel (see RunsEphemeral).
func SkipWithoutEphemeral(t testing.TB) {
	t.Helper()
	r, err := CLIRuntime()
	if err != nil {
		t.Fatal(err)
	}
	if why := withoutEphemeral(r); why != "" {
		t.Skip(why)
	}
}

// RunsEphemeral skips a test unless the CLI runs the ephemeral cancel:
// Terraform 1.10 or later, OpenTofu 1.12 or later.
var RunsEphemeral []tfversion.TerraformVersionCheck = []tfversion.TerraformVersionCheck{runsEphemeral{}}

type runsEphemeral struct{}

func (runsEphemeral) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	r, err := CLIRuntime()
	if err != nil {
		resp.Error = err
		return
	}
	resp.Skip = withoutEphemeral(r)
}
