package main

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestParseHandshake(t *testing.T) {
	t.Parallel()
	h, err := parseHandshake("1|6|unix|/tmp/plugin123|grpc|\n")
	if err != nil || h.appVersion != "6" || h.network != "unix" || h.address != "/tmp/plugin123" || h.serverCert != nil {
		t.Fatalf("plain: got %+v, %v", h, err)
	}
	cert := base64.RawStdEncoding.EncodeToString([]byte("der bytes"))
	h, err = parseHandshake("1|6|unix|/tmp/p|grpc|" + cert + "\n")
	if err != nil || string(h.serverCert) != "der bytes" {
		t.Fatalf("mTLS: got %+v, %v", h, err)
	}
	for _, bad := range []string{"", "This binary is a plugin.", "2|6|unix|/p|grpc|", "1|5|unix|/p|netrpc|", "1|6|unix|/p|grpc|!!"} {
		if _, err := parseHandshake(bad); err == nil {
			t.Errorf("parseHandshake(%q) accepted it", bad)
		}
	}
}

func TestParseProcStatus(t *testing.T) {
	t.Parallel()
	s, err := parseProcStatus([]byte("Name:\tterraform-provi\nVmPeak:\t 1300000 kB\nVmHWM:\t   34560 kB\nVmRSS:\t   30000 kB\n"))
	if err != nil || s.peakRSS != 34560<<10 || s.rss != 30000<<10 {
		t.Fatalf("got %+v, %v", s, err)
	}
	if _, err := parseProcStatus([]byte("Name:\tzombie\nState:\tZ (zombie)\n")); err == nil {
		t.Error("a status without VmHWM was accepted")
	}
}

func TestParseProcStatCPU(t *testing.T) {
	t.Parallel()
	// The command name may hold spaces and parentheses.
	stat := "4242 (terraform (pro vider)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 12 0 100 0 0\n"
	got, err := parseProcStatCPU([]byte(stat))
	if want := 3250 * time.Millisecond; err != nil || got != want {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	if _, err := parseProcStatCPU([]byte("4242 (x) S 1")); err == nil {
		t.Error("a short stat was accepted")
	}
}

func TestParseGoBench(t *testing.T) {
	t.Parallel()
	out := `goos: linux
pkg: example.com/m/internal/fgs
cpu: AMD EPYC
BenchmarkCancel-2           	    9787	     41000 ns/op	   17375 B/op	     212 allocs/op
BenchmarkCancel-2           	    9787	     40000 ns/op	   17375 B/op	     212 allocs/op
BenchmarkCancel-2           	    9787	     45000 ns/op	   17379 B/op	     213 allocs/op
BenchmarkParseURN-2         	  268743	      1606 ns/op	     128 B/op	       1 allocs/op
PASS
ok  	example.com/m/internal/fgs	2.632s
`
	got := parseGoBench(out)
	if len(got) != 2 {
		t.Fatalf("got %d benchmarks: %+v", len(got), got)
	}
	c := got[0]
	if c.Package != "example.com/m/internal/fgs" || c.Name != "BenchmarkCancel" || c.NsPerOp.Median != 41000 ||
		c.NsPerOp.Min != 40000 || c.NsPerOp.Max != 45000 || c.NsPerOp.Runs != 3 || c.BytesPerOp != 17375 || c.AllocsPerOp != 212 {
		t.Errorf("got %+v", c)
	}
	if got[1].Name != "BenchmarkParseURN" || got[1].AllocsPerOp != 1 {
		t.Errorf("got %+v", got[1])
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	if s := summarize([]float64{3, 1, 2}); s != (Summary{Median: 2, Min: 1, Max: 3, Runs: 3}) {
		t.Errorf("odd: %+v", s)
	}
	if s := summarize([]float64{4, 1, 3, 2}); s != (Summary{Median: 2.5, Min: 1, Max: 4, Runs: 4}) {
		t.Errorf("even: %+v", s)
	}
	if s := summarize(nil); s != (Summary{}) {
		t.Errorf("empty: %+v", s)
	}
}

func TestIdealTime(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		c    applyCase
		want float64
	}{
		{applyCase{kind: "cancel", n: 1000, parallelism: 10, latency: 20 * time.Millisecond}, 2.0},
		{applyCase{kind: "cancel", n: 1000, parallelism: 50, latency: 20 * time.Millisecond}, 0.4},
		{applyCase{kind: "cancel", n: 1, parallelism: 50, latency: 20 * time.Millisecond}, 0.02},
		{applyCase{kind: "cancel", n: 100, parallelism: 10, latency: 20 * time.Millisecond, waitForStop: true}, 0.4},
	} {
		if got := summarizeCase(tt.c, nil).IdealS; got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("%v, N=%d: ideal %v, want %v", tt.c, tt.c.n, got, tt.want)
		}
	}
}

func TestEvaluateTargets(t *testing.T) {
	t.Parallel()
	wall := func(s float64) Summary { return Summary{Median: s, Min: s, Max: s, Runs: 3} }
	r := &Report{
		Provider: ProviderResults{StartToSchemaMS: wall(10), StartToSchemaMTLSMS: wall(35)},
		Applies: []ApplyResults{
			{Kind: kindFloor, N: 1000, Parallelism: 10, WallS: wall(10)},
			{Kind: kindNoop, N: 1000, Parallelism: 10, WallS: wall(14)},
			{Kind: kindCancel, N: 1000, Parallelism: 10, WallS: wall(15), Connections: wall(9), ProviderPeakRSSMB: wall(35)},
			{Kind: kindCancel, N: 1000, Parallelism: 10, LatencyMS: 20, IdealS: 2, WallS: wall(12), Connections: wall(10)},
			{Kind: kindCancel, N: 100, Parallelism: 50, LatencyMS: 20, IdealS: 0.04, WallS: wall(1), Connections: wall(65)},
		},
	}
	got := map[string]Target{}
	for _, tg := range evaluateTargets(r) {
		got[tg.Name] = tg
	}
	want := map[string]bool{
		"provider start to schema (plain gRPC)":                      true,
		"provider start to schema (auto-mTLS, as Terraform)":         true,
		"apply 1000 cancels / 1000 terraform_data, no latency":       false,
		"apply 1000 cancels, 20 ms latency, -parallelism=10 / ideal": false,
		"TCP connections per apply":                                  false, // 65 > the client's 64
		"provider peak RSS during the 1000-cancel apply":             true,
	}
	for name, pass := range want {
		tg, ok := got[name]
		if !ok {
			t.Errorf("no target %q in %v", name, got)
			continue
		}
		if tg.Pass != pass {
			t.Errorf("%s: pass = %v, want %v (%s)", name, tg.Pass, pass, tg.Measured)
		}
		if !tg.Pass && tg.Note == "" {
			t.Errorf("%s: a miss without a note", name)
		}
	}
}
