package main

import (
	"context"
	"fmt"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// applyCase names one row of the apply table.
type applyCase struct {
	kind        string // kindCancel, kindFloor or kindNoop
	n           int
	parallelism int
	latency     time.Duration
	waitForStop bool // the cancel resource's wait_for_stop
}

func (c applyCase) String() string {
	s := fmt.Sprintf("%s, -parallelism=%d, latency %s", c.kind, c.parallelism, c.latency)
	if c.waitForStop {
		s += ", wait_for_stop"
	}
	return s
}

// roundTrips is how many API requests each resource makes.
func (c applyCase) roundTrips() int {
	switch {
	case c.kind != kindCancel:
		return 0
	case c.waitForStop:
		return 2 // the cancel, then one status query that finds it stopped
	}
	return 1
}

// measureApplies runs every case for each N, interleaving the cases run by
// run so that a change in the machine's load falls on all of them alike.
func measureApplies(ctx context.Context, o options, ws *workspace, emu *fgsemu.Emulator, rep *Report) error {
	// Unmeasured: the first apply of each configuration pays for cold caches.
	for _, kind := range []string{kindFloor, kindNoop, kindCancel} {
		if _, err := applyOnce(ctx, ws, emu, applyCase{kind: kind, n: 1, parallelism: 10}); err != nil {
			return err
		}
	}
	for _, n := range o.counts {
		runs := o.smallRuns
		if n >= o.largeFrom {
			runs = o.largeRuns
		}
		cases := []applyCase{{kind: kindFloor, n: n, parallelism: 10}, {kind: kindNoop, n: n, parallelism: 10}, {kind: kindCancel, n: n, parallelism: 10}}
		if o.latency > 0 {
			for _, p := range o.parallelisms {
				if p != 10 { // Terraform's floor at each parallelism, for floor + ideal
					cases = append(cases, applyCase{kind: kindFloor, n: n, parallelism: p})
				}
				cases = append(cases, applyCase{kind: kindCancel, n: n, parallelism: p, latency: o.latency})
			}
			// The resource's default: after the cancel, one status query shows it
			// stopped. Shown below -large-from only, to keep make bench short.
			if n < o.largeFrom {
				cases = append(cases, applyCase{kind: kindCancel, n: n, parallelism: 10, latency: o.latency, waitForStop: true})
			}
		}
		samples := make([][]sample, len(cases))
		for r := range runs {
			for i, c := range cases {
				progress("N=%d run %d/%d: %s", n, r+1, runs, c)
				s, err := applyOnce(ctx, ws, emu, c)
				if err != nil {
					return err
				}
				samples[i] = append(samples[i], s)
			}
		}
		for i, c := range cases {
			rep.Applies = append(rep.Applies, summarizeCase(c, samples[i]))
		}
	}
	return nil
}

// sample is one apply and what the emulator saw of it.
type sample struct {
	applyResult
	connections    int64
	maxOpen        int64
	cancelRequests int64
	requests       int64
}

func applyOnce(ctx context.Context, ws *workspace, emu *fgsemu.Emulator, c applyCase) (sample, error) {
	ids, err := emu.InvokeN(benchURN, c.n)
	if err != nil {
		return sample{}, err
	}
	emu.SetLatency(c.latency)
	emu.ResetStats()
	vars := map[string]any{"request_ids": ids}
	if c.kind != kindFloor {
		vars["wait_for_stop"] = c.waitForStop
	}
	r, err := ws.apply(ctx, c.kind, vars, c.parallelism)
	if err != nil {
		return sample{}, err
	}
	st := emu.Stats()
	s := sample{applyResult: r, connections: st.Connections, maxOpen: st.MaxOpenConnections,
		cancelRequests: st.RequestsByOp[fgsemu.OpCancel], requests: st.Requests}
	want := int64(0)
	if c.kind == kindCancel {
		want = int64(c.n)
	}
	if st.AcceptedCancels != want {
		return sample{}, fmt.Errorf("%s apply of %d: the emulator accepted %d cancels, want %d", c.kind, c.n, st.AcceptedCancels, want)
	}
	return s, nil
}

func summarizeCase(c applyCase, ss []sample) ApplyResults {
	var wall, cpu, prss, pcpu, conns []float64
	a := ApplyResults{Kind: c.kind, N: c.n, Parallelism: c.parallelism, LatencyMS: milliseconds(c.latency), WaitForStop: c.waitForStop}
	for _, s := range ss {
		wall = append(wall, seconds(s.Wall))
		cpu = append(cpu, seconds(s.CPU))
		conns = append(conns, float64(s.connections))
		a.MaxOpenConnections = max(a.MaxOpenConnections, s.maxOpen)
		a.CancelRequests = max(a.CancelRequests, s.cancelRequests)
		a.Requests = max(a.Requests, s.requests)
		if c.kind != kindFloor {
			prss = append(prss, megabytes(s.ProviderPeakRSS))
			pcpu = append(pcpu, seconds(s.ProviderCPU))
			a.ProviderInstances = max(a.ProviderInstances, s.ProviderInstances)
		}
	}
	a.WallS, a.CPUS, a.Connections = summarize(wall), summarize(cpu), summarize(conns)
	if c.kind != kindFloor {
		a.ProviderPeakRSSMB, a.ProviderCPUS = summarize(prss), summarize(pcpu)
	}
	if c.latency > 0 {
		// Each of Terraform's parallelism slots sends its requests one after another.
		rounds := (c.n + c.parallelism - 1) / c.parallelism
		a.IdealS = seconds(time.Duration(rounds*c.roundTrips()) * c.latency)
	}
	return a
}
