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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
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

// The goals: start to schema, applies against Terraform's floor and the
// ideal under latency, the provider's memory.
const (
	targetStartMS         = 50.0
	targetFloorRatio      = 1.3
	targetIdealRatio      = 1.2
	targetProviderRSSMB   = 40.0
	targetN               = 1000
	officialHandshakeText = "0.27–0.48 s and ~114 MB to its handshake on this kind of machine"
)

func (r *Report) find(kind string, n, parallelism int, latency bool) *ApplyResults {
	for i := range r.Applies {
		a := &r.Applies[i]
		if a.Kind == kind && a.N == n && a.Parallelism == parallelism && (a.LatencyMS > 0) == latency && !a.WaitForStop {
			return a
		}
	}
	return nil
}

// evaluateTargets compares the medians with the goals. The notes
// for misses are explanations measured on this project, not excuses: see
// bench/README.md.
func evaluateTargets(r *Report) []Target {
	var ts []Target
	p := r.Provider
	ts = append(ts, Target{
		Name: "provider start to schema (plain gRPC)", Target: fmt.Sprintf("< %.0f ms", targetStartMS),
		Measured: fmt.Sprintf("%.1f ms", p.StartToSchemaMS.Median), Pass: p.StartToSchemaMS.Median < targetStartMS,
	}, Target{
		Name: "provider start to schema (auto-mTLS, as Terraform)", Target: fmt.Sprintf("< %.0f ms", targetStartMS),
		Measured: fmt.Sprintf("%.1f ms", p.StartToSchemaMTLSMS.Median), Pass: p.StartToSchemaMTLSMS.Median < targetStartMS,
	})
	cancel, floor := r.find(kindCancel, targetN, 10, false), r.find(kindFloor, targetN, 10, false)
	if cancel != nil && floor != nil {
		ratio := cancel.WallS.Median / floor.WallS.Median
		ts = append(ts, Target{
			Name:     fmt.Sprintf("apply %d cancels / %d terraform_data, no latency", targetN, targetN),
			Target:   fmt.Sprintf("≤ %.1f×", targetFloorRatio),
			Measured: fmt.Sprintf("%.2f× (%.2f s / %.2f s)", ratio, cancel.WallS.Median, floor.WallS.Median),
			Pass:     ratio <= targetFloorRatio,
		})
		if noop := r.find(kindNoop, targetN, 10, false); ratio > targetFloorRatio && noop != nil {
			ts[len(ts)-1].Note = fmt.Sprintf("a provider that does nothing behind the same schema takes %.2f s (cancels/no-op %.2f×): "+
				"the gap is what Terraform and the framework pay per resource for this schema, not the cancels; "+
				"meeting it takes a leaner schema (bench/README.md)", noop.WallS.Median, cancel.WallS.Median/noop.WallS.Median)
		}
	}
	for i := range r.Applies {
		a := &r.Applies[i]
		if a.Kind != kindCancel || a.N != targetN || a.LatencyMS == 0 || a.WaitForStop {
			continue
		}
		ratio := a.WallS.Median / a.IdealS
		t := Target{
			Name:     fmt.Sprintf("apply %d cancels, %.0f ms latency, -parallelism=%d / ideal", targetN, a.LatencyMS, a.Parallelism),
			Target:   fmt.Sprintf("≤ %.1f×", targetIdealRatio),
			Measured: fmt.Sprintf("%.2f× (%.2f s / %.2f s)", ratio, a.WallS.Median, a.IdealS),
			Pass:     ratio <= targetIdealRatio,
		}
		if f := r.find(kindFloor, targetN, a.Parallelism, false); !t.Pass && f != nil {
			// What Terraform alone needs for the same graph bounds what any provider can reach.
			best := f.WallS.Median + a.IdealS
			t.Note = fmt.Sprintf("Terraform's own floor for %d terraform_data at -parallelism=%d is %.2f s, so no provider can reach the %.2f s ideal; "+
				"against floor + ideal (%.2f s) this apply is %.2f×; reaching the ideal takes fewer Terraform resources, "+
				"such as one that cancels a list of request IDs (bench/README.md)", targetN, a.Parallelism, f.WallS.Median, a.IdealS, best, a.WallS.Median/best)
		}
		ts = append(ts, t)
	}
	worstConns, worstCase := int64(0), ""
	connsOK := true
	for _, a := range r.Applies {
		if a.Kind != kindCancel {
			continue
		}
		if int64(a.Connections.Max) > fgs.MaxConnsPerHost || a.Connections.Max > float64(a.N) {
			connsOK = false
		}
		if int64(a.Connections.Max) >= worstConns {
			worstConns, worstCase = int64(a.Connections.Max), fmt.Sprintf("N=%d, -parallelism=%d", a.N, a.Parallelism)
		}
	}
	ts = append(ts, Target{
		Name: "TCP connections per apply", Target: fmt.Sprintf("≤ %d (the client's cap), not growing with N", fgs.MaxConnsPerHost),
		Measured: fmt.Sprintf("at most %d (%s)", worstConns, worstCase), Pass: connsOK,
	})
	if !connsOK {
		ts[len(ts)-1].Note = "connections are not being reused: check internal/fgs/transport.go " +
			"(MaxConnsPerHost, MaxIdleConnsPerHost, every answer's body read to the end and closed)"
	}
	if cancel != nil {
		ts = append(ts, Target{
			Name: fmt.Sprintf("provider peak RSS during the %d-cancel apply", targetN), Target: fmt.Sprintf("< %.0f MB", targetProviderRSSMB),
			Measured: fmt.Sprintf("%.1f MB", cancel.ProviderPeakRSSMB.Max), Pass: cancel.ProviderPeakRSSMB.Max < targetProviderRSSMB,
		})
		if cancel.ProviderPeakRSSMB.Max >= targetProviderRSSMB {
			ts[len(ts)-1].Note = "find what holds the memory with a heap profile of the apply: " +
				"cmd/fgsbench/pprofprovider and -pprof-dir (bench/README.md)"
		}
	}
	for i := range ts[:2] {
		if !ts[i].Pass {
			ts[i].Note = "see where the start goes with GODEBUG=inittrace=1 and a CPU profile of the provider"
		}
	}
	return ts
}

// printReport prints the tables, without tabwriter's trailing padding.
func printReport(out io.Writer, r *Report) {
	var buf bytes.Buffer
	writeTables(&buf, r)
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		fmt.Fprintln(out, strings.TrimRight(line, " "))
	}
}

func writeTables(w io.Writer, r *Report) {
	m := r.Machine
	fmt.Fprintf(w, "\nfgsbench — %s, %d cores, %d MiB RAM, %s, Go %s, Terraform %s\n",
		m.CPU, m.Cores, m.MemoryMB, m.OS, strings.TrimPrefix(m.Go, "go"), m.Terraform)
	fmt.Fprintf(w, "load average before %s, after %s. Median [min–max] of the runs shown.\n", m.LoadBefore, m.LoadAfter)

	p := r.Provider
	fmt.Fprintf(w, "\nProvider start (%d starts each; the official provider: %s)\n", p.StartToSchemaMS.Runs, officialHandshakeText)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  measure\tmedian\tmin\tmax\t")
	row := func(name string, s Summary, unit string) {
		fmt.Fprintf(tw, "  %s\t%.1f %s\t%.1f %s\t%.1f %s\t\n", name, s.Median, unit, s.Min, unit, s.Max, unit)
	}
	row("exec to handshake line", p.HandshakeMS, "ms")
	row("exec to schema served, plain gRPC", p.StartToSchemaMS, "ms")
	row("exec to schema served, auto-mTLS", p.StartToSchemaMTLSMS, "ms")
	row("peak RSS at schema served", p.PeakRSSMB, "MB")
	fmt.Fprintf(tw, "  binary size (stripped, -trimpath)\t%.1f MB\t\t\t\n", megabytes(p.BinaryBytes))
	_ = tw.Flush()

	fmt.Fprintf(w, "\nterraform apply from empty state, no latency, -parallelism=10 (runs: %d; %d from N=%d)\n",
		r.Settings.Runs, r.Settings.LargeRuns, r.Settings.LargeFrom)
	fmt.Fprintln(w, "terraform_data: Terraform's own floor; no-op: the cancel resource's schema with nothing behind it; cancels: this provider")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\tterraform_data s\tno-op s\tcancels s\t[min–max]\tcancels/floor\tcancels/no-op\tCPU s floor/no-op/cancels\tprovider CPU s no-op/cancels\tprovider RSS MB no-op/cancels\tconns\t")
	for _, a := range r.Applies {
		if a.Kind != kindCancel || a.LatencyMS > 0 {
			continue
		}
		f, n := r.find(kindFloor, a.N, a.Parallelism, false), r.find(kindNoop, a.N, a.Parallelism, false)
		if f == nil || n == nil {
			continue
		}
		fmt.Fprintf(tw, "%d\t%.2f\t%.2f\t%.2f\t[%.2f–%.2f]\t%.2f×\t%.2f×\t%.2f / %.2f / %.2f\t%.2f / %.2f\t%.1f / %.1f\t%s\t\n",
			a.N, f.WallS.Median, n.WallS.Median, a.WallS.Median, a.WallS.Min, a.WallS.Max,
			a.WallS.Median/f.WallS.Median, a.WallS.Median/n.WallS.Median,
			f.CPUS.Median, n.CPUS.Median, a.CPUS.Median, n.ProviderCPUS.Median, a.ProviderCPUS.Median,
			n.ProviderPeakRSSMB.Max, a.ProviderPeakRSSMB.Max, connRange(a))
	}
	_ = tw.Flush()

	fmt.Fprintf(w, "\nterraform apply of cancels with %s emulator latency (ideal = ⌈N / parallelism⌉ × requests per cancel × latency;\n"+
		"floor = terraform_data at the same parallelism)\n", r.Settings.Latency)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\tparallelism\trequests/cancel\tapply s\t[min–max]\tideal s\tapply/ideal\tfloor s\tfloor+ideal s\tapply/(floor+ideal)\tconns\t")
	for _, a := range r.Applies {
		if a.Kind != kindCancel || a.LatencyMS == 0 {
			continue
		}
		floor, floorIdeal, ratio2 := "–", "–", "–"
		if f := r.find(kindFloor, a.N, a.Parallelism, false); f != nil {
			floor = fmt.Sprintf("%.2f", f.WallS.Median)
			floorIdeal = fmt.Sprintf("%.2f", f.WallS.Median+a.IdealS)
			ratio2 = fmt.Sprintf("%.2f×", a.WallS.Median/(f.WallS.Median+a.IdealS))
		}
		perCancel := "1"
		if a.WaitForStop {
			perCancel = "2 (wait_for_stop)"
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%.2f\t[%.2f–%.2f]\t%.2f\t%.2f×\t%s\t%s\t%s\t%s\t\n",
			a.N, a.Parallelism, perCancel, a.WallS.Median, a.WallS.Min, a.WallS.Max, a.IdealS, a.WallS.Median/a.IdealS, floor, floorIdeal, ratio2, connRange(a))
	}
	_ = tw.Flush()

	if len(r.GoBench) > 0 {
		fmt.Fprintf(w, "\nGo benchmarks (go test -bench, -count %d, median)\n", r.Settings.GoBenchCount)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "benchmark\tns/op\t[min–max]\tB/op\tallocs/op\t")
		for _, b := range r.GoBench {
			fmt.Fprintf(tw, "%s\t%.0f\t[%.0f–%.0f]\t%.0f\t%.0f\t\n", b.Name, b.NsPerOp.Median, b.NsPerOp.Min, b.NsPerOp.Max, b.BytesPerOp, b.AllocsPerOp)
		}
		_ = tw.Flush()
	}

	fmt.Fprintln(w, "\nTargets (bench/README.md)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  target\tgoal\tmeasured\tstatus\t")
	for _, t := range r.Targets {
		status := "pass"
		if !t.Pass {
			status = "MISS"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", t.Name, t.Target, t.Measured, status)
	}
	_ = tw.Flush()
	for _, t := range r.Targets {
		if t.Note != "" {
			fmt.Fprintf(w, "  note (%s): %s.\n", t.Name, t.Note)
		}
	}
}

func connRange(a ApplyResults) string {
	if a.Connections.Min == a.Connections.Max {
		return fmt.Sprintf("%.0f", a.Connections.Max)
	}
	return fmt.Sprintf("%.0f–%.0f", a.Connections.Min, a.Connections.Max)
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
