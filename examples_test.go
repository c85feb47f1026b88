package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/tfinstall"
)

// requiredProviders maps the local name to this provider, for the examples
// that are fragments of a configuration.
const requiredProviders = `terraform {
  required_providers {
    huaweicloud = {
      source = "fgs-tools/huaweicloud"
    }
  }
}
`

// TestExamplesValidate runs `terraform validate` on every example with the
// provider built from this tree, and checks they are `terraform fmt` clean,
// on the CLI the other tests run (TF_ACC_TERRAFORM_PATH, which may be OpenTofu).
func TestExamplesValidate(t *testing.T) {
	cli, err := acctest.CLIRuntime()
	if err != nil {
		t.Fatalf("the examples are validated with the real CLI: %v", err)
	}
	tf := cli.Path

	work := t.TempDir()
	binary := tfinstall.MirrorBinary(work, "fgs-tools/huaweicloud")
	build := exec.Command("go", "build", "-o", binary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	cliConfig, err := tfinstall.Install(work, false, tfinstall.Provider{Source: "fgs-tools/huaweicloud", Binary: binary})
	if err != nil {
		t.Fatalf("installing the provider for Terraform: %v", err)
	}

	if out, err := exec.Command(tf, "fmt", "-check", "-recursive", "-diff", "examples").CombinedOutput(); err != nil {
		t.Errorf("examples are not terraform fmt clean (run make fmt):\n%s", out)
	}

	dirs := exampleDirs(t)
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			if strings.HasPrefix(dir, filepath.Join("examples", "actions")) {
				acctest.SkipWithoutActions(t)
			}
			if strings.HasPrefix(dir, filepath.Join("examples", "ephemeral-resources")) {
				acctest.SkipWithoutEphemeral(t)
			}
			cfg := t.TempDir()
			copyTF(t, dir, cfg)
			if !declaresProvider(t, cfg) {
				if err := os.WriteFile(filepath.Join(cfg, "providers.tf"), []byte(requiredProviders), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
			for _, args := range [][]string{{"init", "-input=false", "-no-color"}, {"validate", "-no-color"}} {
				cmd := exec.Command(tf, append([]string{"-chdir=" + cfg}, args...)...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
				}
			}
		})
	}
	if len(dirs) < 7 {
		t.Fatalf("found only %d example directories", len(dirs))
	}
}

// exampleDirs lists every directory under examples/ that holds .tf files.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	var dirs []string
	err := filepath.WalkDir("examples", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".tf") && !seen[filepath.Dir(path)] {
			seen[filepath.Dir(path)] = true
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

func copyTF(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func declaresProvider(t *testing.T, dir string) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "required_providers") {
			return true
		}
	}
	return false
}
