package main

import (
	"fmt"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

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
	ts := startTargets(r.Provider)
	cancel := r.find(kindCancel, targetN, 10, false)
	if t, ok := floorTarget(r, cancel); ok {
		ts = append(ts, t)
	}
	ts = append(ts, idealTargets(r)...)
	ts = append(ts, connectionsTarget(r.Applies))
	if cancel != nil {
		ts = append(ts, providerRSSTarget(cancel))
	}
	return ts
}

// startTargets are the provider's start to schema, plain and as Terraform starts it.
func startTargets(p ProviderResults) []Target {
	ts := []Target{{
		Name: "provider start to schema (plain gRPC)", Target: fmt.Sprintf("< %.0f ms", targetStartMS),
		Measured: fmt.Sprintf("%.1f ms", p.StartToSchemaMS.Median), Pass: p.StartToSchemaMS.Median < targetStartMS,
	}, {
		Name: "provider start to schema (auto-mTLS, as Terraform)", Target: fmt.Sprintf("< %.0f ms", targetStartMS),
		Measured: fmt.Sprintf("%.1f ms", p.StartToSchemaMTLSMS.Median), Pass: p.StartToSchemaMTLSMS.Median < targetStartMS,
	}}
	for i := range ts {
		if !ts[i].Pass {
			ts[i].Note = "see where the start goes with GODEBUG=inittrace=1 and a CPU profile of the provider"
		}
	}
	return ts
}

// floorTarget is the cancels' apply beside Terraform's floor, without
// latency; ok is false when the run has not both.
func floorTarget(r *Report, cancel *ApplyResults) (Target, bool) {
	floor := r.find(kindFloor, targetN, 10, false)
	if cancel == nil || floor == nil {
		return Target{}, false
	}
	ratio := cancel.WallS.Median / floor.WallS.Median
	t := Target{
		Name:     fmt.Sprintf("apply %d cancels / %d terraform_data, no latency", targetN, targetN),
		Target:   fmt.Sprintf("≤ %.1f×", targetFloorRatio),
		Measured: fmt.Sprintf("%.2f× (%.2f s / %.2f s)", ratio, cancel.WallS.Median, floor.WallS.Median),
		Pass:     ratio <= targetFloorRatio,
	}
	if noop := r.find(kindNoop, targetN, 10, false); ratio > targetFloorRatio && noop != nil {
		t.Note = fmt.Sprintf("a provider that does nothing behind the same schema takes %.2f s (cancels/no-op %.2f×): "+
			"the gap is what Terraform and the framework pay per resource for this schema, not the cancels; "+
			"meeting it takes a leaner schema (bench/README.md)", noop.WallS.Median, cancel.WallS.Median/noop.WallS.Median)
	}
	return t, true
}

// idealTargets are the cancels' applies under latency beside the ideal,
// one per parallelism.
func idealTargets(r *Report) []Target {
	var ts []Target
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
	return ts
}

// connectionsTarget is the most TCP connections any cancels' apply opened:
// never over the client's cap, never more than one per cancel.
func connectionsTarget(applies []ApplyResults) Target {
	worstConns, worstCase := int64(0), ""
	connsOK := true
	for _, a := range applies {
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
	t := Target{
		Name: "TCP connections per apply", Target: fmt.Sprintf("≤ %d (the client's cap), not growing with N", fgs.MaxConnsPerHost),
		Measured: fmt.Sprintf("at most %d (%s)", worstConns, worstCase), Pass: connsOK,
	}
	if !connsOK {
		t.Note = "connections are not being reused: check internal/fgs/transport.go " +
			"(MaxConnsPerHost, MaxIdleConnsPerHost, every answer's body read to the end and closed)"
	}
	return t
}

// providerRSSTarget is the provider's peak memory during the cancels' apply.
func providerRSSTarget(cancel *ApplyResults) Target {
	t := Target{
		Name: fmt.Sprintf("provider peak RSS during the %d-cancel apply", targetN), Target: fmt.Sprintf("< %.0f MB", targetProviderRSSMB),
		Measured: fmt.Sprintf("%.1f MB", cancel.ProviderPeakRSSMB.Max), Pass: cancel.ProviderPeakRSSMB.Max < targetProviderRSSMB,
	}
	if cancel.ProviderPeakRSSMB.Max >= targetProviderRSSMB {
		t.Note = "find what holds the memory with a heap profile of the apply: " +
			"cmd/fgsbench/pprofprovider and -pprof-dir (bench/README.md)"
	}
	return t
}
