// Command testsummary reads `go test -json` on stdin, prints what a plain
// `go test` would (a line per package, the output of each failed test), and
// ends with a count of passed, failed and skipped tests and each skip's reason.
// Lines that are not JSON (make's echo, other commands' output) pass through.
// It exits 1 when any test or package failed. With TESTSUMMARY_RESULTS set to
// a file name, it also writes there one line per test that ended: "pass",
// "skip" or "fail", a space, and the test's name as the summary shows it.
//
// Usage: go test -json ./... | go run ./internal/tools/testsummary
package main
