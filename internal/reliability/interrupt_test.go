package reliability

import (
	"bytes"
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// exitWithin bounds how long Terraform may take to exit after Ctrl-C; it
// exits in well under a second here, and the margin is for a loaded machine.
const exitWithin = 15 * time.Second

// Ctrl-C during a slow cancel: SIGINT goes to Terraform and the provider
// together, as a terminal sends it to the foreground process group. Terraform
// must exit within seconds, and its state must match what FunctionGraph did:
// no record of a cancel that was not carried out, a record of one that was.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	const addr = "huaweicloud_fgs_async_invocation_cancel.stop"
	tests := []struct {
		name     string
		function fgsemu.Function
		faults   []fgsemu.Fault
		// interruptWhen says the apply has reached the moment to interrupt.
		interruptWhen func(fgsemu.Stats) bool
		// recorded: the cancel was accepted before the interrupt and the
		// state must hold it; otherwise the state must hold nothing.
		recorded bool
		output   string
	}{
		{
			name:          "while the cancel request hangs",
			faults:        []fgsemu.Fault{{Op: fgsemu.OpCancel, Hang: true}},
			interruptWhen: func(s fgsemu.Stats) bool { return s.RequestsByOp[fgsemu.OpCancel] > 0 },
			output:        `Interrupt received.*Error: Failed to Cancel Async Invocation: Interrupted.*before FunctionGraph answered.*The cancel reached FunctionGraph and no answer came back for it, so FunctionGraph may have carried it out\. Nothing was recorded in the state\. Apply again`,
		},
		{
			name:          "while a slow answer is on its way",
			faults:        []fgsemu.Fault{{Op: fgsemu.OpCancel, Delay: time.Minute}},
			interruptWhen: func(s fgsemu.Stats) bool { return s.RequestsByOp[fgsemu.OpCancel] > 0 },
			output:        `Interrupt received.*Error: Failed to Cancel Async Invocation: Interrupted`,
		},
		{
			name:          "while waiting for the invocation to stop",
			function:      fgsemu.Function{StopDelay: 3 * time.Second},
			interruptWhen: func(s fgsemu.Stats) bool { return s.AcceptedCancels > 0 && s.RequestsByOp[fgsemu.OpList] > 0 },
			recorded:      true,
			output:        `Interrupt received.*Warning: Interrupted While Waiting for the Invocation to Stop.*recorded in the state with stop_pending = true; it was not sent again`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var exitAfter time.Duration
			figures.interrupt(t, &exitAfter)
			urn := acctest.FunctionURN("report")
			fn := tt.function
			fn.URN = urn
			emu := startEmulator(t, fgsemu.Options{}, fn)
			id := acctest.Invoke(t, emu.Emulator, urn)
			emu.inject(t, tt.faults...)
			w := newWorkspace(t, nil)
			w.configure(providerBlock(emu), cancelBlock("stop", urn, id))
			w.init()

			var res tfResult
			res, exitAfter = w.interruptedApply(func() bool { return tt.interruptWhen(emu.Stats()) }, func() string {
				return fmt.Sprintf("the apply never reached the moment to interrupt: %+v", emu.Stats())
			})
			if res.code == 0 {
				t.Fatalf("an interrupted apply succeeded:\n%s", res)
			}
			expectOutput(t, res, tt.output)
			t.Logf("terraform exited %s after SIGINT", exitAfter.Round(time.Millisecond))

			// The state says what FunctionGraph did.
			s := emu.Stats()
			inv, _ := emu.Invocation(urn, id)
			r := stateResources(w.state())[addr]
			switch {
			case tt.recorded && (r == nil || s.AcceptedCancels != 1):
				t.Fatalf("the accepted cancel is not recorded: state %v, %d accepted cancels", r, s.AcceptedCancels)
			case !tt.recorded && (r != nil || s.AcceptedCancels != 0 || inv.Status != fgsemu.StatusRunning):
				t.Fatalf("state %v, %d accepted cancels, invocation %s: want no record of a cancel that was not carried out",
					r, s.AcceptedCancels, inv.Status)
			}
			if tt.recorded && (r.AttributeValues["cancelled_at"] == nil || r.AttributeValues["api_request_id"] == nil) {
				t.Fatalf("the record lacks the cancel's facts: %v", r.AttributeValues)
			}

			// A later apply, with the faults gone, ends with the cancel recorded
			// and the invocation stopped. A record left by an interrupted wait
			// is kept, untainted and stop_pending: that apply waits again in
			// place and sends no cancel, keeping the first answer's facts.
			emu.ClearFaults()
			second := w.mustSucceed(w.apply())
			if r != nil {
				if r.Tainted || r.AttributeValues["stop_pending"] != true {
					t.Fatalf("the interrupted wait left %+v, want an untainted record with stop_pending", r)
				}
				expectOutput(t, second, `Waiting Again for the Invocation to Stop.*0 added, 1 changed, 0 destroyed`)
				if s := emu.Stats(); s.RequestsByOp[fgsemu.OpCancel] != 1 {
					t.Fatalf("%d cancels sent in all, want 1", s.RequestsByOp[fgsemu.OpCancel])
				}
				after := stateResources(w.state())[addr]
				for _, k := range []string{"cancelled_at", "api_request_id"} {
					if after == nil || after.AttributeValues[k] != r.AttributeValues[k] {
						t.Fatalf("%s was %v, then %v: the record of the accepted cancel was not kept", k, r.AttributeValues[k], after)
					}
				}
			}
			if r := stateResources(w.state())[addr]; r == nil || r.Tainted || r.AttributeValues["final_status"] != "FAIL" {
				t.Fatalf("after a second apply the state holds %+v", r)
			}
			if inv, _ := emu.Invocation(urn, id); inv.Status != fgsemu.StatusFail || inv.ErrorCode != fgsemu.CanceledErrorCode {
				t.Fatalf("invocation %+v, want cancelled", inv)
			}
		})
	}
}

// interruptedApply starts terraform apply in its own process group, sends
// SIGINT to Terraform and the provider together (as a terminal does) once
// ready reports true, and waits for Terraform to exit, within exitWithin. It
// returns the result and how long Terraform took to exit after the signal;
// notReady says what went wrong if ready never came within a minute.
func (w *workspace) interruptedApply(ready func() bool, notReady func() string, args ...string) (tfResult, time.Duration) {
	w.t.Helper()
	cmd, base := w.command(append([]string{"apply", "-auto-approve", "-no-color", "-input=false"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	if !untilTrue(context.Background(), time.Minute, ready) {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		w.t.Fatal(notReady())
	}
	signalled := time.Now()
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		w.t.Fatal(err)
	}
	res := w.wait(cmd, signalled, exitWithin)
	exitAfter := time.Since(signalled)
	res.args, res.stdout, res.stderr = cmd.Args[1:], stdout.String(), stderr.String()
	res.elapsed = time.Since(start)
	w.keep(base, res)
	return res, exitAfter
}

// Ctrl-C during an action (Terraform 1.14+): Terraform reports the
// interrupt as the action's error and exits 1, not "Apply complete!",
// for the single cancel and the bulk alike. terraform-plugin-go drops an
// action's last event once the provider is stopped; internal/pluginserver
// lets it go out first (actions.go).
func TestInterrupt_action(t *testing.T) {
	t.Parallel()
	acctest.SkipWithoutActions(t)
	tests := []struct {
		name, action, body, output string
	}{
		{name: "single", action: "huaweicloud_fgs_async_invocation_cancel", body: "request_id = %q",
			output: `Interrupt received.*Action failed: action\.huaweicloud_fgs_async_invocation_cancel\.stop.*Interrupted.*Error: Error when invoking action.*Interrupted`},
		{name: "bulk", action: "huaweicloud_fgs_async_invocations_cancel", body: "request_ids = [%q]",
			output: `Interrupt received.*Action failed: action\.huaweicloud_fgs_async_invocations_cancel\.stop.*Error: Error when invoking action`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var exitAfter time.Duration
			figures.interrupt(t, &exitAfter)
			urn := acctest.FunctionURN("report")
			emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
			id := acctest.Invoke(t, emu.Emulator, urn)
			emu.inject(t, fgsemu.Fault{Op: fgsemu.OpCancel, Hang: true})
			w := newWorkspace(t, nil)
			w.configure(providerBlock(emu), fmt.Sprintf("action %q \"stop\" {\n  config {\n    function_urn = %q\n    %s\n  }\n}\n",
				tt.action, urn, fmt.Sprintf(tt.body, id)))
			w.init()
			res, after := w.interruptedApply(func() bool { return emu.Stats().RequestsByOp[fgsemu.OpCancel] > 0 }, func() string {
				return fmt.Sprintf("the action never sent its cancel: %+v", emu.Stats())
			}, "-invoke=action."+tt.action+".stop")
			exitAfter = after
			if res.code == 0 {
				t.Fatalf("an interrupted action was reported as a success:\n%s", res)
			}
			expectOutput(t, res, tt.output)
		})
	}
}
