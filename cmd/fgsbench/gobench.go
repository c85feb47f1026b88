package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// GoBench is one Go benchmark's results over -count runs.
type GoBench struct {
	Package     string  `json:"package"`
	Name        string  `json:"name"`
	NsPerOp     Summary `json:"ns_per_op"`
	BytesPerOp  float64 `json:"bytes_per_op"`  // median
	AllocsPerOp float64 `json:"allocs_per_op"` // median
}

// runGoBenchmarks runs the Go benchmarks of pkgs in the module at dir.
func runGoBenchmarks(ctx context.Context, dir string, pkgs []string, count int, benchtime string) ([]GoBench, string, error) {
	// -p 1: one package's benchmarks at a time, or they share the cores.
	args := append([]string{"test", "-p", "1", "-run", "^$", "-bench", ".", "-benchmem",
		"-count", strconv.Itoa(count), "-benchtime", benchtime}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-trimpath")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, string(out), fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, tail(string(out), 3000))
	}
	return parseGoBench(string(out)), string(out), nil
}

// parseGoBench reads `go test -bench -benchmem` output: "pkg:" lines name the
// package of the benchmark lines after them.
func parseGoBench(out string) []GoBench {
	type key struct{ pkg, name string }
	type samples struct{ ns, bytes, allocs []float64 }
	got := map[key]*samples{}
	var order []key
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 { // drop the GOMAXPROCS suffix
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		k := key{pkg, name}
		s := got[k]
		if s == nil {
			s = &samples{}
			got[k] = s
			order = append(order, k)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = append(s.ns, v)
			case "B/op":
				s.bytes = append(s.bytes, v)
			case "allocs/op":
				s.allocs = append(s.allocs, v)
			}
		}
	}
	out2 := make([]GoBench, 0, len(order))
	for _, k := range order {
		s := got[k]
		out2 = append(out2, GoBench{
			Package: k.pkg, Name: k.name, NsPerOp: summarize(s.ns),
			BytesPerOp: summarize(s.bytes).Median, AllocsPerOp: summarize(s.allocs).Median,
		})
	}
	sort.SliceStable(out2, func(i, j int) bool { return out2[i].Package < out2[j].Package })
	return out2
}
