package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The streams in testdata are real `go test -json` output of small packages
// (module path rewritten): passes, skips, a failed subtest, a build failure, a panic.
func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		stream   string
		ok       bool
		last     string
		want     []string
		dontWant []string
	}{
		{
			stream: "ok", ok: true, last: "3 passed, 0 failed, 2 skipped",
			want: []string{
				"ok  \tgithub.com/fgs-tools/terraform-provider-huaweicloud/example/ok\t",
				"  skipped  example/ok TestSkip: needs Terraform 1.14; this is 1.11.4\n",
				"  skipped  example/ok TestTable/two: acceptance test: set TF_ACC=1\n",
			},
			dontWant: []string{"noise that a pass hides", "=== RUN", "FAILED"},
		},
		{
			stream: "bad", last: "1 passed, 2 failed, 0 skipped",
			want: []string{
				"bad_test.go:6: want 1 cancel, got 2\n--- FAIL: TestFails/sub",
				"  FAILED   example/bad TestFails/sub\n",
				"  FAILED   example/bad TestFails\n",
				"FAIL\tgithub.com/fgs-tools/terraform-provider-huaweicloud/example/bad\t",
			},
			dontWant: []string{"=== RUN"},
		},
		{
			stream: "broken", last: "0 passed, 1 failed, 0 skipped",
			want: []string{"broken_test.go:5:28: undefined: undefined\n", "  FAILED   example/broken (did not build)\n"},
		},
		{
			stream: "panics", last: "1 passed, 1 failed, 0 skipped",
			want: []string{"panic: assignment to entry in nil map", "p_test.go:6", "  FAILED   example/panics TestPanics\n"},
		},
	} {
		t.Run(tc.stream, func(t *testing.T) {
			in, err := os.Open("testdata/" + tc.stream + ".json")
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = in.Close() }()
			var out bytes.Buffer
			s := newSummary(&out, "github.com/fgs-tools/terraform-provider-huaweicloud")
			if err := s.read(in); err != nil {
				t.Fatal(err)
			}
			if ok := s.report(); ok != tc.ok {
				t.Errorf("report() = %v, want %v", ok, tc.ok)
			}
			got := out.String()
			lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
			if lines[len(lines)-1] != tc.last {
				t.Errorf("last line %q, want %q\n%s", lines[len(lines)-1], tc.last, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.dontWant {
				if strings.Contains(got, w) {
					t.Errorf("output has %q:\n%s", w, got)
				}
			}
		})
	}
}

// A stream cut off mid-test (go test killed) counts that test as failed, and
// lines that are not JSON, such as make's echo, pass through untouched.
func TestSummaryOfACutStreamAndPlainLines(t *testing.T) {
	in := strings.Join([]string{
		`go test -json ./internal/fgs`,
		`{"Action":"start","Package":"m/p"}`,
		`{"Action":"run","Package":"m/p","Test":"TestHangs"}`,
		`{"Action":"output","Package":"m/p","Test":"TestHangs","Output":"    x_test.go:3: waiting\n"}`,
		`{not json`,
	}, "\n")
	var out bytes.Buffer
	s := newSummary(&out, "m")
	if err := s.read(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	if s.report() {
		t.Error("a cut stream reported success")
	}
	got := out.String()
	for _, w := range []string{"go test -json ./internal/fgs\n", "{not json\n", "x_test.go:3: waiting\n", "  FAILED   p TestHangs\n", "0 passed, 1 failed, 0 skipped\n"} {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
}

// The results file lists each test's outcome under the name the summary
// shows, which .ci/run compares between two Terraform versions.
func TestSummaryResults(t *testing.T) {
	in, err := os.Open("testdata/ok.json")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = in.Close() }()
	var out, results bytes.Buffer
	s := newSummary(&out, "github.com/fgs-tools/terraform-provider-huaweicloud")
	s.results = &results
	if err := s.read(in); err != nil {
		t.Fatal(err)
	}
	s.report()
	got := results.String()
	for _, want := range []string{"skip example/ok TestSkip\n", "skip example/ok TestTable/two\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("results lack %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "pass "); n != 3 {
		t.Errorf("%d passes in the results, want 3:\n%s", n, got)
	}
}
