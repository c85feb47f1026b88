// Command pprofprovider is the provider with profiling, for finding where
// an apply's time and memory go: the released main.go, plus a CPU profile
// and a heap profile per process written to $FGS_PPROF_DIR when the
// process ends. The release binary carries no profiling code.
//
//	go -C cmd/fgsbench build -o ../../bin/pprofprovider ./pprofprovider
//	make bench BENCH_FLAGS="-provider bin/pprofprovider -pprof-dir /tmp/pprof -n 1000"
//	go tool pprof -top bin/pprofprovider /tmp/pprof/cpu-*.pprof
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/pluginserver"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

func main() {
	dir := os.Getenv("FGS_PPROF_DIR")
	if dir != "" {
		stop, err := startProfiles(dir)
		if err != nil {
			log.Fatal(err)
		}
		defer stop()
	}
	if err := pluginserver.Serve("registry.terraform.io/fgs-tools/huaweicloud", provider.New("pprof"), false); err != nil {
		log.Print(err)
	}
}

// startProfiles starts a CPU profile; the returned function stops it and
// writes the heap profile (allocations since start, and what is in use).
func startProfiles(dir string) (func(), error) {
	prefix := filepath.Join(dir, fmt.Sprintf("%d", os.Getpid()))
	cpu, err := os.Create(prefix + ".cpu.pprof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		return nil, err
	}
	// The Go runtime's own view of memory, sampled: what the heap held at
	// most against what the process took from the OS.
	var peakHeap, peakSys uint64
	var peakGoroutines int
	var ms runtime.MemStats
	stopSampling, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peakHeap, peakSys = max(peakHeap, ms.HeapAlloc), max(peakSys, ms.Sys)
			if n := runtime.NumGoroutine(); n > peakGoroutines {
				peakGoroutines = n
				if g, err := os.Create(prefix + ".goroutine.txt"); err == nil {
					_ = pprof.Lookup("goroutine").WriteTo(g, 1)
					_ = g.Close()
				}
			}
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(stopSampling)
		<-sampled
		_ = os.WriteFile(prefix+".mem.txt", []byte(fmt.Sprintf("peak_heap_alloc_mb %.1f\npeak_sys_mb %.1f\nnum_gc %d\npeak_goroutines %d\ntotal_alloc_mb %.1f\ngc_cpu_fraction %.3f\n",
			float64(peakHeap)/1e6, float64(peakSys)/1e6, ms.NumGC, peakGoroutines, float64(ms.TotalAlloc)/1e6, ms.GCCPUFraction)), 0o644)
		pprof.StopCPUProfile()
		_ = cpu.Close()
		runtime.GC()
		if heap, err := os.Create(prefix + ".heap.pprof"); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(heap, 0)
			_ = heap.Close()
		}
	}, nil
}
