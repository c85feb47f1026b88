package reliability

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// figures gathers what the suite proved, for the summary TestMain prints
// after the tests (go test -v ./internal/reliability/) and internal/reliability/README.md quotes.
var figures = &suiteFigures{}

type suiteFigures struct {
	mu sync.Mutex

	faultCases, faultCasesPassed int
	faultsInjected               int64

	interrupts       int
	interruptsPassed int
	interruptExits   []time.Duration

	loads    []string
	memories []string

	badInputs, badInputsRejected int
	badAtValidate, badAtPlan     int
	badInputRequests             int64

	scannedFiles       int
	scannedBytes       int64
	scannedRuns        int
	leaks              int
	providerLogLines   int
	maskedAccessKeys   int
	securityCases      int
	securityCasesPassd int

	goroutineChecks, goroutineLeaks int
}

// passed runs fn when the test ends, telling it whether the test passed.
func passed(t *testing.T, fn func(ok bool)) {
	t.Cleanup(func() { fn(!t.Failed() && !t.Skipped()) })
}

func (f *suiteFigures) faultCase(t *testing.T, injected func() int64) {
	passed(t, func(ok bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.faultCases++
		f.faultsInjected += injected()
		if ok {
			f.faultCasesPassed++
		}
	})
}

func (f *suiteFigures) interrupt(t *testing.T, exitAfter *time.Duration) {
	passed(t, func(ok bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.interrupts++
		if ok {
			f.interruptsPassed++
			f.interruptExits = append(f.interruptExits, *exitAfter)
		}
	})
}

func (f *suiteFigures) load(line string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads = append(f.loads, line)
}

func (f *suiteFigures) memory(line string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.memories = append(f.memories, line)
}

func (f *suiteFigures) badInput(t *testing.T, atValidate *bool, requests func() int64) {
	passed(t, func(ok bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.badInputs++
		f.badInputRequests += requests()
		if ok {
			f.badInputsRejected++
			if *atValidate {
				f.badAtValidate++
			} else {
				f.badAtPlan++
			}
		}
	})
}

func (f *suiteFigures) securityCase(t *testing.T) {
	passed(t, func(ok bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.securityCases++
		if ok {
			f.securityCasesPassd++
		}
	})
}

func (f *suiteFigures) scanned(s scanResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scannedFiles += s.files
	f.scannedBytes += s.bytes
	f.scannedRuns += s.runs
	f.leaks += len(s.leaks)
	f.providerLogLines += s.providerLogLines
	f.maskedAccessKeys += s.maskedAccessKeys
}

func (f *suiteFigures) goroutines(leaked int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.goroutineChecks++
	f.goroutineLeaks += leaked
}

// print writes the summary table; it prints nothing if no test recorded a figure.
func (f *suiteFigures) print(w io.Writer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var rows [][2]string
	if f.faultCases > 0 {
		rows = append(rows, [2]string{"Faults survived", fmt.Sprintf("%d of %d fault cases through the Terraform CLI (%d faults injected), no panic, no false success",
			f.faultCasesPassed, f.faultCases, f.faultsInjected)})
	}
	if f.interrupts > 0 {
		rows = append(rows, [2]string{"Interrupted applies", fmt.Sprintf("%d of %d exited promptly with a consistent state (slowest %s after SIGINT)",
			f.interruptsPassed, f.interrupts, slowest(f.interruptExits))})
	}
	for _, l := range f.loads {
		rows = append(rows, [2]string{"Load", l})
	}
	for _, l := range f.memories {
		rows = append(rows, [2]string{"Memory bound", l})
	}
	if f.badInputs > 0 {
		rows = append(rows, [2]string{"Bad inputs rejected", fmt.Sprintf("%d of %d (%d at validate, %d at plan), %d requests reached the API",
			f.badInputsRejected, f.badInputs, f.badAtValidate, f.badAtPlan, f.badInputRequests)})
	}
	if f.securityCases > 0 {
		rows = append(rows, [2]string{"Security cases", fmt.Sprintf("%d of %d (secrets with TF_LOG=TRACE, masked echoes, TLS verification)",
			f.securityCasesPassd, f.securityCases)})
	}
	if f.scannedRuns > 0 {
		rows = append(rows, [2]string{"Secrets scan", fmt.Sprintf("%d leaks in %d terraform commands: %d files, %s of TRACE logs, output, plan and state JSON "+
			"(%d provider log lines; the access key seen only masked, %d times)",
			f.leaks, f.scannedRuns, f.scannedFiles, mib(f.scannedBytes), f.providerLogLines, f.maskedAccessKeys)})
	}
	if f.goroutineChecks > 0 {
		rows = append(rows, [2]string{"Goroutine leaks", fmt.Sprintf("%d found in %d checks (goleak, after the load tests)", f.goroutineLeaks, f.goroutineChecks)})
	}
	if len(rows) == 0 {
		return
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	fmt.Fprintln(w, "\nReliability suite figures")
	fmt.Fprintln(w, strings.Repeat("-", 25))
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s  %s\n", width, r[0], r[1])
	}
}

func slowest(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n/a"
	}
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[len(sorted)-1].Round(time.Millisecond).String()
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
