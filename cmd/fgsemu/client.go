package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// controlClient talks to a running emulator's /_emulator/ API.
type controlClient struct {
	endpoint string
	http     *http.Client
}

func newControlClient(endpoint string) *controlClient {
	return &controlClient{endpoint: strings.TrimRight(endpoint, "/"), http: &http.Client{Timeout: 30 * time.Second}}
}

// do sends one control request and decodes a 2xx answer into out.
func (c *controlClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+"/_emulator/"+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var ce fgsemu.ControlError
		if json.Unmarshal(b, &ce) == nil && ce.Error != "" {
			return errors.New(ce.Error)
		}
		return fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	return json.Unmarshal(b, out)
}

// clientFlags are the flags invoke and show share; FGSEMU_ENDPOINT and FGSEMU_URN back them.
func clientFlags(name string, stderr io.Writer) (*flag.FlagSet, *string, *string) {
	fs := flag.NewFlagSet("fgsemu "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "", "emulator base `URL` (the one serve printed)")
	urn := fs.String("urn", "", "function `URN`")
	return fs, endpoint, urn
}

func parseClientFlags(fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer, endpoint, urn *string) int {
	if code, ok := parseFlags(fs, args, getenv, nil, stderr); !ok {
		return code
	}
	if *endpoint == "" || *urn == "" {
		fmt.Fprintf(stderr, "fgsemu %s: -endpoint and -urn are required\n", strings.TrimPrefix(fs.Name(), "fgsemu "))
		return exitUsage
	}
	if u, err := url.Parse(*endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "fgsemu: -endpoint %q: want a URL such as http://127.0.0.1:8080\n", *endpoint)
		return exitUsage
	}
	return -1
}

func invokeFlags(stderr io.Writer) (*flag.FlagSet, *string, *string, *int) {
	fs, endpoint, urn := clientFlags("invoke", stderr)
	count := fs.Int("count", 1, "how many invocations to start")
	return fs, endpoint, urn, count
}

func showFlags(stderr io.Writer) (*flag.FlagSet, *string, *string, *string) {
	fs, endpoint, urn := clientFlags("show", stderr)
	requestID := fs.String("request-id", "", "show only this `request ID`")
	return fs, endpoint, urn, requestID
}

func invoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs, endpoint, urn, count := invokeFlags(stderr)
	if code := parseClientFlags(fs, args, getenv, stderr, endpoint, urn); code >= 0 {
		return code
	}
	if *count < 1 {
		fmt.Fprintln(stderr, "fgsemu invoke: -count must be at least 1")
		return exitUsage
	}
	var resp fgsemu.InvokeResponse
	if err := newControlClient(*endpoint).do(ctx, http.MethodPost, "invoke", fgsemu.InvokeRequest{URN: *urn, Count: *count}, &resp); err != nil {
		fmt.Fprintf(stderr, "fgsemu invoke: %v\n", err)
		return exitError
	}
	for _, id := range resp.RequestIDs {
		fmt.Fprintln(stdout, id)
	}
	return exitOK
}

func show(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs, endpoint, urn, requestID := showFlags(stderr)
	if code := parseClientFlags(fs, args, getenv, stderr, endpoint, urn); code >= 0 {
		return code
	}
	c := newControlClient(*endpoint)
	var invs fgsemu.InvocationsResponse
	if err := c.do(ctx, http.MethodGet, "invocations?"+url.Values{"urn": {*urn}}.Encode(), nil, &invs); err != nil {
		fmt.Fprintf(stderr, "fgsemu show: %v\n", err)
		return exitError
	}
	var stats fgsemu.Stats
	if err := c.do(ctx, http.MethodGet, "stats", nil, &stats); err != nil {
		fmt.Fprintf(stderr, "fgsemu show: %v\n", err)
		return exitError
	}
	var quotas []fgsemu.Quota
	if err := c.do(ctx, http.MethodGet, "quotas", nil, &quotas); err != nil {
		fmt.Fprintf(stderr, "fgsemu show: %v\n", err)
		return exitError
	}
	shown := invs.Invocations
	if *requestID != "" {
		shown = nil
		for _, inv := range invs.Invocations {
			if inv.RequestID == *requestID {
				shown = append(shown, inv)
			}
		}
		if len(shown) == 0 {
			fmt.Fprintf(stderr, "fgsemu show: unknown request ID %q\n", *requestID)
			return exitError
		}
	}
	writeInvocations(stdout, shown)
	fmt.Fprintln(stdout)
	writeStats(stdout, invs.Invocations, stats, quotas)
	return exitOK
}

// writeInvocations prints an aligned table; empty cells are "-" so every row has the same fields.
func writeInvocations(w io.Writer, invs []fgsemu.Invocation) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUEST ID\tSTATUS\tERROR\tMESSAGE\tSTART\tEND")
	cell := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	for _, inv := range invs {
		code := "-"
		if inv.ErrorCode != 0 {
			code = fmt.Sprint(inv.ErrorCode)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", inv.RequestID, inv.Status, code, cell(inv.ErrorMessage), when(inv.StartTime), when(inv.EndTime))
	}
	tw.Flush()
}

// writeStats prints the function's invocations by status, then the emulator's
// counters. The request counters count the FunctionGraph and IAM API only, so
// they stay 0 after invoke, which starts invocations through the control API.
func writeStats(w io.Writer, invs []fgsemu.Invocation, s fgsemu.Stats, quotas []fgsemu.Quota) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "invocations:\t%d%s\n", len(invs), countsByStatus(invs))
	byOp := countsByOp(s.RequestsByOp)
	if byOp != "" {
		byOp += "; "
	}
	fmt.Fprintf(tw, "API requests:\t%d (%sthe control API, which invoke and show use, is not counted)\n", s.Requests, byOp)
	fmt.Fprintf(tw, "accepted cancels:\t%d\n", s.AcceptedCancels)
	fmt.Fprintf(tw, "auth failures:\t%d\n", s.AuthFailures)
	fmt.Fprintf(tw, "faults applied:\t%d\n", s.FaultsApplied)
	fmt.Fprintf(tw, "quotas:\t%s\n", quotaList(quotas))
	throttled := countsByOp(s.ThrottledByOp)
	if throttled != "" {
		throttled = " (" + throttled + ")"
	}
	fmt.Fprintf(tw, "throttled by quotas:\t%d%s\n", s.Throttled, throttled)
	fmt.Fprintf(tw, "IAM calls:\t%d\n", s.IAMCalls)
	fmt.Fprintf(tw, "connections:\t%d (open %d, max open %d; control API included)\n", s.Connections, s.OpenConnections, s.MaxOpenConnections)
	tw.Flush()
}

// countsByOp is "cancel 2, list 1" in the order of the operations' names, or "".
func countsByOp(m map[string]int64) string {
	ops := make([]string, 0, len(m))
	for op, n := range m {
		ops = append(ops, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(ops)
	return strings.Join(ops, ", ")
}

// quotaList is "cancel 100/10s, list 20/1m per credential", or "none".
func quotaList(quotas []fgsemu.Quota) string {
	if len(quotas) == 0 {
		return "none"
	}
	parts := make([]string, len(quotas))
	for i, q := range quotas {
		parts[i] = q.Op + " " + q.String()
	}
	return strings.Join(parts, ", ") + " per credential"
}

// countsByStatus is " (RUNNING 2, FAIL 1)" in the order statuses first appear, or "".
func countsByStatus(invs []fgsemu.Invocation) string {
	var order []string
	n := map[string]int{}
	for _, inv := range invs {
		if n[inv.Status] == 0 {
			order = append(order, inv.Status)
		}
		n[inv.Status]++
	}
	if len(order) == 0 {
		return ""
	}
	parts := make([]string, len(order))
	for i, st := range order {
		parts[i] = fmt.Sprintf("%s %d", st, n[st])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
