package reliability

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// What the record and the output say in workflows off the happy path, as a
// user sees them: the real binary, the real Terraform CLI, the emulator.

// Destroying many records sends nothing and prints no warning per record.
func TestRecords_destroyIsQuiet(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("report")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	ids, err := emu.InvokeN(urn, 3)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu), cancelBlock("a", urn, ids[0]), cancelBlock("b", urn, ids[1]), cancelBlock("c", urn, ids[2]))
	w.init()
	w.mustSucceed(w.apply())
	before := emu.Stats().Requests
	res := w.mustSucceed(w.run("destroy", "-auto-approve", "-no-color", "-input=false"))
	expectOutput(t, res, `Destroy complete! Resources: 3 destroyed`)
	if strings.Contains(res.output(), "Warning") {
		t.Fatalf("destroy printed a warning:\n%s", res)
	}
	if n := emu.Stats().Requests; n != before {
		t.Fatalf("destroy sent %d requests", n-before)
	}
}

// A change of type alone is planned as an update that says nothing will be
// sent, and applying it sends nothing.
func TestRecords_typeChangeSendsNothing(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("report")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu.Emulator, urn)
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu), cancelBlock("stop", urn, id, `type = "force"`))
	w.init()
	w.mustSucceed(w.apply())
	before := emu.Stats().Requests

	w.configure(providerBlock(emu), cancelBlock("stop", urn, id, `type = "recursive"`))
	plan := w.mustSucceed(w.run("plan", "-no-color", "-input=false"))
	expectOutput(t, plan, `will be updated in-place.*Plan: 0 to add, 1 to change, 0 to destroy.*`+
		`Warning: Changing type Sends Nothing.*type "force".*nothing is sent to FunctionGraph.*-replace=`)
	w.mustSucceed(w.apply())
	if n := emu.Stats().Requests; n != before {
		t.Fatalf("the update sent %d requests", n-before)
	}
	if r := stateResources(w.state())["huaweicloud_fgs_async_invocation_cancel.stop"]; r == nil || r.AttributeValues["type"] != "recursive" {
		t.Fatalf("state holds %+v", r)
	}
}

// A cancel carried out whose answer was lost fails the apply with an error
// saying it may have been carried out; the next apply finds the invocation
// cancelled, says an earlier attempt most likely did it, and records it.
func TestRecords_answerLostAcrossApplies(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("report")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu.Emulator, urn)
	emu.inject(t, fgsemu.Fault{Op: fgsemu.OpCancel, Times: 1, Drop: fgsemu.DropAfter})
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu, "max_retries = 0"), cancelBlock("stop", urn, id))
	w.init()
	first := w.apply()
	if first.code == 0 {
		t.Fatalf("the apply whose answer was lost succeeded:\n%s", first)
	}
	expectOutput(t, first, `Error: Failed to Cancel Async Invocation: Cannot Reach FunctionGraph.*`+
		`The cancel reached FunctionGraph and no answer came back for it, so FunctionGraph may have carried it out\. Nothing was recorded in the state\. Apply again`)
	if r := stateResources(w.state())["huaweicloud_fgs_async_invocation_cancel.stop"]; r != nil {
		t.Fatalf("the failed apply recorded %+v", r)
	}
	if inv, _ := emu.Invocation(urn, id); inv.Status != fgsemu.StatusFail || inv.ErrorCode != fgsemu.CanceledErrorCode {
		t.Fatalf("invocation %+v, want cancelled by the lost attempt", inv)
	}

	second := w.mustSucceed(w.apply())
	expectOutput(t, second, `Warning: Invocation Already Cancelled.*Most often an earlier attempt did it: an apply or invocation that was interrupted or timed out.*`+
		`cancelled = true.*Apply complete! Resources: 1 added`)
	r := stateResources(w.state())["huaweicloud_fgs_async_invocation_cancel.stop"]
	if r == nil || r.AttributeValues["cancelled"] != true || r.AttributeValues["cancelled_at"] != nil {
		t.Fatalf("state holds %+v", r)
	}
	if s := emu.Stats(); s.AcceptedCancels != 1 || s.RequestsByOp[fgsemu.OpCancel] != 2 {
		t.Fatalf("emulator %+v: want 2 cancels sent, the first accepted", s)
	}
}

// An invocation that ends on its own between plan and apply: the saved plan
// applies with a warning naming its final status, and the record says it
// was not cancelled.
func TestRecords_endedBetweenPlanAndApply(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("quick")
	emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn, RunFor: 2 * time.Second})
	id := acctest.Invoke(t, emu.Emulator, urn)
	w := newWorkspace(t, nil)
	w.configure(providerBlock(emu), cancelBlock("stop", urn, id))
	w.init()
	w.mustSucceed(w.run("plan", "-no-color", "-input=false", "-out=tfplan"))
	if !untilTrue(context.Background(), time.Minute, func() bool {
		inv, _ := emu.Invocation(urn, id)
		return inv.Status == fgsemu.StatusSuccess
	}) {
		t.Fatal("the invocation never ended")
	}
	res := w.mustSucceed(w.apply("tfplan"))
	expectOutput(t, res, `Warning: Invocation Had Already Ended.*ended on its own with status SUCCESS.*cancelled = false, final_status = SUCCESS.*Apply complete! Resources: 1 added`)
	r := stateResources(w.state())["huaweicloud_fgs_async_invocation_cancel.stop"]
	if r == nil || r.AttributeValues["cancelled"] != false || r.AttributeValues["final_status"] != "SUCCESS" {
		t.Fatalf("state holds %+v", r)
	}
	if s := emu.Stats(); s.AcceptedCancels != 0 || s.RequestsByOp[fgsemu.OpCancel] != 1 {
		t.Fatalf("emulator %+v: want 1 cancel sent, none accepted", s)
	}
}
