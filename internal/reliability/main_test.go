package reliability

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/tfinstall"
)

// The address Terraform installs the provider under.
const (
	providerSource  = "fgs-tools/huaweicloud"
	providerAddress = "registry.terraform.io/" + providerSource
)

// suite is what TestMain prepares once for every test.
var suite struct {
	terraform string // the terraform binary
	root      string // temporary directory holding everything below
	cliConfig string // TF_CLI_CONFIG_FILE: the filesystem mirror with the built provider
	binary    string // the provider binary Terraform starts
}

func TestMain(m *testing.M) { os.Exit(runSuite(m)) }

func runSuite(m *testing.M) int {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			fmt.Fprintln(os.Stderr, "The reliability suite drives the real Terraform CLI, and no terraform binary is on PATH "+
				"(nor TF_ACC_TERRAFORM_PATH set). Install Terraform >= 1.8 and run again.")
			return 1
		}
	}
	suite.terraform = tf
	root, err := os.MkdirTemp("", "fgs-reliability")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(root) }()
	suite.root = root
	if err := buildProvider(root); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	figures.print(os.Stdout)
	// go test shows a passing package's output only with -v; make test
	// names a file to print the figures from afterwards.
	if path := os.Getenv("FGS_FIGURES_FILE"); path != "" {
		var b strings.Builder
		figures.print(&b)
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return code
}

// buildProvider compiles the provider (with the race detector when the suite
// runs with it, so races in the real process fail the suite too) into a
// filesystem mirror, and writes the CLI configuration that installs it
// offline: the same way a user's Terraform runs it, in its own process.
func buildProvider(root string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the suite builds the provider with the go command, which is not on PATH: %w", err)
	}
	suite.binary = tfinstall.MirrorBinary(root, providerSource)
	if err := os.MkdirAll(filepath.Dir(suite.binary), 0o755); err != nil {
		return err
	}
	args := []string{"build", "-o", suite.binary}
	if raceEnabled && os.Getenv("FGS_RACE_PROVIDER") != "" {
		args = append(args, "-race")
	}
	// The module's root is two levels up from this package.
	build := exec.Command(goTool, append(args, "../..")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the provider: %w", err)
	}
	suite.cliConfig, err = tfinstall.Install(root, false, tfinstall.Provider{Source: providerSource, Binary: suite.binary})
	return err
}
