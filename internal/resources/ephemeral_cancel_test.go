package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// ephemeralCancelBlock is the ephemeral cancel as the docs show it, sent
// only while applying (unless extra sets enabled), with extra argument
// lines, and the check block that reads its result: OpenTofu opens an
// ephemeral resource at apply only when something reads it.
func ephemeralCancelBlock(urn, requestID string, extra ...string) string {
	body := ""
	for _, e := range extra {
		body += "  " + e + "\n"
	}
	if !regexp.MustCompile(`(?m)^\s*enabled\s*=`).MatchString(body) {
		body = "  enabled      = terraform.applying\n" + body
	}
	return fmt.Sprintf(`
ephemeral "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn = %q
  request_id   = %q
%s}
`, urn, requestID, body) + cancelSentCheck
}

// cancelSentCheck is the documented check block: every apply sends the
// cancel, and one that sends none says so.
const cancelSentCheck = `
check "cancel_sent" {
  assert {
    condition     = ephemeral.huaweicloud_fgs_async_invocation_cancel.test.sent == terraform.applying
    error_message = "This apply sent no cancel: enabled was false."
  }
}
`

// noCancelSent is how Terraform and OpenTofu print the check's warning.
const noCancelSent = `Warning: Check block assertion failed.*This apply sent no cancel: enabled was false\.`

// emuCounts is what the emulator has seen so far: cancel requests, accepted
// cancels, and requests of any kind.
type emuCounts struct{ cancels, accepted, requests int64 }

func countsOf(emu *fgsemu.Emulator) emuCounts {
	s := emu.Stats()
	return emuCounts{cancels: s.RequestsByOp[fgsemu.OpCancel], accepted: s.AcceptedCancels, requests: s.Requests}
}

// expectCounts fails the test unless the emulator has seen exactly these
// counts since it started; after says which command had just run.
func expectCounts(t *testing.T, emu *fgsemu.Emulator, after string, want emuCounts) {
	t.Helper()
	if got := countsOf(emu); got != want {
		t.Fatalf("after %s the emulator has seen %+v, want %+v (by op: %v)", after, got, want, emu.Stats().RequestsByOp)
	}
}

// pipelineBlock gives destroy something to destroy, so it plans and walks
// the configuration as it would in a real pipeline.
const pipelineBlock = `
resource "terraform_data" "pipeline" {
  input = "v1"
}
`

// Every command of the ephemeral page's table, one by one through the
// real CLI with the documented configuration, and the cancels each sends:
// the same on Terraform 1.11, 1.14 and OpenTofu.
func TestAsyncInvocationCancelEphemeral_commands(t *testing.T) {
	t.Parallel()
	acctest.SkipWithoutEphemeral(t)
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	cli := acctest.NewCLI(t)
	cli.WriteFile("tests/cancel.tftest.hcl", `
run "plan" {
  command = plan
}

run "apply" {
  command = apply
}
`)
	cli.Configure(acctest.ProviderConfig(emu), ephemeralCancelBlock(urn, id, `wait_for_stop = false`), pipelineBlock)

	var sent int64
	step := func(cancels int64, args ...string) acctest.CLIResult {
		t.Helper()
		res := cli.MustRun(args...)
		before := sent
		if sent = countsOf(emu).cancels; sent-before != cancels {
			t.Fatalf("terraform %s sent %d cancels, want %d\n%s", strings.Join(args, " "), sent-before, cancels, res)
		}
		return res
	}
	step(0, "validate")
	step(0, "plan")
	step(0, "plan", "-out=tfplan")
	res := step(1, "apply", "tfplan")
	expectOnlyCancelSentWarning(t, res, id)
	expectInvocation(t, emu, urn, id, fgsemu.StatusFail)
	// The same configuration again: the cancel is refused as not running,
	// and the status query shows it cancelled.
	res = step(1, "apply", "-auto-approve")
	expectOutput(t, res, `Warning: Invocation Already Cancelled.*Async request ID: `+id+`.*Error code: 4208`)
	// Refresh-only applies open ephemeral resources as applies do.
	step(1, "apply", "-refresh-only", "-auto-approve")
	step(0, "plan", "-refresh-only")
	step(0, "destroy", "-auto-approve")
	// Each run block that applies sends one; plan runs send none.
	res = step(1, "test")
	expectOutput(t, res, `Success! 2 passed, 0 failed`)
	if accepted := countsOf(emu).accepted; accepted != 1 {
		t.Fatalf("the emulator accepted %d cancels, want 1", accepted)
	}
}

// The documented guard for refresh-only applies: with var.cancel false,
// nothing is sent, and the check says so in the run's output.
func TestAsyncInvocationCancelEphemeral_refreshOnlyGuard(t *testing.T) {
	t.Parallel()
	acctest.SkipWithoutEphemeral(t)
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	cli := acctest.NewCLI(t)
	cli.Configure(acctest.ProviderConfig(emu), pipelineBlock, `
variable "cancel" {
  type    = bool
  default = true
}
`, ephemeralCancelBlock(urn, id, `enabled = terraform.applying && var.cancel`, `wait_for_stop = false`))

	cli.MustRun("apply", "-auto-approve", "-var", "cancel=false")
	expectCounts(t, emu, "apply -var cancel=false", emuCounts{})
	res := cli.MustRun("apply", "-refresh-only", "-auto-approve", "-var", "cancel=false")
	expectCounts(t, emu, "apply -refresh-only -var cancel=false", emuCounts{})
	expectOutput(t, res, noCancelSent)
	expectInvocation(t, emu, urn, id, fgsemu.StatusRunning)
	res = cli.MustRun("apply", "-auto-approve")
	expectCounts(t, emu, "apply", emuCounts{cancels: 1, accepted: 1, requests: 1})
	expectOnlyCancelSentWarning(t, res, id)
}

// Why the check block is part of the documented configuration: without
// anything reading the ephemeral resource, Terraform still opens it at apply,
// but OpenTofu 1.12 prunes it and sends nothing (1.11 did not). Should
// OpenTofu change again, this fails and the docs' OpenTofu note must change with it.
func TestAsyncInvocationCancelEphemeral_unreadOnOpenTofu(t *testing.T) {
	t.Parallel()
	acctest.SkipWithoutEphemeral(t)
	runtime, err := acctest.CLIRuntime()
	if err != nil {
		t.Fatal(err)
	}
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	cli := acctest.NewCLI(t)
	cli.Configure(acctest.ProviderConfig(emu), pipelineBlock, fmt.Sprintf(`
ephemeral "huaweicloud_fgs_async_invocation_cancel" "test" {
  enabled       = terraform.applying
  function_urn  = %q
  request_id    = %q
  wait_for_stop = false
}
`, urn, id))
	cli.MustRun("apply", "-auto-approve")
	want := emuCounts{cancels: 1, accepted: 1, requests: 1}
	if runtime.OpenTofu() {
		want = emuCounts{}
	}
	expectCounts(t, emu, "apply on "+runtime.String(), want)
}

// With enabled = false no command sends anything, yet the arguments are
// still checked against the provider.
func TestAsyncInvocationCancelEphemeral_disabledSendsNothing(t *testing.T) {
	t.Parallel()
	acctest.SkipWithoutEphemeral(t)
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	cli := acctest.NewCLI(t)
	cli.Configure(acctest.ProviderConfig(emu), ephemeralCancelBlock(urn, id, `enabled = false`), pipelineBlock)
	for _, args := range [][]string{{"plan"}, {"apply", "-auto-approve"}, {"apply", "-auto-approve"}, {"destroy", "-auto-approve"}} {
		cli.MustRun(args...)
		expectCounts(t, emu, strings.Join(args, " "), emuCounts{})
	}
	expectInvocation(t, emu, urn, id, fgsemu.StatusRunning)

	cli.Configure(acctest.ProviderConfig(emu, `project_id = "ffffffffffffffffffffffffffffffff"`), ephemeralCancelBlock(urn, id, `enabled = false`))
	res := cli.Run("plan")
	if res.Code == 0 {
		t.Fatalf("a project contradicting the URN passed the plan:\n%s", res)
	}
	expectOutput(t, res, `Error: Project ID Contradicts Function URN`)
	expectCounts(t, emu, "a failed plan", emuCounts{})
}

// An invocation that ended before the cancel came is a success, with a
// warning that says so; one the function never had is an error.
func TestAsyncInvocationCancelEphemeral_notRunning(t *testing.T) {
	t.Parallel()
	acctest.SkipWithoutEphemeral(t)
	urn := acctest.FunctionURN("quick")
	clock := acctest.NewClock()
	emu := acctest.StartEmulatorWith(t, fgsemu.Options{Now: clock.Now}, fgsemu.Function{URN: urn, RunFor: time.Minute})
	id := acctest.Invoke(t, emu, urn)
	endOnItsOwn(t, clock, emu, urn, id, time.Minute)
	cli := acctest.NewCLI(t)

	cli.Configure(acctest.ProviderConfig(emu), ephemeralCancelBlock(urn, id))
	res := cli.MustRun("apply", "-auto-approve")
	expectOutput(t, res, `Warning: Invocation Had Already Ended.*ended on its own with status SUCCESS.*Nothing was cancelled.*Async request ID: `+id)
	expectCounts(t, emu, "apply", emuCounts{cancels: 1, accepted: 0, requests: 2})

	cli.Configure(acctest.ProviderConfig(emu), ephemeralCancelBlock(urn, "no-such-request"))
	res = cli.Run("apply", "-auto-approve")
	if res.Code == 0 {
		t.Fatalf("cancelling an unknown request succeeded:\n%s", res)
	}
	expectOutput(t, res, `Error: Failed to Cancel Async Invocation: Invocation Cannot Be Cancelled.*no-such-request.*not listed`)
	expectCounts(t, emu, "apply", emuCounts{cancels: 2, accepted: 0, requests: 4})
}

func expectInvocation(t *testing.T, emu *fgsemu.Emulator, urn, id, status string) {
	t.Helper()
	if err := expectInvocationStatus(emu, urn, id, status)(nil); err != nil {
		t.Fatal(err)
	}
}

// endOnItsOwn moves the emulator's clock on by runFor, the function's run
// time, and checks that the invocation has then ended with SUCCESS; a
// function that runs until stopped (runFor 0) is left alone.
func endOnItsOwn(t *testing.T, clock *acctest.Clock, emu *fgsemu.Emulator, urn, id string, runFor time.Duration) {
	t.Helper()
	if runFor == 0 {
		return
	}
	clock.Advance(runFor)
	expectInvocation(t, emu, urn, id, fgsemu.StatusSuccess)
}

// The result, seen through the echo provider: the only way to look at an
// ephemeral value from a test.

const echoAddr = "echo.result"

func ephemeralFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	f := acctest.ProviderFactories()
	f["echo"] = echoprovider.NewProviderServer()
	return f
}

// echoConfig passes the ephemeral cancel's result into echo resources,
// which keep it in state where checks can read it. A resource keeps what
// the apply that created it saw, so each step names a new one.
func echoConfig(emu *fgsemu.Emulator, cancel string, echoes ...string) string {
	cfg := acctest.ProviderConfig(emu) + cancel + `
provider "echo" {
  data = ephemeral.huaweicloud_fgs_async_invocation_cancel.test
}
`
	for _, name := range echoes {
		cfg += fmt.Sprintf("\nresource \"echo\" %q {}\n", name)
	}
	return cfg
}

// expectResult checks the result attributes an echo resource holds.
func expectResult(addr string, want map[string]knownvalue.Check) []statecheck.StateCheck {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	checks := make([]statecheck.StateCheck, 0, len(want))
	for _, k := range keys {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New("data").AtMapKey(k), want[k]))
	}
	return checks
}

// countsAtPlan is a plan check: the emulator's counts when the plan is done.
type countsAtPlan struct {
	emu  *fgsemu.Emulator
	want emuCounts
}

func (c countsAtPlan) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if got := countsOf(c.emu); got != c.want {
		resp.Error = fmt.Errorf("after the plan the emulator has seen %+v, want %+v", got, c.want)
	}
}

func expectStepCounts(emu *fgsemu.Emulator, want emuCounts) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := countsOf(emu); got != want {
			return fmt.Errorf("the emulator has seen %+v, want %+v (by op: %v)", got, want, emu.Stats().RequestsByOp)
		}
		return nil
	}
}

var (
	apiRequestIDValue = knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`))
	ephemeralVersions = acctest.RunsEphemeral
)

// destroyCounts is what the emulator has seen after plugin-testing's
// destroy of an echo configuration: on Terraform what the applies sent, on
// OpenTofu one cancel more, since OpenTofu opens the ephemeral resource that
// the echo provider's block reads while destroying, with terraform.applying
// true. (The documented configuration reads it in a check block only, and
// its destroy sends nothing on either: TestAsyncInvocationCancelEphemeral_commands.)
func destroyCounts(t *testing.T, terraform, openTofu emuCounts) emuCounts {
	t.Helper()
	runtime, err := acctest.CLIRuntime()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.OpenTofu() && openTofu != (emuCounts{}) {
		return openTofu
	}
	return terraform
}

// A plan sends nothing, its apply sends one cancel and returns the result;
// the next apply finds the invocation cancelled; destroy sends nothing.
func TestAsyncInvocationCancelEphemeral_result(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	cancel := ephemeralCancelBlock(urn, id, `type = "force"`)
	cancelledResult := func(apiRequestID knownvalue.Check) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{
			"sent": knownvalue.Bool(true), "cancelled": knownvalue.Bool(true), "api_request_id": apiRequestID,
			"final_status": knownvalue.StringExact("FAIL"), "final_error_code": knownvalue.StringExact("4208"),
			"final_error_message": knownvalue.StringExact("function invocation canceled"),
			"request_id":          knownvalue.StringExact(id), "enabled": knownvalue.Bool(true),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralVersions,
		ProtoV6ProviderFactories: ephemeralFactories(),
		// On OpenTofu the destroy sends the cancel once more (see destroyCounts).
		CheckDestroy: expectStepCounts(emu, destroyCounts(t,
			emuCounts{cancels: 2, accepted: 1, requests: 4}, emuCounts{cancels: 3, accepted: 1, requests: 6})),
		Steps: []resource.TestStep{
			{
				Config: echoConfig(emu, cancel, "result"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{countsAtPlan{emu, emuCounts{}}},
				},
				ConfigStateChecks: expectResult(echoAddr, cancelledResult(apiRequestIDValue)),
				Check: resource.ComposeTestCheckFunc(
					expectStepCounts(emu, emuCounts{cancels: 1, accepted: 1, requests: 2}),
					expectInvocationStatus(emu, urn, id, "FAIL"),
				),
			},
			{
				// The plans after the first apply sent nothing; this apply
				// finds the invocation already cancelled, and no answer accepted it.
				Config: echoConfig(emu, cancel, "result", "second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{countsAtPlan{emu, emuCounts{cancels: 1, accepted: 1, requests: 2}}},
				},
				ConfigStateChecks: expectResult("echo.second", cancelledResult(knownvalue.Null())),
				Check:             expectStepCounts(emu, emuCounts{cancels: 2, accepted: 1, requests: 4}),
			},
		},
	})
}

// One apply of the ephemeral cancel in each situation: the result it
// returns, what the emulator saw, and that destroy sends nothing more.
func TestAsyncInvocationCancelEphemeral_results(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		function fgsemu.Function
		// setup runs once the invocation exists, before the apply.
		setup  func(t *testing.T, emu *fgsemu.Emulator, urn, id string)
		extra  []string
		want   map[string]knownvalue.Check
		counts emuCounts
		// destroyedOnOpenTofu: the counts after the destroy on OpenTofu (see destroyCounts).
		destroyedOnOpenTofu emuCounts
		status              string // if set, the invocation's status after the apply
	}{
		{
			name:     "without waiting: no final status, and no status queried",
			function: fgsemu.Function{URN: acctest.FunctionURN("stuck"), NeverStops: true},
			extra:    []string{`wait_for_stop = false`},
			want: map[string]knownvalue.Check{
				"sent": knownvalue.Bool(true), "cancelled": knownvalue.Bool(true), "api_request_id": apiRequestIDValue,
				"final_status": knownvalue.Null(), "final_error_code": knownvalue.Null(), "final_error_message": knownvalue.Null(),
			},
			counts:              emuCounts{cancels: 1, accepted: 1, requests: 1},
			destroyedOnOpenTofu: emuCounts{cancels: 2, accepted: 2, requests: 2},
		},
		{
			name:     "enabled = false: nothing is sent, and the result says so",
			function: fgsemu.Function{URN: acctest.FunctionURN("hello")},
			extra:    []string{`enabled = false`},
			want: map[string]knownvalue.Check{
				"sent": knownvalue.Bool(false), "cancelled": knownvalue.Bool(false), "api_request_id": knownvalue.Null(),
				"final_status": knownvalue.Null(), "enabled": knownvalue.Bool(false),
			},
			status: "RUNNING",
		},
		{
			name:     "ended on its own: success, not cancelled, and the status it ended with",
			function: fgsemu.Function{URN: acctest.FunctionURN("quick"), RunFor: time.Minute},
			want: map[string]knownvalue.Check{
				"sent": knownvalue.Bool(true), "cancelled": knownvalue.Bool(false), "api_request_id": knownvalue.Null(),
				"final_status": knownvalue.StringExact("SUCCESS"), "final_error_code": knownvalue.StringExact(""),
			},
			counts:              emuCounts{cancels: 1, accepted: 0, requests: 2},
			destroyedOnOpenTofu: emuCounts{cancels: 2, accepted: 0, requests: 4},
		},
		{
			name:     "answer lost: confirmed through the status, sent twice, accepted once",
			function: fgsemu.Function{URN: acctest.FunctionURN("hello")},
			setup: func(t *testing.T, emu *fgsemu.Emulator, _, _ string) {
				if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Times: 1, Drop: fgsemu.DropAfter}); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]knownvalue.Check{
				"sent": knownvalue.Bool(true), "cancelled": knownvalue.Bool(true), "final_status": knownvalue.StringExact("FAIL"),
			},
			counts:              emuCounts{cancels: 2, accepted: 1, requests: 3},
			destroyedOnOpenTofu: emuCounts{cancels: 3, accepted: 1, requests: 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			urn := tt.function.URN
			clock := acctest.NewClock()
			emu := acctest.StartEmulatorWith(t, fgsemu.Options{Now: clock.Now}, tt.function)
			id := acctest.Invoke(t, emu, urn)
			endOnItsOwn(t, clock, emu, urn, id, tt.function.RunFor)
			if tt.setup != nil {
				tt.setup(t, emu, urn, id)
			}
			check := expectStepCounts(emu, tt.counts)
			if tt.status != "" {
				check = resource.ComposeTestCheckFunc(check, expectInvocationStatus(emu, urn, id, tt.status))
			}
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   ephemeralVersions,
				ProtoV6ProviderFactories: ephemeralFactories(),
				CheckDestroy:             expectStepCounts(emu, destroyCounts(t, tt.counts, tt.destroyedOnOpenTofu)),
				Steps: []resource.TestStep{{
					Config:            echoConfig(emu, ephemeralCancelBlock(urn, id, tt.extra...), "result"),
					ConfigStateChecks: expectResult(echoAddr, tt.want),
					Check:             check,
				}},
			})
		})
	}
}

// Arguments unknown at plan are checked and sent once known, at apply.
func TestAsyncInvocationCancelEphemeral_unknownAtPlan(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralVersions,
		ProtoV6ProviderFactories: ephemeralFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "invocation" {
  input = { urn = %q, id = %q }
}
`, urn, id) + echoConfig(emu, `
ephemeral "huaweicloud_fgs_async_invocation_cancel" "test" {
  enabled      = terraform.applying
  function_urn = terraform_data.invocation.output.urn
  request_id   = terraform_data.invocation.output.id
}
`, "result"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{countsAtPlan{emu, emuCounts{}}},
			},
			ConfigStateChecks: expectResult(echoAddr, map[string]knownvalue.Check{"cancelled": knownvalue.Bool(true)}),
			Check:             expectStepCounts(emu, emuCounts{cancels: 1, accepted: 1, requests: 2}),
		}},
	})
}

// Every way the API can fail ends the apply in its own diagnostic.
func TestAsyncInvocationCancelEphemeral_apiErrors(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	tests := []struct {
		name      string
		fault     *fgsemu.Fault
		requestID string // empty: a running invocation's
		urn       string // empty: the emulator's function
		provider  []string
		extra     []string
		wantError string
		cancels   int64 // cancel requests the emulator must have seen
	}{
		{name: "unknown request FSS.0400", requestID: "no-such-request",
			wantError: `Failed to Cancel Async Invocation: Invocation Cannot Be Cancelled.*no-such-request.*HTTP status: 400.*Error code: FSS\.0400`, cancels: 1},
		{name: "forbidden 403", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 403, Body: `{"error_code":"FSS.0403","error_msg":"invalid token"}`},
			wantError: `Failed to Cancel Async Invocation: Access Denied.*HTTP status: 403.*FSS\.0403`, cancels: 1},
		{name: "unknown function 404", urn: acctest.FunctionURN("missing"),
			wantError: `Failed to Cancel Async Invocation: Function Not Found.*HTTP status: 404`, cancels: 1},
		{name: "throttled past the timeout", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 429, RetryAfter: "0", Body: `{"error_code":"APIGW.0308","error_msg":"throttled"}`},
			provider: []string{"max_retries = 1"}, extra: []string{`timeout = "2s"`},
			wantError: `Failed to Cancel Async Invocation: Throttled Until the Timeout.*no quota stated.*within its timeout of 2s.*do not use up max_retries.*Give it more time \(timeout\).*higher API Gateway quota.*HTTP status: 429.*Throttled answers: 1`, cancels: 1},
		{name: "server error 500", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 500, Body: `{"error_code":"FSS.0500","error_msg":"internal"}`},
			provider: []string{"max_retries = 2"}, wantError: `Failed to Cancel Async Invocation: FunctionGraph Server Error.*Attempts: 3`, cancels: 3},
		{name: "html garbage", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedHTML},
			wantError: `Failed to Cancel Async Invocation: Unreadable Answer`, cancels: 1},
		{name: "truncated json", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedTruncated, Status: 200},
			wantError: `Failed to Cancel Async Invocation: Unreadable Answer`, cancels: 1},
		{name: "answers lost", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Drop: fgsemu.DropBefore},
			provider: []string{"max_retries = 1"}, wantError: `Failed to Cancel Async Invocation: Cannot Reach FunctionGraph.*Attempts: 2`, cancels: 2},
		{name: "never answers", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Hang: true}, extra: []string{`timeout = "2s"`},
			wantError: `Failed to Cancel Async Invocation: Timed Out.*within its timeout of 2s.*Raise timeout`, cancels: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu, requestID, target := startFaultCase(t, urn, tt.fault, tt.requestID, tt.urn)
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   ephemeralVersions,
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig(emu, tt.provider...) + ephemeralCancelBlock(target, requestID, tt.extra...) + pipelineBlock,
					ExpectError: acctest.ErrorPattern(tt.wantError),
				}},
				CheckDestroy: func(*terraform.State) error {
					s := emu.Stats()
					if s.RequestsByOp[fgsemu.OpCancel] != tt.cancels || s.AcceptedCancels != 0 {
						return fmt.Errorf("emulator saw %d cancel requests (%d accepted), want %d (none accepted)",
							s.RequestsByOp[fgsemu.OpCancel], s.AcceptedCancels, tt.cancels)
					}
					return nil
				},
			})
		})
	}
}

// Bad input fails at plan, with the argument to blame, and nothing is sent.
func TestAsyncInvocationCancelEphemeral_invalidInputFailsAtPlan(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	const requestID = "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"
	tests := []struct {
		name      string
		provider  []string
		noFGS     bool // a provider without endpoints.fgs
		urn       string
		requestID string
		extra     []string
		wantError string
	}{
		{name: "malformed urn", urn: "urn:fss:cn-north-4:function:hello", wantError: `Invalid Function URN.*function_urn.*has 5 colon-separated parts`},
		{name: "request id with space", requestID: "abc def", wantError: `Invalid Request ID.*request_id.*white space`},
		{name: "unknown type", extra: []string{`type = "soft"`}, wantError: `Invalid Cancel Type.*type "soft" is not one of "force" or "recursive"`},
		{name: "region contradicts urn", extra: []string{`region = "ap-southeast-1"`}, wantError: `Region Contradicts Function URN.*"ap-southeast-1".*"cn-north-4"`},
		{name: "bad timeout", extra: []string{`timeout = "soon"`}, wantError: `Invalid Timeout.*timeout is "soon", which is not a duration`},
		{name: "enabled missing", extra: []string{`enabled = null`}, wantError: `Missing Configuration for Required Attribute.*enabled = null`},
		{name: "project contradicts provider", provider: []string{`project_id = "ffffffffffffffffffffffffffffffff"`},
			wantError: `Project ID Contradicts Function URN.*"ffffffffffffffffffffffffffffffff"`},
		{name: "urn region without endpoint", noFGS: true, urn: "urn:fss:xx-nowhere-1:" + acctest.ProjectID + ":function:default:hello",
			wantError: `No Endpoint for the Function's Region.*"xx-nowhere-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
			id, target := tt.requestID, tt.urn
			if id == "" {
				id = requestID
			}
			if target == "" {
				target = urn
			}
			providerBlock := acctest.ProviderConfig(emu, tt.provider...)
			if tt.noFGS {
				providerBlock = fmt.Sprintf("provider \"huaweicloud\" {\n  access_key = %q\n  secret_key = %q\n}\n", acctest.AccessKey, acctest.SecretKey)
			}
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   ephemeralVersions,
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      providerBlock + ephemeralCancelBlock(target, id, tt.extra...),
					PlanOnly:    true,
					ExpectError: acctest.ErrorPattern(tt.wantError),
				}},
			})
			if got := emu.Stats().Requests; got != 0 {
				t.Fatalf("the emulator received %d requests; bad input must not reach the API", got)
			}
		})
	}
}

// Ctrl-C (the context ending) stops a hanging cancel: the call ends as
// interrupted, not by a timeout (the attempt's 30 s, the default 5 m), so
// the interrupt is what ended it; no wall-clock bound is needed.
func TestAsyncInvocationCancelEphemeral_interruptReturnsPromptly(t *testing.T) {
	t.Parallel()
	f := newActionFixture(t, nil)
	id := acctest.Invoke(t, f.emu, f.urn)
	if err := f.emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Hang: true}); err != nil {
		t.Fatal(err)
	}
	cfg := f.p.EphemeralConfig(cancelActionType, map[string]tftypes.Value{
		"enabled": tftypes.NewValue(tftypes.Bool, true), "function_urn": acctest.String(f.urn), "request_id": acctest.String(id),
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	resp, err := f.p.Server.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{TypeName: cancelActionType, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if !hasError(resp.Diagnostics) || !regexp.MustCompile(`Interrupted`).MatchString(diagText(resp.Diagnostics)) {
		t.Fatalf("diagnostics: %s", diagText(resp.Diagnostics))
	}
}

// The ephemeral resource takes the action's arguments, plus enabled, and
// every attribute is described for the docs.
func TestAsyncInvocationCancelEphemeral_schema(t *testing.T) {
	t.Parallel()
	p := acctest.NewProtocolProvider(t)
	resp, err := p.Server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := resp.EphemeralResourceSchemas[cancelActionType]
	if !ok {
		t.Fatalf("the provider serves no ephemeral resource %q", cancelActionType)
	}
	kinds := func(attrs []*tfprotov6.SchemaAttribute) map[string]string {
		got := map[string]string{}
		for _, a := range attrs {
			switch {
			case a.Required:
				got[a.Name] = "required"
			case a.Optional:
				got[a.Name] = "optional"
			default:
				got[a.Name] = "computed"
			}
			if a.Description == "" {
				t.Errorf("attribute %s has no description", a.Name)
			}
		}
		return got
	}
	got := kinds(s.Block.Attributes)
	want := kinds(p.ActionSchema(cancelActionType).Schema.Block.Attributes)
	want["enabled"] = "required"
	for _, name := range []string{"sent", "cancelled", "api_request_id", "final_status", "final_error_code", "final_error_message"} {
		want[name] = "computed"
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ephemeral attributes %v, want %v", got, want)
	}
	if !strings.Contains(s.Block.Description, "terraform.applying") {
		t.Fatalf("the description does not say to use terraform.applying: %q", s.Block.Description)
	}
}

// expectOnlyCancelSentWarning checks that an apply whose cancel was accepted
// says so, once, with the request ID and the answer's X-Request-Id, and
// warns of nothing else.
func expectOnlyCancelSentWarning(t *testing.T, res acctest.CLIResult, id string) {
	t.Helper()
	expectOutput(t, res, `Warning: Async Invocation Cancel Sent.*FunctionGraph accepted the cancel.*Async request ID: `+id+`.*X-Request-Id: \S+`)
	if n := strings.Count(res.Output, "Warning:"); n != 1 {
		t.Fatalf("the apply that cancelled printed %d warnings, want only the one that says the cancel was sent:\n%s", n, res)
	}
}
