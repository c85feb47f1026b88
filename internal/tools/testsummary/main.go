package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json), build events included.
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	FailedBuild string
}

type testKey struct{ pkg, test string }

// skipped is one skipped test and why.
type skipped struct {
	name, reason string
}

// summary accumulates the stream's outcome.
type summary struct {
	out            io.Writer
	results        io.Writer // each test's outcome, a line each; nil for none
	module         string
	passed, failed int
	skips          []skipped
	failures       []string
	running        map[testKey][]string // output of tests that have not ended
	order          []testKey            // start order, to report unfinished tests stably
	pkgFailedTests map[string]int
	pkgOutput      map[string][]string // package-level output, printed when the package fails
}

func newSummary(out io.Writer, module string) *summary {
	return &summary{
		out: out, module: module,
		running:        map[testKey][]string{},
		pkgFailedTests: map[string]int{},
		pkgOutput:      map[string][]string{},
	}
}

func main() {
	s := newSummary(os.Stdout, "github.com/fgs-tools/terraform-provider-huaweicloud")
	var results *os.File
	if name := os.Getenv("TESTSUMMARY_RESULTS"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
			os.Exit(1)
		}
		results = f
		s.results = bufio.NewWriter(f)
	}
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: reading the test stream: %v\n", err)
		s.failed++
		s.failures = append(s.failures, "(the test stream could not be read)")
	}
	ok := s.report()
	if err := s.closeResults(results); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: writing the results: %v\n", err)
		ok = false
	}
	if !ok {
		os.Exit(1)
	}
}

// closeResults writes out and closes the results file, if there is one.
func (s *summary) closeResults(f *os.File) error {
	if f == nil {
		return nil
	}
	if w, ok := s.results.(*bufio.Writer); ok {
		if err := w.Flush(); err != nil {
			_ = f.Close()
			return err
		}
	}
	return f.Close()
}

func (s *summary) record(outcome string, k testKey) {
	if s.results != nil {
		fmt.Fprintf(s.results, "%s %s\n", outcome, s.name(k))
	}
}

func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil || e.Action == "" {
			fmt.Fprintf(s.out, "%s\n", line)
			continue
		}
		s.handle(e)
	}
	return sc.Err()
}

func (s *summary) handle(e event) {
	switch {
	case e.Action == "build-output":
		fmt.Fprint(s.out, e.Output)
	case e.Action == "build-fail":
		// Counted once, by the failing package's own event (FailedBuild).
	case e.Test != "":
		s.handleTest(e)
	default:
		s.handlePackage(e)
	}
}

func (s *summary) handleTest(e event) {
	k := testKey{e.Package, e.Test}
	switch e.Action {
	case "run":
		if _, ok := s.running[k]; !ok {
			s.order = append(s.order, k)
		}
		s.running[k] = nil
	case "output":
		s.running[k] = append(s.running[k], e.Output)
	case "pass":
		s.passed++
		s.record("pass", k)
		delete(s.running, k)
	case "skip":
		s.record("skip", k)
		s.skips = append(s.skips, skipped{s.name(k), skipReason(s.running[k])})
		delete(s.running, k)
	case "fail":
		s.fail(k)
	}
}

func (s *summary) fail(k testKey) {
	s.record("fail", k)
	s.failed++
	s.pkgFailedTests[k.pkg]++
	s.failures = append(s.failures, s.name(k))
	for _, l := range s.running[k] {
		if !strings.HasPrefix(l, "=== ") {
			fmt.Fprint(s.out, l)
		}
	}
	delete(s.running, k)
}

func (s *summary) handlePackage(e event) {
	switch e.Action {
	case "output":
		if e.Output == "PASS\n" {
			return
		}
		// The package's closing line ("ok", "FAIL", "?") is what plain go test prints.
		if strings.HasPrefix(e.Output, "ok  \t") || strings.HasPrefix(e.Output, "?   \t") || strings.HasPrefix(e.Output, "FAIL\t") {
			fmt.Fprint(s.out, e.Output)
			return
		}
		s.pkgOutput[e.Package] = append(s.pkgOutput[e.Package], e.Output)
	case "fail":
		// Tests still running when their package failed died with it (a panic, a timeout).
		for _, k := range s.order {
			if _, ok := s.running[k]; ok && k.pkg == e.Package {
				s.fail(k)
			}
		}
		switch {
		case e.FailedBuild != "":
			s.failed++
			s.failures = append(s.failures, s.short(e.Package)+" (did not build)")
		case s.pkgFailedTests[e.Package] == 0:
			for _, l := range s.pkgOutput[e.Package] {
				fmt.Fprint(s.out, l)
			}
			s.failed++
			s.failures = append(s.failures, s.short(e.Package)+" (the package failed outside any test)")
		}
		delete(s.pkgOutput, e.Package)
	case "pass", "skip":
		delete(s.pkgOutput, e.Package)
	}
}

// report prints the closing block and says whether everything passed.
func (s *summary) report() bool {
	for _, k := range s.order {
		if _, ok := s.running[k]; ok {
			s.fail(k) // the stream ended before the test did
		}
	}
	fmt.Fprintln(s.out)
	fmt.Fprintln(s.out, "Test summary")
	sort.Slice(s.skips, func(i, j int) bool { return s.skips[i].name < s.skips[j].name })
	for _, sk := range s.skips {
		fmt.Fprintf(s.out, "  skipped  %s: %s\n", sk.name, sk.reason)
	}
	for _, f := range s.failures {
		fmt.Fprintf(s.out, "  FAILED   %s\n", f)
	}
	fmt.Fprintf(s.out, "%d passed, %d failed, %d skipped\n", s.passed, s.failed, len(s.skips))
	return s.failed == 0
}

// name is how a test is shown: its package without the module path, then the test.
func (s *summary) name(k testKey) string {
	return s.short(k.pkg) + " " + k.test
}

func (s *summary) short(pkg string) string {
	if pkg == s.module {
		return "."
	}
	return strings.TrimPrefix(pkg, s.module+"/")
}

var logPrefix = regexp.MustCompile(`^\s*[\w.-]+\.go:\d+: `)

// skipReason is the message a test gave t.Skip, without the file:line prefix and the framing lines.
func skipReason(output []string) string {
	var parts []string
	for _, l := range output {
		l = strings.TrimRight(l, "\n")
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		parts = append(parts, strings.TrimSpace(logPrefix.ReplaceAllString(l, "")))
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	reason := strings.Join(parts, " ")
	if len(reason) > 200 {
		reason = reason[:197] + "..."
	}
	return reason
}
