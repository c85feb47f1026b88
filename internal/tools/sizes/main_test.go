package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	r, err := measureTree("testdata/src", false)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r.print(&out, 6, 40)
	got := out.String()
	for _, want := range []string{
		"      7  testdata/src/sample.go:10 long\n",
		"      7  testdata/src/sample.go:40 (provider).probeSchema\n",
		"schema declarations over 6 lines (not counted):\n      8  testdata/src/sample.go:19 attributes\n      7  testdata/src/sample.go:31 (provider).Schema\n",
		"     46  testdata/src/sample.go\n",
		"2 of 5 functions over 6 lines, 1 of 1 files over 40 lines",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "short") || strings.Contains(got, "longTestHelper") {
		t.Errorf("report lists a short function or a test file's function:\n%s", got)
	}
}

func TestReportWithTests(t *testing.T) {
	r, err := measureTree("testdata/src", true)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r.print(&out, 6, 1000)
	if !strings.Contains(out.String(), "sample_test.go:3 longTestHelper") {
		t.Errorf("-tests leaves out the test file's function:\n%s", out.String())
	}
}
