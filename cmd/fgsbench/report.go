package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Report is everything one `make bench` measured; latest.json holds it.
type Report struct {
	Started  time.Time       `json:"started"`
	Duration string          `json:"duration"`
	Machine  Machine         `json:"machine"`
	Settings Settings        `json:"settings"`
	Provider ProviderResults `json:"provider"`
	Applies  []ApplyResults  `json:"applies"`
	GoBench  []GoBench       `json:"go_benchmarks,omitempty"`
	Targets  []Target        `json:"targets"`
	Bulk     *BulkResults    `json:"bulk,omitempty"`
	Quota    []QuotaResults  `json:"quota,omitempty"`
}

// Machine is where the numbers come from.
type Machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	MemoryMB   int64  `json:"memory_mb"`
	OS         string `json:"os"`
	Kernel     string `json:"kernel"`
	Go         string `json:"go"`
	Terraform  string `json:"terraform"`
	LoadBefore string `json:"load_before"`
	LoadAfter  string `json:"load_after"`
}

// Settings are the run counts and parameters used.
type Settings struct {
	SchemaRuns   int    `json:"schema_runs"`
	Runs         int    `json:"runs"`
	LargeRuns    int    `json:"large_runs"`
	LargeFrom    int    `json:"large_from"`
	Latency      string `json:"latency"`
	GoBenchCount int    `json:"gobench_count,omitempty"`
	GoBenchTime  string `json:"gobench_time,omitempty"`
}

// ProviderResults are the provider's own start.
type ProviderResults struct {
	BinaryBytes         int64   `json:"binary_bytes"`
	HandshakeMS         Summary `json:"handshake_ms"`
	StartToSchemaMS     Summary `json:"start_to_schema_ms"`
	StartToSchemaMTLSMS Summary `json:"start_to_schema_mtls_ms"`
	PeakRSSMB           Summary `json:"peak_rss_mb"`
	SchemaBytes         int     `json:"schema_bytes"`
}

// ApplyResults is one case of `terraform apply` over its runs.
type ApplyResults struct {
	Kind               string  `json:"kind"` // cancel, terraform_data or noop_provider
	N                  int     `json:"n"`
	Parallelism        int     `json:"parallelism"`
	LatencyMS          float64 `json:"latency_ms"`
	WaitForStop        bool    `json:"wait_for_stop"`
	WallS              Summary `json:"wall_s"`
	CPUS               Summary `json:"cpu_s"` // Terraform and its providers
	IdealS             float64 `json:"ideal_s,omitempty"`
	Connections        Summary `json:"connections"`
	MaxOpenConnections int64   `json:"max_open_connections"`
	CancelRequests     int64   `json:"cancel_requests"` // most in any run; N means no retries
	Requests           int64   `json:"requests"`        // API requests of any kind, most in any run
	ProviderPeakRSSMB  Summary `json:"provider_peak_rss_mb,omitzero"`
	ProviderCPUS       Summary `json:"provider_cpu_s,omitzero"`
	ProviderInstances  int     `json:"provider_instances,omitempty"`
}

// Target is one goal of bench/README.md and how this run did against it.
type Target struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	Pass     bool   `json:"pass"`
	Note     string `json:"note,omitempty"`
}

func settingsOf(o options) Settings {
	s := Settings{SchemaRuns: o.schemaRuns, Runs: o.smallRuns, LargeRuns: o.largeRuns, LargeFrom: o.largeFrom, Latency: o.latency.String()}
	if o.goBench {
		s.GoBenchCount, s.GoBenchTime = o.goBenchCount, o.goBenchTime
	}
	return s
}

func describeMachine(ctx context.Context, terraform string) Machine {
	m := Machine{Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), LoadBefore: loadAverage()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemoryMB = kb >> 10
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, terraform, "version", "-json").Output(); err == nil {
		var v struct {
			Version string `json:"terraform_version"`
		}
		if json.Unmarshal(out, &v) == nil {
			m.Terraform = v.Version
		}
	}
	return m
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// printResults prints the table of a results file written by writeReport.
func printResults(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	printReport(os.Stdout, &r)
	printBulk(os.Stdout, r.Bulk)
	printQuota(os.Stdout, r.Quota)
	return nil
}

// writeReport writes latest.json and a copy named by the start time.
func writeReport(dir string, r *Report) (string, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return "", "", err
	}
	latest := filepath.Join(dir, "latest.json")
	dated := filepath.Join(dir, r.Started.Format("20060102T150405Z")+".json")
	for _, path := range []string{dated, latest} {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
			return "", "", err
		}
		if err := os.Rename(tmp, path); err != nil {
			return "", "", err
		}
	}
	return latest, dated, nil
}
