package resources_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// shapeCounts is what the emulator saw during the apply: cancel requests,
// accepted cancels, status queries, and requests of any kind.
type shapeCounts struct{ cancels, accepted, lists, requests int64 }

func shapeCountsOf(s fgsemu.Stats) shapeCounts {
	return shapeCounts{s.RequestsByOp[fgsemu.OpCancel], s.AcceptedCancels, s.RequestsByOp[fgsemu.OpList], s.Requests}
}

// shapeOutcome is what one apply ends in: whether it fails, the provider's
// diagnostics ("Severity: Title [argument blamed]"), and what was sent.
type shapeOutcome struct {
	fails  bool
	diags  []string
	counts shapeCounts
	// listsVary: the status queries of an interrupted wait depend on when
	// the interrupt came, so only cancels and acceptances are compared.
	listsVary bool
}

// shapeCase is one input, run through every shape.
type shapeCase struct {
	name     string
	function fgsemu.Function // its URN is set by the table
	provider func(emu *fgsemu.Emulator) string
	// prepare readies the emulator and returns the request ID to cancel.
	prepare func(t *testing.T, emu *fgsemu.Emulator, urn string) string
	args    func(urn, id string) shapeArgs
	later   bool // add terraform_data.later, whose output is known only at apply
	// interruptWhen: Ctrl-C once an answer leaves the emulator's counts so
	// (and an action has shown its shape's waitShown).
	interruptWhen func(fgsemu.Stats) bool
	// invoke runs an action with apply -invoke instead of an action_trigger.
	invoke bool
	// recorded: a shape with state keeps the accepted cancel in a record
	// that is not tainted, so no later apply sends it again.
	recorded bool
	want     shapeOutcome
	// per: the outcome of a shape that differs, each with why.
	per map[string]shapeOutcome
}

const neverInvoked = "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"

// cancelledOutcome is a running invocation cancelled and seen stopped: one
// cancel, accepted, and one status query.
var cancelledOutcome = shapeOutcome{counts: shapeCounts{cancels: 1, accepted: 1, lists: 1, requests: 2}}

// bulkCancelled is cancelledOutcome for the bulk, which waits by listing what is
// still WAIT and then RUNNING (two queries a round, for any number of IDs)
// where the single cancel asks for its one request ID.
var bulkCancelled = shapeOutcome{counts: shapeCounts{cancels: 1, accepted: 1, lists: 2, requests: 3}}

// eachCancelled is cancelledOutcome, with the bulk's way of waiting.
var eachCancelled = map[string]shapeOutcome{"bulk_resource": bulkCancelled, "bulk_action": bulkCancelled}

// refusedAtPlan is an input refused before anything is sent.
func refusedAtPlan(diag string) shapeOutcome { return shapeOutcome{fails: true, diags: []string{diag}} }

// forBulk gives both bulk shapes the outcome.
func forBulk(o shapeOutcome) map[string]shapeOutcome {
	return map[string]shapeOutcome{"bulk_resource": o, "bulk_action": o}
}

// inputCases are inputs checked before anything is sent, and values known
// only at apply, which must not be judged before.
func inputCases() []shapeCase {
	unknownAtPlan := func(name string, set func(a *shapeArgs)) shapeCase {
		return shapeCase{name: "unknown " + name, later: true, args: withArgs(set), want: cancelledOutcome, per: eachCancelled}
	}
	timeoutRefused := refusedAtPlan("Error: Invalid Timeout [timeout]")
	return []shapeCase{
		{name: "running invocation", want: cancelledOutcome, per: eachCancelled},
		unknownAtPlan("function_urn", func(a *shapeArgs) { a.urn = knownAtApply + "urn" }),
		unknownAtPlan("request_id", func(a *shapeArgs) { a.requestID = knownAtApply + "id" }),
		unknownAtPlan("region", func(a *shapeArgs) { a.region = knownAtApply + "region" }),
		unknownAtPlan("timeout", func(a *shapeArgs) { a.timeout = knownAtApply + "timeout" }),
		unknownAtPlan("type", func(a *shapeArgs) { a.cancelType = knownAtApply + "type" }),
		unknownAtPlan("wait_for_stop", func(a *shapeArgs) { a.waitForStop = knownAtApply + "wait" }),
		unknownAtPlan("together", func(a *shapeArgs) {
			*a = shapeArgs{urn: knownAtApply + "urn", requestID: knownAtApply + "id", region: knownAtApply + "region",
				timeout: knownAtApply + "timeout", cancelType: knownAtApply + "type", waitForStop: knownAtApply + "wait"}
		}),
		{name: "malformed urn", args: withArgs(func(a *shapeArgs) { a.urn = `"urn:fss:cn-north-4:function:hello"` }),
			want: refusedAtPlan("Error: Invalid Function URN [function_urn]")},
		{name: "region contradicts urn", args: withArgs(func(a *shapeArgs) { a.region = `"ap-southeast-1"` }),
			want: refusedAtPlan("Error: Region Contradicts Function URN [region]")},
		{name: "zero timeout", args: withArgs(func(a *shapeArgs) { a.timeout = `"0s"` }), want: timeoutRefused},
		{name: "negative timeout", args: withArgs(func(a *shapeArgs) { a.timeout = `"-1s"` }), want: timeoutRefused},
		{name: "empty request id", args: withArgs(func(a *shapeArgs) { a.requestID = `""` }),
			want: refusedAtPlan("Error: Invalid Request ID [request_id]")},
		// request_id is required, so Terraform refuses its null before the
		// provider sees it; request_ids is a list whose element the provider checks.
		{name: "null request id", args: withArgs(func(a *shapeArgs) { a.requestID = `null` }),
			want: refusedAtPlan("Error: Missing Configuration for Required Attribute [request_id]"),
			per:  forBulk(refusedAtPlan("Error: Invalid Request ID [request_id]"))},
		{name: "missing credentials", provider: func(emu *fgsemu.Emulator) string {
			return fmt.Sprintf("provider \"huaweicloud\" {\n  region = %q\n  endpoints = {\n    fgs = %q\n  }\n}\n", acctest.Region, emu.URL())
		}, want: refusedAtPlan("Error: Missing Huawei Cloud Credentials")},
		{name: "urn region without endpoint", provider: func(*fgsemu.Emulator) string {
			return fmt.Sprintf("provider \"huaweicloud\" {\n  access_key = %q\n  secret_key = %q\n}\n", acctest.AccessKey, acctest.SecretKey)
		}, args: withArgs(func(a *shapeArgs) {
			a.urn = fmt.Sprintf("%q", "urn:fss:xx-nowhere-1:"+acctest.ProjectID+":function:default:hello:latest")
		}), want: refusedAtPlan("Error: No Endpoint for the Function's Region [function_urn]")},
	}
}

// answerCases are what FunctionGraph answers a well-formed cancel, and Ctrl-C.
func answerCases() []shapeCase {
	// A bulk's title counts its failures, and carries the single cancel's
	// reason when every failure shares it.
	refusedAPI := func(name, reason string, counts shapeCounts) shapeCase {
		return shapeCase{name: name,
			want: shapeOutcome{fails: true, diags: []string{"Error: Failed to Cancel Async Invocation: " + reason}, counts: counts},
			per:  forBulk(shapeOutcome{fails: true, diags: []string{"Error: Failed to Cancel 1 of 1 Async Invocation: " + reason}, counts: counts})}
	}
	forbidden := refusedAPI("403", "Access Denied", shapeCounts{cancels: 1, requests: 1})
	forbidden.prepare = func(t *testing.T, emu *fgsemu.Emulator, urn string) string {
		if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Status: 403, Body: `{"error_code":"FSS.0403","error_msg":"invalid token"}`}); err != nil {
			t.Fatal(err)
		}
		return acctest.Invoke(t, emu, urn)
	}
	neverHad := refusedAPI("request id never had", "Invocation Cannot Be Cancelled", shapeCounts{cancels: 1, lists: 1, requests: 2})
	neverHad.prepare = func(*testing.T, *fgsemu.Emulator, string) string { return neverInvoked }
	notRunning := shapeCounts{cancels: 1, lists: 1, requests: 2}
	// An interrupted wait: the accepted cancel stands. The resources record
	// it (stop_pending, stop_pending_request_ids) and warn; the ephemeral and
	// the actions have no state to keep it in, so the apply fails, saying
	// the cancel was accepted.
	interrupted := shapeOutcome{fails: true, diags: []string{"Error: Interrupted While Waiting for the Invocation to Stop"},
		counts: shapeCounts{cancels: 1, accepted: 1}, listsVary: true}
	interruptedResource := interrupted
	interruptedResource.diags = []string{"Warning: Interrupted While Waiting for the Invocation to Stop"}
	// A wait the timeout ends: as interrupted, under the title of what was seen.
	stillRunning := shapeOutcome{fails: true, diags: []string{"Error: Invocation Still Running After Cancel"},
		counts: shapeCounts{cancels: 1, accepted: 1}, listsVary: true}
	stillRunningResource := stillRunning
	stillRunningResource.fails, stillRunningResource.diags = false, []string{"Warning: Invocation Still Running After Cancel"}
	return []shapeCase{
		forbidden,
		neverHad,
		{name: "already cancelled", prepare: func(t *testing.T, emu *fgsemu.Emulator, urn string) string {
			id := acctest.Invoke(t, emu, urn)
			cancelOutsideTerraform(t, emu, urn, id)
			return id
		}, want: shapeOutcome{diags: []string{"Warning: Invocation Already Cancelled"}, counts: notRunning}},
		{name: "ended on its own", function: fgsemu.Function{RunFor: time.Hour}, prepare: func(t *testing.T, emu *fgsemu.Emulator, urn string) string {
			id, err := emu.InvokeStartedAt(urn, time.Now().Add(-2*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return id
		}, want: shapeOutcome{diags: []string{"Warning: Invocation Had Already Ended"}, counts: notRunning}},
		// An action is invoked directly here: Terraform 1.14.9 can crash
		// ("range function continued iteration") when interrupted while a
		// triggered action runs.
		{name: "ctrl-c while waiting", function: fgsemu.Function{StopDelay: time.Hour}, invoke: true, recorded: true,
			interruptWhen: func(s fgsemu.Stats) bool { return s.AcceptedCancels > 0 && s.RequestsByOp[fgsemu.OpList] > 0 },
			want:          interrupted,
			per:           map[string]shapeOutcome{"resource": interruptedResource, "bulk_resource": interruptedResource}},
		{name: "timeout while waiting", function: fgsemu.Function{StopDelay: time.Hour}, recorded: true,
			args: withArgs(func(a *shapeArgs) { a.timeout = `"3s"` }), want: stillRunning,
			per: map[string]shapeOutcome{"resource": stillRunningResource, "bulk_resource": stillRunningResource}},
	}
}

// cancelOutsideTerraform cancels an invocation as another tool would.
func cancelOutsideTerraform(t *testing.T, emu *fgsemu.Emulator, urn, id string) {
	t.Helper()
	client, err := fgs.New(fgs.Config{Credentials: fgs.Credentials{AccessKey: acctest.AccessKey, SecretKey: acctest.SecretKey}, EndpointOverride: emu.URL()})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := fgs.ParseURN(urn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Cancel(context.Background(), fgs.CancelRequest{URN: parsed, RequestID: id}); err != nil {
		t.Fatal(err)
	}
}

// Every shape of the cancel answers the same input the same way: the same
// diagnostic, blaming the same argument, after the same requests. Each
// (case, shape) is one apply through the real CLI against its own emulator.
func TestCancelShapes(t *testing.T) {
	t.Parallel()
	for _, c := range append(inputCases(), answerCases()...) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, s := range cancelShapes {
				t.Run(s.name, func(t *testing.T) {
					t.Parallel()
					skipUnlessShapeRuns(t, s)
					runShapeCase(t, c, s)
				})
			}
		})
	}
}

func runShapeCase(t *testing.T, c shapeCase, s cancelShape) {
	urn := acctest.FunctionURN("shape")
	fn := c.function
	fn.URN = urn
	// moment is closed by the emulator once, after the run began, an answer
	// leaves counts that satisfy interruptWhen.
	moment, armed, closeMoment := make(chan struct{}), atomic.Bool{}, sync.Once{}
	opts := fgsemu.Options{}
	if c.interruptWhen != nil {
		opts.Observe = func(m fgsemu.Moment, st fgsemu.Stats) {
			if m == fgsemu.Answered && armed.Load() && c.interruptWhen(st) {
				closeMoment.Do(func() { close(moment) })
			}
		}
	}
	emu := acctest.StartEmulatorWith(t, opts, fn)
	id := ""
	if c.prepare != nil {
		id = c.prepare(t, emu, urn)
	} else {
		id = acctest.Invoke(t, emu, urn)
	}
	emu.ResetStats()
	providerBlock := acctest.ProviderConfig(emu)
	if c.provider != nil {
		providerBlock = c.provider(emu)
	}
	args := knownArgs(urn, id)
	if c.args != nil {
		args = c.args(urn, id)
	}
	invoke := c.invoke && s.action
	blocks := []string{providerBlock, s.config(args, !invoke)}
	if c.later {
		blocks = append(blocks, laterBlock(urn, id))
	}
	w := newShapeWorkspace(t)
	w.configure(blocks...)
	var interrupt *interruptPoint
	if c.interruptWhen != nil {
		interrupt = &interruptPoint{moment: moment, shown: s.waitShown}
		armed.Store(true)
	}
	cmd := []string{"apply", "-auto-approve", "-input=false"}
	if invoke {
		cmd = append(cmd, "-invoke=action."+s.typeName+".test")
	}
	res := w.run(interrupt, cmd...)

	c.outcomeFor(s).check(t, s, res, shapeCountsOf(emu.Stats()))
	if c.recorded && !s.action && !s.ephemeral {
		checkRecorded(t, w, s, id)
	}
}

// checkRecorded fails the test unless an untainted state records the
// accepted cancel of id, pending its stop, which the next apply waits for
// again: stop_pending in the single resource, stop_pending_request_ids in the bulk.
func checkRecorded(t *testing.T, w *shapeWorkspace, s cancelShape, id string) {
	t.Helper()
	res := w.run(nil, "show", "-json")
	var st tfjson.State
	if err := json.Unmarshal([]byte(res.Output), &st); res.Code != 0 || err != nil || st.Values == nil {
		t.Fatalf("%s: reading the state: %v\n%s", s.name, err, res)
	}
	for _, r := range st.Values.RootModule.Resources {
		if r.Address != s.typeName+".test" {
			continue
		}
		kept := r.AttributeValues["stop_pending"] == true && r.AttributeValues["cancelled"] == true
		if s.bulk {
			ids, _ := r.AttributeValues["cancelled_request_ids"].([]any)
			pending, _ := r.AttributeValues["stop_pending_request_ids"].([]any)
			kept = len(ids) == 1 && ids[0] == id && len(pending) == 1 && pending[0] == id
		}
		if !kept || r.Tainted {
			t.Errorf("%s: the accepted cancel is not kept in an untainted record (tainted=%v): %v", s.name, r.Tainted, r.AttributeValues)
		}
		return
	}
	t.Errorf("%s: no %s.test in the state:\n%s", s.name, s.typeName, res.Output)
}

// outcomeFor is the case's outcome for the shape. The ephemeral cancel
// warns "Async Invocation Cancel Sent" whenever a cancel is accepted: with
// no state, that warning is its only record of it.
func (c shapeCase) outcomeFor(s cancelShape) shapeOutcome {
	want := c.want
	if o, ok := c.per[s.name]; ok {
		want = o
	}
	if s.ephemeral && want.counts.accepted > 0 {
		want.diags = append([]string{"Warning: Async Invocation Cancel Sent"}, want.diags...)
	}
	return want
}

// check fails the test unless the apply ended as wanted.
func (want shapeOutcome) check(t *testing.T, s cancelShape, res acctest.CLIResult, got shapeCounts) {
	t.Helper()
	if want.listsVary {
		got.lists, got.requests = 0, 0
	}
	diags := parseDiagnostics(res.Output)
	ok := (res.Code != 0) == want.fails && got == want.counts && len(diags) == len(want.diags)
	for i := 0; ok && i < len(diags); i++ {
		severity, title, blamed := splitWantDiagnostic(want.diags[i], s)
		ok = diags[i].matches(severity, title, blamed)
	}
	if !ok {
		t.Errorf("%s:\n got fails=%v diags=%v counts=%+v\nwant fails=%v diags=%q counts=%+v\n%s",
			s.name, res.Code != 0, diags, got, want.fails, want.diags, want.counts, res)
	}
}

// splitWantDiagnostic reads "Severity: Title [argument]" for the shape: its
// timeout is timeouts.create in a resource, its request ID request_ids in a bulk.
func splitWantDiagnostic(want string, s cancelShape) (severity, title, blamed string) {
	severity, title, _ = strings.Cut(want, ": ")
	if i := strings.LastIndex(title, " ["); i >= 0 && strings.HasSuffix(title, "]") {
		title, blamed = title[:i], title[i+2:len(title)-1]
	}
	switch blamed {
	case "timeout":
		blamed = s.timeoutArg()
	case "request_id":
		blamed = s.requestIDArg()
	}
	return severity, title, blamed
}
