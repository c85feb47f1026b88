package provider_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/testproxy"
)

// "May have been carried out" only when a cancel reached the endpoint and
// its answer was lost; a handshake that is not TLS fails once; the advice
// names the limit that was hit; a 200 with an error body is a failure.
func TestProvider_accountOfWhatWasSent(t *testing.T) {
	t.Parallel()
	refusing := testproxy.StartRefusing(t)
	banner := testproxy.StartBanner(t, "SSH-2.0-OpenSSH_9.6\r\n")
	plainProxy := testproxy.StartRefusing(t)
	noCancel := func(t *testing.T, emu *fgsemu.Emulator) {
		if s := emu.Stats(); s.AcceptedCancels != 0 {
			t.Fatalf("a cancel was accepted: %+v", s)
		}
	}
	runAnswerCases(t, []answerCase{
		{name: "proxy refusing CONNECT", block: []string{`region = "cn-north-4"`, "max_retries = 3"}, env: map[string]string{"HTTPS_PROXY": refusing.URL},
			want:    `refused to open a tunnel.*nothing was sent to FunctionGraph.*Attempts: 1`,
			notWant: carriedOut},
		{name: "TLS against plain HTTP", block: []string{`endpoints = { fgs = "https://%[2]s" }`, "max_retries = 3"},
			want: `answered in plain HTTP to a TLS handshake.*It was not retried.*Attempts: 1`, notWant: carriedOut,
			check: func(t *testing.T, emu *fgsemu.Emulator) {
				if s := emu.Stats(); s.Requests != 0 {
					t.Fatalf("the emulator saw a request: %+v", s)
				}
			}},
		{name: "SSH banner instead of TLS", block: []string{fmt.Sprintf(`endpoints = { fgs = "https://%s" }`, banner.Addr), "max_retries = 3"},
			want:    `Cannot Reach FunctionGraph.*did not answer the TLS handshake in TLS \(its first bytes were "SSH-2"\).*not an HTTPS server.*It was not retried.*Attempts: 1`,
			notWant: carriedOut,
			check: func(t *testing.T, _ *fgsemu.Emulator) {
				if n := banner.Connections(); n != 1 {
					t.Fatalf("the banner server was dialled %d times, want once", n)
				}
			}},
		{name: "timeout before anything was sent", block: []string{`endpoints = { fgs = "%[1]s" }`},
			resource: strings.Replace(singleCancel, "}\n", "  timeouts {\n    create = \"1ns\"\n  }\n}\n", 1),
			want:     `Timed Out.*timeouts.create of 1ns`, notWant: carriedOut + `|Attempts:`,
			check: func(t *testing.T, emu *fgsemu.Emulator) {
				if n := emu.Stats().RequestsByOp[fgsemu.OpCancel]; n != 0 {
					t.Fatalf("the emulator saw %d cancels", n)
				}
			}},
		{name: "answer lost after the cancel was carried out", block: []string{`endpoints = { fgs = "%[1]s" }`, "max_retries = 0"},
			faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Drop: fgsemu.DropAfter}},
			want:   `Cannot Reach FunctionGraph.*The cancel reached FunctionGraph and no answer came back for it, so FunctionGraph ` + carriedOut + `\. Nothing was recorded in the state\. Apply again`},
		{name: "lost answer, then an unreadable status", block: []string{`endpoints = { fgs = "%[1]s" }`, "max_retries = 2"},
			faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Drop: fgsemu.DropAfter, Times: 1}, {Op: fgsemu.OpList, Malformed: fgsemu.MalformedHTML}},
			want: `Invocation Cannot Be Cancelled.*refused to cancel request .* after an earlier attempt whose answer was lost.*` + carriedOut +
				`.*status could not be checked.*Attempts: 2`,
			notWant: `Check request_id and function_urn`},
		{name: "200 with an error body", block: []string{`endpoints = { fgs = "%[1]s" }`},
			faults: []fgsemu.Fault{{Op: fgsemu.OpCancel, Status: 200, Body: `{"error_code":"FSS.0500","error_msg":"internal error"}`}},
			want:   `Error in a Success Answer.*HTTP 200.*not taken as success.*HTTP status: 200.*Error code: FSS\.0500.*Message: internal error.*Attempts: 1`,
			check:  noCancel},
		{name: "429 until the deadline", block: []string{`endpoints = { fgs = "%[1]s" }`, "max_retries = 10"},
			resource: strings.Replace(singleCancel, "}\n", "  timeouts {\n    create = \"2s\"\n  }\n}\n", 1),
			faults:   []fgsemu.Fault{{Op: fgsemu.OpCancel, Status: 429, RetryAfter: "5"}},
			want:     `Throttled Until the Timeout.*within its timeouts.create of 2s.*do not use up max_retries.*Give it more time \(timeouts.create\)`,
			notWant:  `raise max_retries`, check: noCancel},
		{name: "an HTTP proxy's own 403", block: []string{`endpoints = { fgs = "http://functiongraph.example.com" }`, "max_retries = 0"},
			env:     map[string]string{"HTTP_PROXY": plainProxy.URL},
			want:    `Refused Before FunctionGraph.*without FunctionGraph's error body.*proxy.*HTTP status: 403`,
			notWant: `Access Denied|for these credentials`,
			check: func(t *testing.T, _ *fgsemu.Emulator) {
				if got := plainProxy.Targets(); len(got) != 1 || !strings.HasPrefix(got[0], "POST functiongraph.example.com") {
					t.Fatalf("the proxy saw %q", got)
				}
			}},
	})
}

// A list answer is believed only when it is one: a 200 with an error body,
// or without invocations, fails the bulk's "every RUNNING" cancel instead
// of cancelling nothing and reporting success.
func TestProvider_listAnswersBelievedOnlyWhenTrue(t *testing.T) {
	t.Parallel()
	bulk := `resource "huaweicloud_fgs_async_invocations_cancel" "test" {
  function_urn = "%[1]s"
}
`
	runAnswerCases(t, []answerCase{
		{name: "200 with an error body", block: []string{`endpoints = { fgs = "%[1]s" }`}, resource: bulk,
			faults: []fgsemu.Fault{{Op: fgsemu.OpList, Status: 200, Body: `{"error_code":"FSS.0500","error_msg":"internal error"}`}},
			want:   `Error in a Success Answer.*HTTP status: 200.*Error code: FSS\.0500`},
		{name: "no invocations", block: []string{`endpoints = { fgs = "%[1]s" }`}, resource: bulk,
			faults: []fgsemu.Fault{{Op: fgsemu.OpList, Status: 200, Body: `{"count":0}`}},
			want:   `Unreadable Answer.*the answer has no invocations list`},
	})
}

// Diagnostics say each thing once and show no empty facts.
func TestProvider_diagnosticsSayItOnce(t *testing.T) {
	t.Parallel()
	unknownID := strings.Replace(singleCancel, `"%[2]s"`, `"00000000-0000-4000-8000-0000000000aa"`, 1)
	runAnswerCases(t, []answerCase{
		{name: "unknown request", block: []string{`endpoints = { fgs = "%[1]s" }`}, resource: unknownID,
			want:    `Invocation Cannot Be Cancelled.*as unknown or not running\..*Check request_id and function_urn.*not listed for this function in the last 72 hours\.`,
			notWant: `(?i)check (the )?request.?id.*check (the )?request.?id`},
		{name: "ended on its own: no empty facts", block: []string{`endpoints = { fgs = "%[1]s" }`},
			function: fgsemu.Function{RunFor: 50 * time.Millisecond}, succeeds: true,
			want:    `Warning: Invocation Had Already Ended.*ended on its own with status SUCCESS.*Status: SUCCESS.*Attempts: 1`,
			notWant: `Error code:|Message:`},
	})
}
