// Command fgsbench measures what the provider costs next to the network:
// its start to a served schema, and `terraform apply` of many cancels
// against the in-process FunctionGraph emulator beside Terraform's own
// floor (as many terraform_data resources) and the ideal time under
// latency. It prints a table, checks the targets of bench/README.md
// and writes the results as JSON.
//
// It runs offline: the emulator listens on loopback only, and Terraform
// gets its own CLI configuration, HOME and plugin mirror.
//
// It is a Go module of its own, so the provider's go.mod lists only what the
// provider needs; make bench builds it into bin/fgsbench and runs it from
// the repository's root:
//
//	make bench BENCH_FLAGS=-h
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

type options struct {
	provider     string
	outDir       string
	repo         string
	schemaRuns   int
	smallRuns    int
	largeRuns    int
	largeFrom    int
	counts       []int
	parallelisms []int
	latency      time.Duration
	goBench      bool
	goBenchCount int
	goBenchTime  string
	schema       bool
	pprofDir     string
	extraEnv     envList
}

// envList is a repeatable -env KEY=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

func main() {
	var o options
	var counts, pars string
	flag.StringVar(&o.provider, "provider", "bin/terraform-provider-huaweicloud", "the provider binary to measure (build it as released: -trimpath -ldflags \"-s -w\")")
	flag.StringVar(&o.outDir, "out", "bench/results", "where latest.json and a dated copy are written")
	flag.StringVar(&o.repo, "repo", ".", "the provider's module root: the Go benchmarks run there, and the bench's module is its cmd/fgsbench")
	flag.IntVar(&o.schemaRuns, "schema-runs", 21, "provider starts per start-to-schema measurement")
	flag.IntVar(&o.smallRuns, "runs", 5, "timed applies per case below -large-from resources")
	flag.IntVar(&o.largeRuns, "large-runs", 3, "timed applies per case from -large-from resources up")
	flag.IntVar(&o.largeFrom, "large-from", 1000, "resource count from which -large-runs applies")
	flag.StringVar(&counts, "n", "1,100,1000", "resource counts to apply")
	flag.StringVar(&pars, "parallelism", "10,50", "terraform -parallelism values for the runs with latency")
	flag.DurationVar(&o.latency, "latency", 20*time.Millisecond, "emulator latency for the runs with latency")
	flag.BoolVar(&o.goBench, "gobench", true, "also run the Go benchmarks of the per-cancel path and of the bulk's calls")
	flag.IntVar(&o.goBenchCount, "gobench-count", 5, "go test -count for the Go benchmarks")
	flag.StringVar(&o.goBenchTime, "gobench-time", "300ms", "go test -benchtime for the Go benchmarks")
	flag.BoolVar(&o.schema, "schema", true, "measure the provider's start to schema")
	flag.StringVar(&o.pprofDir, "pprof-dir", "", "passed to the provider as FGS_PPROF_DIR (for a binary built from cmd/fgsbench/pprofprovider)")
	printOnly := flag.String("print", "", "print the table of a results file (such as bench/results/latest.json) and measure nothing")
	flag.Var(&o.extraEnv, "env", "KEY=VALUE added to Terraform's (and so the provider's) environment, for experiments; repeatable")
	flag.Parse()
	var err error
	if o.counts, err = parseInts(counts); err == nil {
		o.parallelisms, err = parseInts(pars)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fgsbench:", err)
		os.Exit(2)
	}
	if *printOnly != "" {
		if err := printResults(*printOnly); err != nil {
			fmt.Fprintln(os.Stderr, "fgsbench:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "fgsbench:", err)
		os.Exit(1)
	}
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a list of positive integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "fgsbench: "+format+"\n", args...)
}

func run(ctx context.Context, o options) error {
	began := time.Now()
	provider, err := filepath.Abs(o.provider)
	if err != nil {
		return err
	}
	info, err := os.Stat(provider)
	if err != nil {
		return fmt.Errorf("the provider binary: %w (build it first: make bench does)", err)
	}
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH: install Terraform >= 1.8")
	}
	tmp, err := os.MkdirTemp("", "fgsbench.")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	rep := &Report{
		Started:  began.UTC(),
		Machine:  describeMachine(ctx, terraform),
		Settings: settingsOf(o),
		Provider: ProviderResults{BinaryBytes: info.Size()},
	}

	if o.schema && !*onlyQuota {
		progress("start to schema: %d starts each, plain gRPC and auto-mTLS", o.schemaRuns)
		if err := measureSchema(ctx, o, provider, tmp, rep); err != nil {
			return err
		}
	}

	emu := fgsemu.New(fgsemu.Options{Keys: map[string]string{benchAccessKey: benchSecretKey}})
	endpoint, err := emu.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = emu.Close() }()
	if err := emu.AddFunction(fgsemu.Function{URN: benchURN}); err != nil {
		return err
	}
	progress("building the do-nothing provider (cmd/fgsbench/nullprovider)")
	noop := filepath.Join(tmp, "terraform-provider-null")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", noop, "./nullprovider")
	build.Dir = filepath.Join(o.repo, "cmd", "fgsbench") // the bench's own module
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the do-nothing provider: %w\n%s", err, out)
	}
	ws, err := newWorkspace(filepath.Join(tmp, "tf"), terraform,
		map[string]string{"terraform-provider-huaweicloud": provider, "terraform-provider-null": noop}, endpoint)
	if err != nil {
		return err
	}
	ws.env = append(ws.env, o.extraEnv...)
	if o.pprofDir != "" {
		dir, err := filepath.Abs(o.pprofDir)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			return err
		}
		ws.env = append(ws.env, "FGS_PPROF_DIR="+dir)
	}
	progress("terraform init (offline: dev_overrides and a filesystem mirror)")
	if err := ws.init(ctx); err != nil {
		return err
	}
	if !*onlyQuota {
		if err := measureApplies(ctx, o, ws, emu, rep); err != nil {
			return err
		}
		if rep.Bulk, err = measureBulk(ctx, ws, emu, rep); err != nil {
			return err
		}
	}
	if rep.Quota, err = measureQuota(ctx, ws, emu); err != nil {
		return err
	}

	if o.goBench && !*onlyQuota {
		progress("Go benchmarks of the per-cancel path and the bulk's calls (-count %d -benchtime %s)", o.goBenchCount, o.goBenchTime)
		rep.GoBench, _, err = runGoBenchmarks(ctx, o.repo, []string{"./internal/fgs/", "./internal/resources/"}, o.goBenchCount, o.goBenchTime)
		if err != nil {
			return err
		}
	}

	rep.Machine.LoadAfter = loadAverage()
	rep.Duration = time.Since(began).Round(time.Second).String()
	if !*onlyQuota {
		rep.Targets = append(evaluateTargets(rep), bulkTargets(rep.Bulk)...)
	}
	rep.Targets = append(rep.Targets, quotaTargets(rep.Quota)...)
	printReport(os.Stdout, rep)
	printBulk(os.Stdout, rep.Bulk)
	printQuota(os.Stdout, rep.Quota)
	latest, dated, err := writeReport(o.outDir, rep)
	if err != nil {
		return err
	}
	fmt.Printf("\nWritten to %s (and %s) in %s.\n", latest, dated, rep.Duration)
	return nil
}

// measureSchema starts the provider schemaRuns times in each mode,
// alternating the modes so drift in the machine's load hits both alike.
func measureSchema(ctx context.Context, o options, provider, tmp string, rep *Report) error {
	tlsCert, err := newClientTLS()
	if err != nil {
		return err
	}
	sockets := filepath.Join(tmp, "sockets")
	if err := os.MkdirAll(sockets, 0o700); err != nil {
		return err
	}
	// One unmeasured start of each kind brings the binary into the page cache.
	for _, c := range []*clientTLS{nil, tlsCert} {
		if _, err := probeSchema(ctx, provider, sockets, c); err != nil {
			return fmt.Errorf("starting the provider: %w", err)
		}
	}
	var plain, mtls, handshake, rss []float64
	for range o.schemaRuns {
		s, err := probeSchema(ctx, provider, sockets, nil)
		if err != nil {
			return err
		}
		plain = append(plain, milliseconds(s.Schema))
		handshake = append(handshake, milliseconds(s.Handshake))
		rss = append(rss, megabytes(s.PeakRSS))
		rep.Provider.SchemaBytes = s.SchemaBytes
		s, err = probeSchema(ctx, provider, sockets, tlsCert)
		if err != nil {
			return err
		}
		mtls = append(mtls, milliseconds(s.Schema))
	}
	rep.Provider.HandshakeMS = summarize(handshake)
	rep.Provider.StartToSchemaMS = summarize(plain)
	rep.Provider.StartToSchemaMTLSMS = summarize(mtls)
	rep.Provider.PeakRSSMB = summarize(rss)
	return nil
}

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
