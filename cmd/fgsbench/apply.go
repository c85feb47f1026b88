package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// Credentials that exist only in the in-process emulator.
const (
	benchAccessKey = "FGSBENCHACCESSKEY"
	benchSecretKey = "fgsbench-secret-key"
	benchURN       = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:bench:latest"
)

// cancelConfig sends one cancel per request ID.
const cancelConfig = `terraform {
  required_providers {
    huaweicloud = {
      source = "fgs-tools/huaweicloud"
    }
  }
}

variable "fgs_endpoint" { type = string }
variable "function_urn" { type = string }
variable "request_ids" { type = list(string) }
variable "wait_for_stop" { type = bool }

provider "huaweicloud" {
  endpoints = {
    fgs = var.fgs_endpoint
  }
}

resource "huaweicloud_fgs_async_invocation_cancel" "bench" {
  count        = length(var.request_ids)
  function_urn = var.function_urn
  request_id    = var.request_ids[count.index]
  wait_for_stop = var.wait_for_stop
}
`

// floorConfig is the same graph with Terraform's built-in terraform_data:
// what N resources cost Terraform itself, with no provider to start.
const floorConfig = `variable "fgs_endpoint" { type = string }
variable "function_urn" { type = string }
variable "request_ids" { type = list(string) }

resource "terraform_data" "bench" {
  count = length(var.request_ids)
  input = {
    function_urn = var.function_urn
    request_id   = var.request_ids[count.index]
  }
}
`

// workspace is a private Terraform setup: its own CLI config, HOME, plugin
// directory and mirror, so nothing is read from or sent to anywhere else.
type workspace struct {
	dir       string
	terraform string
	pluginExe string // the provider binary dev_overrides runs
	env       []string
	cancelDir string
	floorDir  string
}

func newWorkspace(dir, terraform, providerBinary, endpoint string) (*workspace, error) {
	w := &workspace{
		dir:       dir,
		terraform: terraform,
		pluginExe: filepath.Join(dir, "plugins", "terraform-provider-huaweicloud"),
		cancelDir: filepath.Join(dir, "cancel"),
		floorDir:  filepath.Join(dir, "floor"),
	}
	// dev_overrides runs the binary from plugins/; the mirror lets `terraform
	// init` succeed offline, since init ignores overrides.
	mirror := filepath.Join(dir, "mirror", "registry.terraform.io", "fgs-tools", "huaweicloud", "0.1.0", runtime.GOOS+"_"+runtime.GOARCH)
	for _, d := range []string{filepath.Dir(w.pluginExe), mirror, w.cancelDir, w.floorDir, filepath.Join(dir, "home")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := copyFile(providerBinary, w.pluginExe); err != nil {
		return nil, err
	}
	if err := copyFile(providerBinary, filepath.Join(mirror, "terraform-provider-huaweicloud_v0.1.0")); err != nil {
		return nil, err
	}
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "fgs-tools/huaweicloud" = %q
  }
  filesystem_mirror {
    path    = %q
    include = ["fgs-tools/huaweicloud"]
  }
}
`, filepath.Dir(w.pluginExe), filepath.Join(dir, "mirror"))
	rcPath := filepath.Join(dir, "terraformrc")
	files := map[string]string{
		rcPath:                                rc,
		filepath.Join(w.cancelDir, "main.tf"): cancelConfig,
		filepath.Join(w.floorDir, "main.tf"):  floorConfig,
		filepath.Join(w.cancelDir, "endpoint.auto.tfvars.json"): mustJSON(map[string]string{"fgs_endpoint": endpoint, "function_urn": benchURN}),
		filepath.Join(w.floorDir, "endpoint.auto.tfvars.json"):  mustJSON(map[string]string{"fgs_endpoint": endpoint, "function_urn": benchURN}),
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	// A minimal environment: nothing of the caller's TF_*, HW_* or proxies leaks in.
	w.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"TMPDIR=" + dir,
		"TF_CLI_CONFIG_FILE=" + rcPath,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"HW_ACCESS_KEY=" + benchAccessKey,
		"HW_SECRET_KEY=" + benchSecretKey,
	}
	return w, nil
}

// init runs `terraform init` once in each configuration.
func (w *workspace) init(ctx context.Context) error {
	for _, d := range []string{w.cancelDir, w.floorDir} {
		if out, err := w.run(ctx, d, "init", "-input=false", "-no-color", "-backend=false"); err != nil {
			return fmt.Errorf("terraform init in %s: %w\n%s", filepath.Base(d), err, out)
		}
	}
	return nil
}

func (w *workspace) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, w.terraform, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = w.env
	return cmd.CombinedOutput()
}

// applyResult is one timed `terraform apply`.
type applyResult struct {
	Wall              time.Duration
	CPU               time.Duration // Terraform and every provider it started, user+system
	ProviderPeakRSS   int64
	ProviderCPU       time.Duration
	ProviderInstances int
}

// apply creates len(ids) resources from an empty state and times it;
// vars are the configuration's other variables.
func (w *workspace) apply(ctx context.Context, dir string, vars map[string]any, parallelism int, watch bool) (applyResult, error) {
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			return applyResult{}, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ids.auto.tfvars.json"), []byte(mustJSON(vars)), 0o644); err != nil {
		return applyResult{}, err
	}
	cmd := exec.CommandContext(ctx, w.terraform, "-chdir="+dir, "apply", "-auto-approve", "-input=false", "-no-color",
		"-compact-warnings", fmt.Sprintf("-parallelism=%d", parallelism))
	cmd.Env = w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return applyResult{}, err
	}
	var pw *providerWatch
	if watch {
		pw = watchProvider(cmd.Process.Pid, w.pluginExe, 10*time.Millisecond)
	}
	err := cmd.Wait()
	wall := time.Since(start)
	var r applyResult
	if pw != nil {
		r.ProviderPeakRSS, r.ProviderCPU, r.ProviderInstances = pw.finish()
	}
	if err != nil {
		return applyResult{}, fmt.Errorf("terraform apply: %w\n%s", err, tail(out.String(), 2000))
	}
	r.Wall = wall
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return r, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
