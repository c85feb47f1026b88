package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// printReport prints the tables, without tabwriter's trailing padding.
func printReport(out io.Writer, r *Report) {
	var buf bytes.Buffer
	writeTables(&buf, r)
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		fmt.Fprintln(out, strings.TrimRight(line, " "))
	}
}

// writeTables writes the machine, then a table per measure, then the targets.
func writeTables(w io.Writer, r *Report) {
	writeMachine(w, r.Machine)
	writeStartTable(w, r.Provider)
	writeApplyTable(w, r)
	writeLatencyTable(w, r)
	if len(r.GoBench) > 0 {
		writeGoBenchTable(w, r)
	}
	writeTargetsTable(w, r.Targets)
}

func writeMachine(w io.Writer, m Machine) {
	fmt.Fprintf(w, "\nfgsbench — %s, %d cores, %d MiB RAM, %s, Go %s, Terraform %s\n",
		m.CPU, m.Cores, m.MemoryMB, m.OS, strings.TrimPrefix(m.Go, "go"), m.Terraform)
	fmt.Fprintf(w, "load average before %s, after %s. Median [min–max] of the runs shown.\n", m.LoadBefore, m.LoadAfter)
}

// writeStartTable is the provider's start: handshake, schema, memory, size.
func writeStartTable(w io.Writer, p ProviderResults) {
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
}

// writeApplyTable is the applies without latency: the cancels beside
// Terraform's floor and the no-op provider, per N.
func writeApplyTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\nterraform apply from empty state, no latency, -parallelism=10 (runs: %d; %d from N=%d)\n",
		r.Settings.Runs, r.Settings.LargeRuns, r.Settings.LargeFrom)
	fmt.Fprintln(w, "terraform_data: Terraform's own floor; no-op: the cancel resource's schema with nothing behind it; cancels: this provider")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
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
}

// writeLatencyTable is the cancels' applies under latency beside the ideal
// and Terraform's floor at the same parallelism.
func writeLatencyTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\nterraform apply of cancels with %s emulator latency (ideal = ⌈N / parallelism⌉ × requests per cancel × latency;\n"+
		"floor = terraform_data at the same parallelism)\n", r.Settings.Latency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
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
}

func writeGoBenchTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\nGo benchmarks (go test -bench, -count %d, median)\n", r.Settings.GoBenchCount)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "benchmark\tns/op\t[min–max]\tB/op\tallocs/op\t")
	for _, b := range r.GoBench {
		fmt.Fprintf(tw, "%s\t%.0f\t[%.0f–%.0f]\t%.0f\t%.0f\t\n", b.Name, b.NsPerOp.Median, b.NsPerOp.Min, b.NsPerOp.Max, b.BytesPerOp, b.AllocsPerOp)
	}
	_ = tw.Flush()
}

// writeTargetsTable is each target's goal and outcome, then the misses' notes.
func writeTargetsTable(w io.Writer, targets []Target) {
	fmt.Fprintln(w, "\nTargets (bench/README.md)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  target\tgoal\tmeasured\tstatus\t")
	for _, t := range targets {
		status := "pass"
		if !t.Pass {
			status = "MISS"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", t.Name, t.Target, t.Measured, status)
	}
	_ = tw.Flush()
	for _, t := range targets {
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
