// Command fgsemu runs the local FunctionGraph emulator (internal/fgsemu) for
// demos, scripts and users' own tests, and drives a running one.
//
//	fgsemu [serve] -access-key AK -secret-key SK [-function URN ...]   serve until SIGINT/SIGTERM
//	fgsemu invoke -endpoint URL -urn URN [-count N]                    start invocations, print their request IDs
//	fgsemu show -endpoint URL -urn URN [-request-id ID]                print invocations and counters
//
// Every serve flag can also come from an FGSEMU_* environment variable
// (FGSEMU_LISTEN, FGSEMU_ACCESS_KEY, FGSEMU_FUNCTIONS=urn1,urn2, ...); a flag
// wins over its variable.
package main

import (
	"context"
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
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "fgsemu: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

const usage = `Usage:
  fgsemu [serve] -access-key AK -secret-key SK [flags]   serve the emulator until SIGINT/SIGTERM
  fgsemu invoke -endpoint URL -urn URN [-count N]        start async invocations; prints request IDs
  fgsemu show -endpoint URL -urn URN [-request-id ID]    print invocations and counters
  fgsemu help

Run "fgsemu <command> -h" for a command's flags. Serve flags also read
FGSEMU_<FLAG> environment variables (FGSEMU_LISTEN, FGSEMU_ACCESS_KEY,
FGSEMU_SECRET_KEY, FGSEMU_FUNCTIONS=urn1,urn2, ...); a flag wins.
`
