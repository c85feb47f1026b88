package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/tfinstall"
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

// noopConfig is the cancels' configuration with ./nullprovider: the same
// schema with nothing behind it.
const noopConfig = `terraform {
  required_providers {
    null = {
      source = "fgs-bench/null"
    }
  }
}

variable "fgs_endpoint" { type = string }
variable "function_urn" { type = string }
variable "request_ids" { type = list(string) }
variable "wait_for_stop" { type = bool }

resource "null_fgs_async_invocation_cancel" "bench" {
  count         = length(var.request_ids)
  function_urn  = var.function_urn
  request_id    = var.request_ids[count.index]
  wait_for_stop = var.wait_for_stop
}
`

// The kinds of apply, each with its configuration.
const (
	kindCancel = "cancel"
	kindFloor  = "terraform_data"
	kindNoop   = "noop_provider"
)

var configs = map[string]string{kindCancel: cancelConfig, kindFloor: floorConfig, kindNoop: noopConfig}

// providerSources are the providers the workspace installs, by binary name.
var providerSources = map[string]string{
	"terraform-provider-huaweicloud": "fgs-tools/huaweicloud",
	"terraform-provider-null":        "fgs-bench/null",
}

// workspace is a private Terraform setup: its own CLI config, HOME, plugin
// directory and mirror, so nothing is read from or sent to anywhere else.
type workspace struct {
	dir       string
	terraform string
	plugins   string // where dev_overrides finds the provider binaries
	env       []string
	dirs      map[string]string // configuration directory by kind
}

// newWorkspace installs the binaries (by name, as in providerSources) and
// writes a configuration of each kind.
func newWorkspace(dir, terraform string, binaries map[string]string, endpoint string) (*workspace, error) {
	plugins := filepath.Join(dir, "plugins")
	w := &workspace{
		dir:       dir,
		terraform: terraform,
		plugins:   plugins,
		dirs:      map[string]string{},
	}
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o755); err != nil {
		return nil, err
	}
	// dev_overrides runs the binaries from plugins/, where providerExe finds
	// them; the mirror lets `terraform init` succeed offline.
	var providers []tfinstall.Provider
	for name, src := range binaries {
		source, ok := providerSources[name]
		if !ok {
			return nil, fmt.Errorf("no provider source for %s", name)
		}
		providers = append(providers, tfinstall.Provider{Source: source, Binary: src})
	}
	rcPath, err := tfinstall.Install(dir, true, providers...)
	if err != nil {
		return nil, err
	}
	for kind, config := range configs {
		d := filepath.Join(dir, kind)
		w.dirs[kind] = d
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(d, "main.tf"), []byte(config), 0o644); err != nil {
			return nil, err
		}
		vars := mustJSON(map[string]string{"fgs_endpoint": endpoint, "function_urn": benchURN})
		if err := os.WriteFile(filepath.Join(d, "endpoint.auto.tfvars.json"), []byte(vars), 0o644); err != nil {
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
	for kind, d := range w.dirs {
		if out, err := w.run(ctx, d, "init", "-input=false", "-no-color", "-backend=false"); err != nil {
			return fmt.Errorf("terraform init of the %s configuration: %w\n%s", kind, err, out)
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

// providerExe is the binary of the provider an apply of this kind starts;
// "" for Terraform's built-in terraform_data.
func (w *workspace) providerExe(kind string) string {
	switch kind {
	case kindCancel, kindBulk:
		return filepath.Join(w.plugins, "terraform-provider-huaweicloud")
	case kindNoop, kindNoopBulk:
		return filepath.Join(w.plugins, "terraform-provider-null")
	}
	return ""
}

// apply creates the resources of vars["request_ids"] from an empty state
// and times it; vars are the configuration's variables for this run.
func (w *workspace) apply(ctx context.Context, kind string, vars map[string]any, parallelism int) (applyResult, error) {
	dir := w.dirs[kind]
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
	if exe := w.providerExe(kind); exe != "" {
		pw = watchProvider(cmd.Process.Pid, exe, 10*time.Millisecond)
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
