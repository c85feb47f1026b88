package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// listFlag is a repeatable flag whose environment default is replaced, not
// extended, by the first value given on the command line.
type listFlag struct {
	values  []string
	fromEnv bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(v string) error {
	if l.fromEnv {
		l.values, l.fromEnv = nil, false
	}
	l.values = append(l.values, v)
	return nil
}

func (l *listFlag) setFromEnv(v string) {
	l.values, l.fromEnv = nil, true
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			l.values = append(l.values, s)
		}
	}
}

// envName is the variable that backs a flag: -stop-delay reads FGSEMU_STOP_DELAY.
func envName(flagName string) string {
	return "FGSEMU_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags reads FGSEMU_* variables, then the arguments, which win. It
// reports false with the exit code when the command should stop: -h, a bad
// flag or a stray argument.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, plural map[string]string, stderr io.Writer) (int, bool) {
	if err := applyEnv(fs, getenv, plural); err != nil {
		fmt.Fprintf(stderr, "fgsemu: %v\n", err)
		return exitUsage, false
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fgsemu: unexpected argument %q\n", fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}

// applyEnv gives every flag its FGSEMU_* value before the command line is parsed.
func applyEnv(fs *flag.FlagSet, getenv func(string) string, plural map[string]string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if p, ok := plural[f.Name]; ok {
			name = p
		}
		v := getenv(name)
		if v == "" || err != nil {
			return
		}
		if l, ok := f.Value.(*listFlag); ok {
			l.setFromEnv(v)
			return
		}
		if e := f.Value.Set(v); e != nil {
			err = fmt.Errorf("%s=%q: %v", name, v, e)
		}
	})
	return err
}

// quotaFlag is a -quota-* flag: "LIMIT/WINDOW" such as 100/10s or 20/1m; "0" means none.
type quotaFlag struct {
	limit  int
	window time.Duration
}

func (q *quotaFlag) String() string {
	if q == nil || q.limit == 0 {
		return ""
	}
	return fgsemu.Quota{Limit: q.limit, Window: q.window}.String()
}

func (q *quotaFlag) Set(v string) error {
	limit, window, err := fgsemu.ParseQuota(v)
	if err != nil {
		return err
	}
	q.limit, q.window = limit, window
	return nil
}

type serveConfig struct {
	listen, accessKey, secretKey string
	functions, tokens, agencies  listFlag
	concurrency, maxInstances    int
	stopDelay, runFor, latency   time.Duration
	tempTTL                      time.Duration
	neverStops                   bool
	seed                         int64
	quotas                       map[string]*quotaFlag // by op
}

func serveFlags(stderr io.Writer) (*flag.FlagSet, *serveConfig) {
	c := &serveConfig{quotas: map[string]*quotaFlag{fgsemu.OpCancel: {}, fgsemu.OpList: {}, fgsemu.OpInvoke: {}}}
	fs := flag.NewFlagSet("fgsemu serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free one)")
	fs.StringVar(&c.accessKey, "access-key", "", "access `key` accepted on signed requests")
	fs.StringVar(&c.secretKey, "secret-key", "", "secret `key` of -access-key")
	fs.Var(&c.functions, "function", "function `URN` to serve (repeatable; FGSEMU_FUNCTIONS is comma-separated)")
	fs.IntVar(&c.concurrency, "concurrency", 1, "invocations one instance runs at once (1:N)")
	fs.IntVar(&c.maxInstances, "max-instances", 0, "instances per function; beyond them invocations WAIT (0 = unbounded)")
	fs.DurationVar(&c.stopDelay, "stop-delay", 0, "how long a cancelled invocation takes to end")
	fs.DurationVar(&c.runFor, "run-for", 0, "an uncancelled invocation succeeds after this long (0 = runs until cancelled)")
	fs.BoolVar(&c.neverStops, "never-stops", false, "cancelled invocations stay RUNNING forever")
	fs.DurationVar(&c.latency, "latency", 0, "delay added before every API answer")
	fs.Var(&c.tokens, "token", "X-Auth-Token `value` accepted (repeatable; FGSEMU_TOKENS is comma-separated)")
	fs.Var(&c.agencies, "agency", "agency IAM lets the key assume, as `AGENCY@DOMAIN` (domain name or ID; repeatable; FGSEMU_AGENCIES)")
	fs.DurationVar(&c.tempTTL, "temp-credential-ttl", 0, "lifetime of IAM temporary credentials (0 = the requested duration)")
	fs.Int64Var(&c.seed, "seed", 0, "seed for probabilistic faults")
	fs.Var(c.quotas[fgsemu.OpCancel], "quota-cancel", "API Gateway quota on cancel: `LIMIT/WINDOW` calls per credential (access key or token), e.g. 100/10s\n"+
		"or 20/1m, in fixed windows aligned to the Unix epoch; over it 429 APIGW.0308, no Retry-After (default: none)")
	fs.Var(c.quotas[fgsemu.OpList], "quota-list", "API Gateway quota on list (async-invocations), `LIMIT/WINDOW` as -quota-cancel")
	fs.Var(c.quotas[fgsemu.OpInvoke], "quota-invoke", "API Gateway quota on invocations-async, `LIMIT/WINDOW` as -quota-cancel (fgsemu invoke is never limited)")
	return fs, c
}

var servePlurals = map[string]string{"function": "FGSEMU_FUNCTIONS", "token": "FGSEMU_TOKENS", "agency": "FGSEMU_AGENCIES"}

// syncWriter serialises log lines from concurrent handlers.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, format, args...)
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs, c := serveFlags(stderr)
	if code, ok := parseFlags(fs, args, getenv, servePlurals, stderr); !ok {
		return code
	}
	opts, functions, err := c.options()
	if err != nil {
		fmt.Fprintf(stderr, "fgsemu: %v\n", err)
		return exitUsage
	}
	log := &syncWriter{w: stderr}
	opts.Logf = func(format string, args ...any) {
		log.printf("%s "+format+"\n", append([]any{time.Now().UTC().Format(time.RFC3339)}, args...)...)
	}
	e := fgsemu.New(opts)
	for _, f := range functions {
		if err := e.AddFunction(f); err != nil {
			fmt.Fprintf(stderr, "fgsemu: -function %q: %v\n", f.URN, err)
			return exitUsage
		}
	}
	for _, op := range []string{fgsemu.OpCancel, fgsemu.OpList, fgsemu.OpInvoke} {
		if q := c.quotas[op]; q.limit > 0 {
			if err := e.SetQuota(op, q.limit, q.window); err != nil {
				fmt.Fprintf(stderr, "fgsemu: -quota-%s: %v\n", op, err)
				return exitUsage
			}
			log.printf("fgsemu: quota on %s: %s per credential\n", op, q)
		}
	}
	url, err := e.Start(c.listen)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "listening on %s\n", url)
	if c.accessKey != "" {
		log.printf("fgsemu: accepting the configured access key (key and secret not shown)\n")
	}
	for _, f := range functions {
		log.printf("fgsemu: serving %s (concurrency %d, stop delay %s)\n", f.URN, max(f.Concurrency, 1), f.StopDelay)
	}
	<-ctx.Done()
	log.printf("fgsemu: shutting down\n")
	if err := e.Close(); err != nil {
		fmt.Fprintf(stderr, "fgsemu: close: %v\n", err)
		return exitError
	}
	return exitOK
}

// options checks the configuration and turns it into emulator options and functions.
func (c *serveConfig) options() (fgsemu.Options, []fgsemu.Function, error) {
	var opts fgsemu.Options
	if (c.accessKey == "") != (c.secretKey == "") {
		return opts, nil, errors.New("give both -access-key and -secret-key (or FGSEMU_ACCESS_KEY and FGSEMU_SECRET_KEY)")
	}
	if c.accessKey == "" && len(c.tokens.values) == 0 {
		return opts, nil, errors.New("missing credentials: give -access-key and -secret-key (or FGSEMU_ACCESS_KEY and FGSEMU_SECRET_KEY), or -token")
	}
	host, _, err := net.SplitHostPort(c.listen)
	if err != nil {
		return opts, nil, fmt.Errorf("-listen %q: want host:port, e.g. 127.0.0.1:0", c.listen)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return opts, nil, fmt.Errorf("-listen %q: only loopback addresses (127.0.0.1, ::1, localhost) are allowed; the emulator has no real security", c.listen)
	}
	if c.concurrency < 1 || c.maxInstances < 0 || c.stopDelay < 0 || c.runFor < 0 || c.latency < 0 || c.tempTTL < 0 {
		return opts, nil, errors.New("-concurrency must be at least 1; -max-instances and durations must not be negative")
	}
	if c.accessKey != "" {
		opts.Keys = map[string]string{c.accessKey: c.secretKey}
	}
	opts.Tokens = c.tokens.values
	for _, a := range c.agencies.values {
		name, domain, ok := strings.Cut(a, "@")
		if !ok || name == "" || domain == "" {
			return opts, nil, fmt.Errorf("-agency %q: want AGENCY@DOMAIN", a)
		}
		opts.Agencies = append(opts.Agencies, fgsemu.Agency{AgencyName: name, DomainName: domain, DomainID: domain})
	}
	opts.Latency, opts.TempCredentialTTL, opts.Seed = c.latency, c.tempTTL, c.seed
	functions := make([]fgsemu.Function, 0, len(c.functions.values))
	for _, urn := range c.functions.values {
		f := fgsemu.Function{URN: urn, Concurrency: c.concurrency, MaxInstances: c.maxInstances,
			StopDelay: c.stopDelay, RunFor: c.runFor, NeverStops: c.neverStops}
		if _, err := fgsemu.CanonicalURN(urn); err != nil {
			return opts, nil, fmt.Errorf("-function %q: %v", urn, err)
		}
		functions = append(functions, f)
	}
	return opts, functions, nil
}
