package reliability

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// maxListingRSS bounds the provider's memory while it gives up a list
// without end; unbounded, such a list took it past 2 GB in ten seconds.
const maxListingRSS = 100 << 20

// A list without end (full pages of 500 RUNNING invocations whose
// next_marker always moves on), read by the data source through the built
// provider: the plan fails with Too Many Invocations after the pages up to
// fgs.MaxListedInvocations, and the provider's peak RSS stays under 100 MB.
func TestListing_withoutEnd(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("endless")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	emu.inject(t, fgsemu.Fault{Op: fgsemu.OpList, Malformed: fgsemu.MalformedEndless})
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu), fmt.Sprintf("data \"huaweicloud_fgs_async_invocations\" \"all\" {\n  function_urn = %q\n}\n", urn))
	w.init()

	res, peak, instances := w.runWatched("plan", "-no-color", "-input=false")
	if res.code == 0 {
		t.Fatalf("a list without end succeeded:\n%s", res)
	}
	expectOutput(t, res, `Failed to List Async Invocations: Too Many Invocations.*more than 100,000 invocations`)
	pages := emu.Stats().RequestsByOp[fgsemu.OpList]
	if want := int64(fgs.MaxListedInvocations/fgs.ListPageSize + 1); pages != want {
		t.Fatalf("%d list requests, want %d", pages, want)
	}
	if instances == 0 || peak == 0 || peak >= maxListingRSS {
		t.Fatalf("provider peak RSS %s over %d instance(s), want under %s", mib(peak), instances, mib(maxListingRSS))
	}
	figures.memory(fmt.Sprintf("a list without end given up after %d pages (%d invocations) in %s; provider peak RSS %s (limit %s)",
		pages, fgs.MaxListedInvocations, res.elapsed.Round(100*time.Millisecond), mib(peak), mib(maxListingRSS)))
}

// runWatched runs a terraform command like run, watching the provider
// processes it starts: their highest peak RSS, and how many there were.
func (w *workspace) runWatched(args ...string) (tfResult, int64, int) {
	w.t.Helper()
	cmd, base := w.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("starting terraform: %v", err)
	}
	watch := watchProviders(cmd.Process.Pid, 20*time.Millisecond)
	res := w.wait(cmd, start, commandTimeout)
	peak, instances := watch.finish()
	res.args, res.stdout, res.stderr = args, stdout.String(), stderr.String()
	w.keep(base, res)
	return res, peak, instances
}

// providerWatch polls the processes of the provider binary that this test
// process's Terraform children start, keeping the highest VmHWM (itself a
// peak, so polling misses only growth in an instance's last tick).
type providerWatch struct {
	stop, done chan struct{}
	mu         sync.Mutex
	peaks      map[int]int64
}

// watchProviders starts polling the provider processes among the children
// of one Terraform process.
func watchProviders(terraform int, interval time.Duration) *providerWatch {
	pw := &providerWatch{stop: make(chan struct{}), done: make(chan struct{}), peaks: map[int]int64{}}
	go func() {
		defer close(pw.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			pw.poll(terraform)
			select {
			case <-pw.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return pw
}

func (pw *providerWatch) poll(terraform int) {
	for _, pid := range childPIDs(terraform) {
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil || !strings.HasPrefix(filepath.Base(exe), "terraform-provider-huaweicloud") {
			continue
		}
		if hwm, ok := peakRSS(pid); ok {
			pw.mu.Lock()
			pw.peaks[pid] = max(pw.peaks[pid], hwm)
			pw.mu.Unlock()
		}
	}
}

// finish stops polling and returns the largest peak and how many provider
// processes were seen.
func (pw *providerWatch) finish() (int64, int) {
	close(pw.stop)
	<-pw.done
	pw.mu.Lock()
	defer pw.mu.Unlock()
	var peak int64
	for _, p := range pw.peaks {
		peak = max(peak, p)
	}
	return peak, len(pw.peaks)
}

// childPIDs lists a process's direct children, from every thread's children file.
func childPIDs(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// peakRSS is a process's VmHWM, in bytes.
func peakRSS(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := strings.Fields(string(v)) // "12345 kB"
			if len(f) != 2 || f[1] != "kB" {
				return 0, false
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
