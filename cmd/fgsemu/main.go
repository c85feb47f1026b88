// Command fgsemu runs the local FunctionGraph emulator (internal/fgsemu) for
// demos, scripts and users' own tests, and drives a running one.
//
//	fgsemu [serve] -access-key AK -secret-key SK [-function URN ...]   serve until SIGINT/SIGTERM
//	               [-quota-cancel 100/10s] [-quota-list 20/1m]         ... enforcing API Gateway quotas
//	fgsemu invoke -endpoint URL -urn URN [-count N]                    start invocations, print their request IDs
//	fgsemu show -endpoint URL -urn URN [-request-id ID]                print invocations and counters
//	fgsemu help                                                        every command's flags and the control API
//
// Every serve flag can also come from an FGSEMU_* environment variable
// (FGSEMU_LISTEN, FGSEMU_ACCESS_KEY, FGSEMU_FUNCTIONS=urn1,urn2, ...); a flag
// wins over its variable.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes: 0 done, 1 failed at run time, 2 bad usage or configuration.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program, so tests can drive it without a process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "invoke":
		return invoke(ctx, args, getenv, stdout, stderr)
	case "show":
		return show(ctx, args, getenv, stdout, stderr)
	case "help":
		writeHelp(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "fgsemu: unknown command %q\n\n%sRun \"fgsemu help\" for every command's flags and the control API.\n", cmd, usage)
		return exitUsage
	}
}

const usage = `Usage:
  fgsemu [serve] -access-key AK -secret-key SK [flags]   serve the emulator until SIGINT/SIGTERM
  fgsemu invoke -endpoint URL -urn URN [-count N]        start async invocations; prints request IDs
  fgsemu show -endpoint URL -urn URN [-request-id ID]    print invocations and counters
  fgsemu help                                            every command's flags and the control API
`

// controlAPI is the emulator's /_emulator/ API, as internal/fgsemu/control.go serves it.
const controlAPI = `Control API (JSON over HTTP, loopback clients only; invoke and show use it, tests drive it):
  GET    /_emulator/stats                  the counters, as show prints them
  POST   /_emulator/reset-stats            zero the counters
  POST   /_emulator/functions              add a function: {"urn", "concurrency", "max_instances",
                                           "stop_delay": "2s", "never_stops", "run_for": "1m"}
  GET    /_emulator/functions              the functions served
  POST   /_emulator/invoke                 start invocations: {"urn", "count"}; answers {"request_ids"}
  GET    /_emulator/invocations?urn=URN    a function's invocations (&request_id=ID for one)
  POST   /_emulator/faults                 inject a fault: {"op": "cancel"|"list"|"invoke"|"iam"|"other"|"",
                                           "times", "probability", "status", "body", "retry_after",
                                           "delay": "1s", "hang", "drop": "before"|"after"|"mid-body",
                                           "malformed": "html"|"empty"|"truncated"|"huge"|"loop"}
  GET    /_emulator/faults                 the faults in force
  DELETE /_emulator/faults                 clear every fault
  POST   /_emulator/quotas                 set an API Gateway quota: {"op": "cancel"|"list"|"invoke", "limit": 100,
                                           "window": "10s"}, per credential; "limit": 0 removes it
  GET    /_emulator/quotas                 the quotas in force
  DELETE /_emulator/quotas                 remove every quota
  POST   /_emulator/latency                delay every API answer: {"latency": "20ms"}
  POST   /_emulator/tokens                 accept an X-Auth-Token: {"token", "expires": RFC 3339}
`

// writeHelp prints the commands, each command's flags from its own flag set, and the control API.
func writeHelp(w io.Writer) {
	fmt.Fprint(w, usage)
	serveFS, _ := serveFlags(w)
	invokeFS, _, _, _ := invokeFlags(w)
	showFS, _, _, _ := showFlags(w)
	for _, fs := range []*flag.FlagSet{serveFS, invokeFS, showFS} {
		fmt.Fprintf(w, "\n%s flags:\n", fs.Name())
		fs.PrintDefaults()
	}
	fmt.Fprint(w, `
Every flag also reads the variable FGSEMU_<FLAG> (-stop-delay: FGSEMU_STOP_DELAY,
-quota-cancel: FGSEMU_QUOTA_CANCEL;
the repeatable ones FGSEMU_FUNCTIONS, FGSEMU_TOKENS, FGSEMU_AGENCIES, comma-separated);
a flag on the command line wins.

`)
	fmt.Fprint(w, controlAPI)
}
