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

// run measures, prints the tables and writes the results.
func run(ctx context.Context, o options) error {
	began := time.Now()
	provider, size, terraform, err := findBinaries(o.provider)
	if err != nil {
		return err
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
		Provider: ProviderResults{BinaryBytes: size},
	}

	if o.schema && !*onlyQuota {
		progress("start to schema: %d starts each, plain gRPC and auto-mTLS", o.schemaRuns)
		if err := measureSchema(ctx, o, provider, tmp, rep); err != nil {
			return err
		}
	}

	emu, endpoint, err := startEmulator()
	if err != nil {
		return err
	}
	defer func() { _ = emu.Close() }()
	ws, err := prepareWorkspace(ctx, o, tmp, terraform, provider, endpoint)
	if err != nil {
		return err
	}
	if err := measureTerraform(ctx, o, ws, emu, rep); err != nil {
		return err
	}
	return finish(o, rep, began)
}

// findBinaries finds the provider to measure (and its size) and Terraform.
func findBinaries(providerPath string) (provider string, size int64, terraform string, err error) {
	provider, err = filepath.Abs(providerPath)
	if err != nil {
		return "", 0, "", err
	}
	info, err := os.Stat(provider)
	if err != nil {
		return "", 0, "", fmt.Errorf("the provider binary: %w (build it first: make bench does)", err)
	}
	terraform, err = exec.LookPath("terraform")
	if err != nil {
		return "", 0, "", errors.New("terraform is not on PATH: install Terraform >= 1.8")
	}
	return provider, info.Size(), terraform, nil
}

// startEmulator serves the bench's one function on loopback.
func startEmulator() (*fgsemu.Emulator, string, error) {
	emu := fgsemu.New(fgsemu.Options{Keys: map[string]string{benchAccessKey: benchSecretKey}})
	endpoint, err := emu.Start("127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	if err := emu.AddFunction(fgsemu.Function{URN: benchURN}); err != nil {
		_ = emu.Close()
		return nil, "", err
	}
	return emu, endpoint, nil
}

// prepareWorkspace installs the provider and the do-nothing provider for
// an offline Terraform and runs terraform init.
func prepareWorkspace(ctx context.Context, o options, tmp, terraform, provider, endpoint string) (*workspace, error) {
	noop, err := buildNullProvider(ctx, o.repo, tmp)
	if err != nil {
		return nil, err
	}
	ws, err := newWorkspace(filepath.Join(tmp, "tf"), terraform,
		map[string]string{"terraform-provider-huaweicloud": provider, "terraform-provider-null": noop}, endpoint)
	if err != nil {
		return nil, err
	}
	ws.env = append(ws.env, o.extraEnv...)
	if o.pprofDir != "" {
		dir, err := filepath.Abs(o.pprofDir)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			return nil, err
		}
		ws.env = append(ws.env, "FGS_PPROF_DIR="+dir)
	}
	progress("terraform init (offline: dev_overrides and a filesystem mirror)")
	if err := ws.init(ctx); err != nil {
		return nil, err
	}
	return ws, nil
}

// buildNullProvider builds cmd/fgsbench/nullprovider into tmp.
func buildNullProvider(ctx context.Context, repo, tmp string) (string, error) {
	progress("building the do-nothing provider (cmd/fgsbench/nullprovider)")
	noop := filepath.Join(tmp, "terraform-provider-null")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", noop, "./nullprovider")
	build.Dir = filepath.Join(repo, "cmd", "fgsbench") // the bench's own module
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the do-nothing provider: %w\n%s", err, out)
	}
	return noop, nil
}

// measureTerraform runs the applies, the bulks, the quota cases and the Go
// benchmarks (only the quota cases with -only-quota).
func measureTerraform(ctx context.Context, o options, ws *workspace, emu *fgsemu.Emulator, rep *Report) error {
	var err error
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
	return nil
}

// finish checks the targets, prints the tables and writes the results.
func finish(o options, rep *Report, began time.Time) error {
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
