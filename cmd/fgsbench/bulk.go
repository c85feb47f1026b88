package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// The bulk cancel's figures: one resource cancelling a list of request IDs
// with a bounded pool, beside the same number of single cancel resources.

const kindBulk = "bulk"

// bulkHCL is one bulk cancel of every request ID, of the given provider
// (local name, source, provider block) and resource type.
func bulkHCL(local, source, providerBlock, resourceType string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    %[1]s = {
      source = %[2]q
    }
  }
}

variable "fgs_endpoint" { type = string }
variable "function_urn" { type = string }
variable "request_ids" { type = list(string) }
variable "wait_for_stop" { type = bool }
variable "max_concurrency" { type = number }
%[3]s
resource %[4]q "bench" {
  function_urn    = var.function_urn
  request_ids     = var.request_ids
  max_concurrency = var.max_concurrency
  wait_for_stop   = var.wait_for_stop
}
`, local, source, providerBlock, resourceType)
}

// kindNoopBulk is the bulk's schema in ./nullprovider: Terraform's and the
// framework's cost of the same lists and state, with nothing sent.
const kindNoopBulk = "noop_bulk"

var (
	// bulkConfig cancels every request ID with one huaweicloud_fgs_async_invocations_cancel.
	bulkConfig = bulkHCL("huaweicloud", "fgs-tools/huaweicloud", `
provider "huaweicloud" {
  endpoints = {
    fgs = var.fgs_endpoint
  }
}
`, "huaweicloud_fgs_async_invocations_cancel")
	noopBulkConfig = bulkHCL("null", "fgs-bench/null", "", "null_fgs_async_invocations_cancel")
)

func init() { configs[kindBulk], configs[kindNoopBulk] = bulkConfig, noopBulkConfig }

var (
	bulkRuns    = flag.Int("bulk-runs", 3, "timed applies per bulk cancel case (0 skips them)")
	bulkN       = flag.Int("bulk-n", 1000, "request IDs in the bulk cancel under latency")
	bulkWorkers = flag.Int("bulk-concurrency", 50, "max_concurrency of the bulk cancel")
	bulkLargeN  = flag.Int("bulk-large-n", 10000, "request IDs in the bulk cancel whose provider memory is measured")
)

// targetBulkRSSMB bounds the provider's peak RSS for the large bulk.
const targetBulkRSSMB = 100

// BulkResults are the bulk cancel's medians beside its yardsticks.
type BulkResults struct {
	N           int     `json:"n"`
	Concurrency int     `json:"max_concurrency"`
	LatencyMS   float64 `json:"latency_ms"`
	// OneS is a bulk of one request ID with no latency: the fixed cost of an apply.
	OneS    Summary `json:"one_s"`
	BulkS   Summary `json:"bulk_s"`
	TargetS float64 `json:"target_s"`
	// NoopS is the same N applied to ./nullprovider's bulk, which sends
	// nothing: what Terraform and the framework cost for these lists.
	NoopS Summary `json:"noop_s"`
	// SinglesS is the same N as single cancel resources, from the apply table, if measured.
	SinglesS           *Summary `json:"singles_s,omitempty"`
	SinglesParallelism int      `json:"singles_parallelism,omitempty"`
	MaxInFlight        int64    `json:"max_cancels_in_flight"`
	BulkCPUS           Summary  `json:"bulk_provider_cpu_s"`
	BulkRSSMB          Summary  `json:"bulk_provider_peak_rss_mb"`
	LargeN             int      `json:"large_n"`
	LargeS             Summary  `json:"large_s"`
	LargeRSSMB         Summary  `json:"large_provider_peak_rss_mb"`
}

// measureBulk applies the bulk cases, interleaved run by run.
func measureBulk(ctx context.Context, ws *workspace, emu *fgsemu.Emulator, rep *Report) (*BulkResults, error) {
	if *bulkRuns <= 0 {
		return nil, nil
	}
	b := &BulkResults{N: *bulkN, Concurrency: *bulkWorkers, LatencyMS: milliseconds(20 * time.Millisecond), LargeN: *bulkLargeN}
	latency := 20 * time.Millisecond
	if _, err := applyBulk(ctx, ws, emu, 1, 0); err != nil { // unmeasured: cold caches
		return nil, err
	}
	var one, bulk, noop, cpu, rss, large, largeRSS []float64
	for r := range *bulkRuns {
		progress("bulk run %d/%d: 1 request ID, no latency", r+1, *bulkRuns)
		s, err := applyBulk(ctx, ws, emu, 1, 0)
		if err != nil {
			return nil, err
		}
		one = append(one, seconds(s.Wall))
		progress("bulk run %d/%d: %d request IDs, max_concurrency = %d, latency %s", r+1, *bulkRuns, b.N, b.Concurrency, latency)
		if s, err = applyBulk(ctx, ws, emu, b.N, latency); err != nil {
			return nil, err
		}
		bulk, cpu, rss = append(bulk, seconds(s.Wall)), append(cpu, seconds(s.ProviderCPU)), append(rss, megabytes(s.ProviderPeakRSS))
		b.MaxInFlight = max(b.MaxInFlight, s.maxInFlight)
		progress("bulk run %d/%d: %d request IDs to the no-op provider", r+1, *bulkRuns, b.N)
		nr, err := applyNoopBulk(ctx, ws, b.N)
		if err != nil {
			return nil, err
		}
		noop = append(noop, seconds(nr.Wall))
		progress("bulk run %d/%d: %d request IDs, no latency", r+1, *bulkRuns, b.LargeN)
		if s, err = applyBulk(ctx, ws, emu, b.LargeN, 0); err != nil {
			return nil, err
		}
		large, largeRSS = append(large, seconds(s.Wall)), append(largeRSS, megabytes(s.ProviderPeakRSS))
	}
	b.OneS, b.BulkS, b.NoopS, b.BulkCPUS, b.BulkRSSMB = summarize(one), summarize(bulk), summarize(noop), summarize(cpu), summarize(rss)
	b.LargeS, b.LargeRSSMB = summarize(large), summarize(largeRSS)
	rounds := (b.N + b.Concurrency - 1) / b.Concurrency
	b.TargetS = 1.2 * (b.OneS.Median + seconds(time.Duration(rounds)*latency))
	for _, p := range []int{b.Concurrency, 10} {
		if a := rep.find(kindCancel, b.N, p, true); a != nil {
			b.SinglesS, b.SinglesParallelism = &a.WallS, p
			break
		}
	}
	return b, nil
}

type bulkSample struct {
	applyResult
	maxInFlight int64
}

func applyBulk(ctx context.Context, ws *workspace, emu *fgsemu.Emulator, n int, latency time.Duration) (bulkSample, error) {
	ids, err := emu.InvokeN(benchURN, n)
	if err != nil {
		return bulkSample{}, err
	}
	emu.SetLatency(latency)
	emu.ResetStats()
	vars := map[string]any{"request_ids": ids, "wait_for_stop": false, "max_concurrency": *bulkWorkers}
	r, err := ws.apply(ctx, kindBulk, vars, 10)
	if err != nil {
		return bulkSample{}, err
	}
	st := emu.Stats()
	if st.AcceptedCancels != int64(n) || st.MaxCancelsInFlight > int64(*bulkWorkers) {
		return bulkSample{}, fmt.Errorf("bulk apply of %d: the emulator accepted %d cancels (want %d), %d in flight at once (at most %d)",
			n, st.AcceptedCancels, n, st.MaxCancelsInFlight, *bulkWorkers)
	}
	return bulkSample{applyResult: r, maxInFlight: st.MaxCancelsInFlight}, nil
}

// applyNoopBulk applies n made-up request IDs to the no-op provider's bulk.
func applyNoopBulk(ctx context.Context, ws *workspace, n int) (applyResult, error) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	vars := map[string]any{"request_ids": ids, "wait_for_stop": false, "max_concurrency": *bulkWorkers}
	return ws.apply(ctx, kindNoopBulk, vars, 10)
}

// bulkTargets are the bulk's lines in the targets table.
func bulkTargets(b *BulkResults) []Target {
	if b == nil {
		return nil
	}
	return []Target{
		{
			Name: fmt.Sprintf("bulk cancel of %d at %.0f ms, max_concurrency = %d, within 1.2 × (bulk of one + %d/%d × %.0f ms)",
				b.N, b.LatencyMS, b.Concurrency, b.N, b.Concurrency, b.LatencyMS),
			Measured: fmt.Sprintf("%.2f s against %.2f s", b.BulkS.Median, b.TargetS),
			Pass:     b.BulkS.Median <= b.TargetS,
		},
		{
			Name:     fmt.Sprintf("bulk cancel of %d: provider peak RSS under %d MB", b.LargeN, targetBulkRSSMB),
			Measured: fmt.Sprintf("%.1f MB", b.LargeRSSMB.Max),
			Pass:     b.LargeRSSMB.Max < targetBulkRSSMB,
		},
	}
}

// printBulk writes the bulk's table.
func printBulk(w io.Writer, b *BulkResults) {
	if b == nil {
		return
	}
	fmt.Fprintf(w, "\nBulk cancel (one huaweicloud_fgs_async_invocations_cancel, wait_for_stop = false), median [min–max] of %d runs\n", b.BulkS.Runs)
	fmt.Fprintf(w, "  bulk of 1, no latency:                        %.2f s [%.2f–%.2f]\n", b.OneS.Median, b.OneS.Min, b.OneS.Max)
	fmt.Fprintf(w, "  bulk of %d, %.0f ms, max_concurrency = %d:   %.2f s [%.2f–%.2f]  target %.2f s = 1.2 × (%.2f + %d/%d × %.0f ms); "+
		"most in flight %d; provider CPU %.2f s, peak RSS %.1f MB\n",
		b.N, b.LatencyMS, b.Concurrency, b.BulkS.Median, b.BulkS.Min, b.BulkS.Max, b.TargetS, b.OneS.Median, b.N, b.Concurrency, b.LatencyMS,
		b.MaxInFlight, b.BulkCPUS.Median, b.BulkRSSMB.Max)
	if b.NoopS.Runs > 0 {
		rounds := (b.N + b.Concurrency - 1) / b.Concurrency
		floor := b.NoopS.Median + float64(rounds)*b.LatencyMS/1000
		fmt.Fprintf(w, "  the same %d to the no-op provider (same schema and state, nothing sent): %.2f s [%.2f–%.2f]; "+
			"with %d/%d × %.0f ms added, %.2f s: the bulk is %.2f× that\n",
			b.N, b.NoopS.Median, b.NoopS.Min, b.NoopS.Max, b.N, b.Concurrency, b.LatencyMS, floor, b.BulkS.Median/floor)
	}
	if b.SinglesS != nil {
		fmt.Fprintf(w, "  the same %d as single resources, -parallelism=%d: %.2f s [%.2f–%.2f] (%.0f× the bulk)\n",
			b.N, b.SinglesParallelism, b.SinglesS.Median, b.SinglesS.Min, b.SinglesS.Max, b.SinglesS.Median/b.BulkS.Median)
	}
	fmt.Fprintf(w, "  bulk of %d, no latency:                     %.2f s [%.2f–%.2f], provider peak RSS %.1f MB (max; target < %d MB)\n",
		b.LargeN, b.LargeS.Median, b.LargeS.Min, b.LargeS.Max, b.LargeRSSMB.Max, targetBulkRSSMB)
}
