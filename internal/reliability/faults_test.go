package reliability

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// faultCase is one row of the fault matrix: what the emulator does to the
// cancel, and what Terraform and the emulator must show afterwards.
type faultCase struct {
	name   string
	faults []fgsemu.Fault
	// provider and resource are extra lines for the provider and resource blocks.
	provider []string
	resource []string
	// applied: the apply succeeds and the state records the cancel;
	// otherwise it fails, writes nothing, and a later apply succeeds.
	applied bool
	// output is a pattern (acctest.ErrorPattern) the apply's output must match.
	output string
	// The emulator's counters after the apply: cancel requests, accepted
	// cancels, and list requests (status checks and wait_for_stop's polls).
	cancels, accepted, lists int64
	// gap is the least time between the first two cancel answers (Retry-After).
	gap time.Duration
	// least is the least time the apply may take (0: not checked); its end is
	// proved by what it printed, not by a bound on how long it took.
	least time.Duration
	// oneStatusLine: the diagnostic shows one "HTTP status:" fact, however
	// many line breaks the answer's text held.
	oneStatusLine bool
	// confirmed: no answer accepted the cancel, whose success was confirmed
	// through the invocation's status, so the record has no api_request_id.
	confirmed bool
}

// The provider runs as the real binary with its default retry timing:
// about 0.5, 1, 2, 4, 8 s between attempts, with jitter.
var faultMatrix = []faultCase{
	{name: "500 once, then success", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 1, Status: 500}},
		applied: true, output: `Apply complete! Resources: 1 added`, cancels: 2, accepted: 1, lists: 1},
	{name: "502 twice, then success", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 2, Status: 502}},
		applied: true, output: `Apply complete! Resources: 1 added`, cancels: 3, accepted: 1, lists: 1},
	{name: "503 three times, then success", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 3, Status: 503}},
		applied: true, output: `Apply complete! Resources: 1 added`, cancels: 4, accepted: 1, lists: 1},
	{name: "504 twice, then success", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 2, Status: 504}},
		applied: true, output: `Apply complete! Resources: 1 added`, cancels: 3, accepted: 1, lists: 1},
	{name: "429 with Retry-After, then success", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 1, Status: 429, RetryAfter: "2"}},
		applied: true, output: `Apply complete! Resources: 1 added`, cancels: 2, accepted: 1, lists: 1, gap: 2 * time.Second, least: 2 * time.Second},
	{name: "429 more times than max_retries, then success", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 4, Status: 429, RetryAfter: "1"}},
		provider: []string{"max_retries = 2"}, applied: true, output: `Apply complete! Resources: 1 added`, cancels: 5, accepted: 1, lists: 1},
	{name: "503 beyond max_retries", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Status: 503, Body: `{"error_code":"FSS.0503","error_msg":"backend overloaded"}`}},
		provider: []string{"max_retries = 2"},
		output: `Error: Failed to Cancel Async Invocation: FunctionGraph Server Error.*gave up after 3 attempts \(max_retries = 2\).*` +
			`HTTP status: 503.*Error code: FSS\.0503.*Message: backend overloaded.*Attempts: 3`,
		cancels: 3},
	{name: "connection dropped before any answer", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 1, Drop: fgsemu.DropBefore}},
		applied: true, output: `Apply complete! Resources: 1 added`, cancels: 2, accepted: 1, lists: 1},
	{name: "answer lost after the cancel was carried out", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 1, Drop: fgsemu.DropAfter}},
		applied: true, output: `Warning: Cancel Confirmed After a Lost Answer.*was sent but its answer was lost.*most likely that earlier attempt.*Status: FAIL.*Error code: 4208.*Attempts: 2.*Apply complete! Resources: 1 added`,
		cancels: 2, accepted: 1, lists: 1, confirmed: true},
	{name: "answer cut off mid-body", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Times: 1, Drop: fgsemu.DropMidBody}},
		applied: true, output: `Apply complete! Resources: 1 added`, cancels: 2, accepted: 1, lists: 1},
	{name: "server never answers", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Hang: true}}, resource: []string{`timeouts { create = "3s" }`},
		output:  `Error: Failed to Cancel Async Invocation: Timed Out.*did not complete within its timeouts\.create of 3s.*Raise timeouts\.create`,
		cancels: 1, least: 3 * time.Second},
	{name: "200 with an HTML page", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedHTML}},
		output: `Error: Failed to Cancel Async Invocation: Unreadable Answer.*could not be understood: the answer is not the JSON FunctionGraph sends ` +
			`\(Content-Type "text/html; charset=utf-8"; 167 bytes: <!DOCTYPE html> <html><head><title>502 Bad Gateway.*proxy.*HTTP status: 200`,
		cancels: 1},
	{name: "500 with an empty body", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedEmpty, Status: 500}}, provider: []string{"max_retries = 1"},
		output:  `Error: Failed to Cancel Async Invocation: FunctionGraph Server Error.*HTTP status: 500.*Attempts: 2`,
		cancels: 2},
	{name: "truncated JSON", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedTruncated, Status: 200}},
		output:  `Error: Failed to Cancel Async Invocation: Unreadable Answer.*not the JSON FunctionGraph sends \(Content-Type "application/json"; \d+ bytes: \{"error_code.*HTTP status: 200`,
		cancels: 1},
	{name: "huge body", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedHuge}},
		output:  `Error: Failed to Cancel Async Invocation: Unreadable Answer.*too large to read.*larger than 8 MiB`,
		cancels: 1},
	{name: "redirect instead of an answer", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Status: 302, Body: `{}`}},
		output:  `Error: Failed to Cancel Async Invocation: Unreadable Answer.*HTTP 302 \(Found\) is not an answer FunctionGraph gives.*HTTP status: 302`,
		cancels: 1},
	{name: "error text with invalid UTF-8 and terminal escapes", faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Status: 400,
		Body: "{\"error_code\":\"FSS.1000\",\"error_msg\":\"bad \xff\xfe byte \\u001b[31mred\\u001b[0m\\nHTTP status: 200\"}"}},
		output:  `Error: Failed to Cancel Async Invocation: Request Rejected.*Error code: FSS\.1000.*Message: bad \x{FFFD} byte \x{FFFD}\[31mred\x{FFFD}\[0m HTTP status: 200`,
		cancels: 1, oneStatusLine: true},
}

// Every fault, one case each, through terraform apply against the emulator.
func TestFaults(t *testing.T) {
	t.Parallel()
	for _, fc := range faultMatrix {
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel()
			urn := acctest.FunctionURN("report")
			emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
			figures.faultCase(t, func() int64 { return emu.Stats().FaultsApplied })
			id := acctest.Invoke(t, emu.Emulator, urn)
			emu.inject(t, fc.faults...)

			w := newWorkspace(t, nil)
			w.configure(providerBlock(emu, fc.provider...), cancelBlock("stop", urn, id, fc.resource...))
			w.init()
			res := w.apply()
			expectOutput(t, res, fc.output)
			if !utf8.ValidString(res.output()) || strings.ContainsRune(res.output(), '\x1b') {
				t.Fatalf("the output holds invalid UTF-8 or a terminal escape:\n%s", res)
			}
			if n := len(regexp.MustCompile(`(?m)^\s*HTTP status: `).FindAllString(res.stderr, -1)); fc.oneStatusLine && n != 1 {
				t.Fatalf("the diagnostic shows %d HTTP status lines, want 1:\n%s", n, res)
			}
			if fc.applied != (res.code == 0) {
				t.Fatalf("want applied=%t:\n%s", fc.applied, res)
			}
			if fc.least > 0 && res.elapsed < fc.least {
				t.Fatalf("apply took %s, less than %s", res.elapsed, fc.least)
			}
			s := emu.Stats()
			if s.RequestsByOp[fgsemu.OpCancel] != fc.cancels || s.AcceptedCancels != fc.accepted || s.RequestsByOp[fgsemu.OpList] != fc.lists || s.AuthFailures != 0 {
				t.Fatalf("emulator saw %d cancel requests, %d accepted, %d list requests, %d auth failures; want %d, %d, %d, 0",
					s.RequestsByOp[fgsemu.OpCancel], s.AcceptedCancels, s.RequestsByOp[fgsemu.OpList], s.AuthFailures, fc.cancels, fc.accepted, fc.lists)
			}
			if fc.gap > 0 {
				at := emu.answers(fgsemu.OpCancel)
				if len(at) < 2 || at[1].Sub(at[0]) < fc.gap {
					t.Fatalf("cancel answers at %v: want the second at least %s after the first", at, fc.gap)
				}
			}

			const addr = "huaweicloud_fgs_async_invocation_cancel.stop"
			r := stateResources(w.state())[addr]
			if !fc.applied {
				if r != nil {
					t.Fatalf("a failed cancel left %s in the state: %v", addr, r.AttributeValues)
				}
				// The failure is not sticky: once the fault is gone, the cancel lands.
				emu.ClearFaults()
				w.mustSucceed(w.apply())
				if s := emu.Stats(); s.AcceptedCancels != 1 {
					t.Fatalf("after the faults cleared: %d accepted cancels, want 1", s.AcceptedCancels)
				}
				r = stateResources(w.state())[addr]
			}
			if r == nil {
				t.Fatalf("the state has no %s", addr)
			}
			if inv, _ := emu.Invocation(urn, id); inv.Status != fgsemu.StatusFail || inv.ErrorCode != fgsemu.CanceledErrorCode {
				t.Fatalf("invocation %s is %+v, want cancelled", id, inv)
			}
			v := r.AttributeValues
			acceptance := regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(asString(v["api_request_id"]))
			if fc.confirmed {
				acceptance = v["api_request_id"] == nil && v["cancelled_at"] == nil
			}
			if v["final_status"] != "FAIL" || v["cancelled"] != true || !acceptance {
				t.Fatalf("state records %v", v)
			}
		})
	}
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
