package reliability

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// Load: many cancels in one apply, as pipelines run them, with transient
// faults. The provider is served in this process (as main.go serves it,
// through pluginserver) and Terraform attaches to it, so that goroutines
// left behind can be counted; Terraform itself runs as usual, with
// -parallelism. These tests run alone (not in parallel with the rest of the
// suite), so that every goroutine started during them is theirs.

// loadSize is how much the load tests do; FGS_LONG=1 selects the heavy run.
type loadSize struct {
	cancels     int // running invocations, each cancelled by its own resource
	listed      int // invocations the data source lists
	parallelism int
	faultRate   float64 // of cancel and list requests, answered 503
	long        bool
}

func loadSizes() loadSize {
	if os.Getenv("FGS_LONG") != "" {
		return loadSize{cancels: 1000, listed: 50000, parallelism: 100, faultRate: 0.1, long: true}
	}
	return loadSize{cancels: 500, listed: 5000, parallelism: 50, faultRate: 0.1}
}

// loadRun is one load scenario: the invocations it starts with, its
// configuration, and what it must leave.
type loadRun struct {
	name string
	// running invocations run until cancelled; ended ones ended by themselves.
	running, ended int
	blocks         func(emu *emulator, urn string, running []string) []string
	// cancels is how many cancel resources the apply adds.
	cancels int
	// listPages is how many list requests the data source makes, 0 without one.
	listPages int64
	// maxConns bounds the connections the apply may hold open, and open in all.
	maxConns int64
	// faultsCostConnections: a cancel carries a body, and a fault answered
	// before it was read may cost its connection, so each may add one (and
	// the emulator may see the new one open before the old one closed).
	faultsCostConnections bool
}

// The cancels of a for_each over a variable, in one apply: 500 at
// -parallelism=50, over the client's kept-alive connections, whose number
// does not grow with the cancels.
func TestLoad_cancels(t *testing.T) {
	size := loadSizes()
	runLoad(t, loadRun{
		name: "cancels", running: size.cancels, cancels: size.cancels,
		maxConns: fgs.MaxConnsPerHost, faultsCostConnections: true,
		blocks: func(emu *emulator, urn string, running []string) []string {
			return []string{providerBlock(emu), cancelsForEach(urn, running)}
		},
	})
}

// The data source over a function with thousands of invocations: every page
// followed through the faults, over one kept-alive connection.
func TestLoad_dataSource(t *testing.T) {
	size := loadSizes()
	runLoad(t, loadRun{
		name: "data source", running: size.listed / 10, ended: size.listed - size.listed/10,
		listPages: int64((size.listed + fgs.ListPageSize - 1) / fgs.ListPageSize), maxConns: 1,
		blocks: func(emu *emulator, urn string, _ []string) []string {
			return []string{providerBlock(emu), fmt.Sprintf("data \"huaweicloud_fgs_async_invocations\" \"all\" {\n  function_urn = %q\n}\n", urn)}
		},
	})
}

// The for_each of single cancels at scale (FGS_LONG only: Terraform's own
// work, not the provider's, makes it slow): the data source lists thousands
// of invocations and a for_each cancels the running ones, the way to stop
// many before the bulk cancel. The plan's provider
// instance keeps the data source's connection, so one more than the
// cancels' bound is allowed.
func TestLoad_recipe(t *testing.T) {
	size := loadSizes()
	if !size.long {
		t.Skip("the for_each of single cancels at scale runs with FGS_LONG=1 (see internal/reliability/README.md)")
	}
	runLoad(t, loadRun{
		name: "recipe", running: size.cancels, ended: 4 * size.cancels, cancels: size.cancels,
		listPages: int64((5*size.cancels + fgs.ListPageSize - 1) / fgs.ListPageSize), maxConns: fgs.MaxConnsPerHost + 1,
		faultsCostConnections: true,
		blocks: func(emu *emulator, urn string, _ []string) []string {
			return []string{providerBlock(emu), fmt.Sprintf(`data "huaweicloud_fgs_async_invocations" "all" {
  function_urn = %q
}

locals {
  running = toset([
    for inv in data.huaweicloud_fgs_async_invocations.all.invocations : inv.request_id
    if contains(["WAIT", "RUNNING"], inv.status)
  ])
}

resource "huaweicloud_fgs_async_invocation_cancel" "load" {
  for_each     = local.running
  function_urn = data.huaweicloud_fgs_async_invocations.all.function_urn
  request_id   = each.value
}
`, urn)}
		},
	})
}

// cancelsForEach is one cancel resource per request ID, through for_each.
func cancelsForEach(urn string, requestIDs []string) string {
	ids, _ := json.Marshal(requestIDs)
	return fmt.Sprintf(`variable "request_ids" {
  type    = set(string)
  default = %s
}

resource "huaweicloud_fgs_async_invocation_cancel" "load" {
  for_each     = var.request_ids
  function_urn = %q
  request_id   = each.value
}
`, ids, urn)
}

func runLoad(t *testing.T, run loadRun) {
	size := loadSizes()
	ignore := goleak.IgnoreCurrent()
	urn := acctest.FunctionURN("batch")
	emu := startEmulator(t, fgsemu.Options{Seed: 5}, fgsemu.Function{URN: urn, RunFor: time.Millisecond})
	if run.ended > 0 {
		// These end by themselves at once: the data source lists them, nothing cancels them.
		if _, err := emu.InvokeN(urn, run.ended); err != nil {
			t.Fatal(err)
		}
	}
	if err := emu.AddFunction(fgsemu.Function{URN: urn}); err != nil {
		t.Fatal(err)
	}
	running, err := emu.InvokeN(urn, run.running)
	if err != nil {
		t.Fatal(err)
	}
	faults := []fgsemu.Fault{
		{Op: fgsemu.OpCancel, Probability: size.faultRate, Status: 503},
		{Op: fgsemu.OpList, Probability: size.faultRate, Status: 503},
	}
	if run.listPages > 0 {
		// A listing takes few pages of 500: one fault for certain, so a run is
		// never spared them all by the dice.
		faults = append([]fgsemu.Fault{{Op: fgsemu.OpList, Times: 1, Status: 503}}, faults...)
	}
	emu.inject(t, faults...)

	reattach, stop := acctest.ServeInProcess(t, acctest.Env(credentialsEnv()))
	w := newWorkspace(t, map[string]string{})
	w.reattach, w.trace = reattach, false
	w.configure(run.blocks(emu, urn, running)...)
	w.init()
	res := w.mustSucceed(w.apply(fmt.Sprintf("-parallelism=%d", size.parallelism)))
	expectOutput(t, res, fmt.Sprintf(`Apply complete! Resources: %d added, 0 changed, 0 destroyed`, run.cancels))

	// Every cancel is in the state, and FunctionGraph accepted each exactly once.
	state := w.state()
	recorded := 0
	for addr, r := range stateResources(state) {
		if strings.HasPrefix(addr, "huaweicloud_fgs_async_invocation_cancel.load[") && r.AttributeValues["final_status"] == "FAIL" {
			recorded++
		}
	}
	if recorded != run.cancels {
		t.Fatalf("the state records %d finished cancels, want %d", recorded, run.cancels)
	}
	s := emu.Stats()
	// A cancel and a status check per cancel, the pages, and a retry per fault.
	wantRequests := int64(2*run.cancels) + run.listPages + s.FaultsApplied
	if s.AcceptedCancels != int64(run.cancels) || s.RequestsByOp[fgsemu.OpCancel]+s.RequestsByOp[fgsemu.OpList] != wantRequests ||
		s.AuthFailures != 0 || s.FaultsApplied == 0 {
		t.Fatalf("emulator: %+v; want %d accepted cancels and %d cancel and list requests (with %d faults retried)",
			s, run.cancels, wantRequests, s.FaultsApplied)
	}
	cancelled := 0
	for _, inv := range emu.Invocations(urn) {
		switch {
		case inv.Cancels > 1:
			t.Fatalf("invocation %s was cancelled %d times", inv.RequestID, inv.Cancels)
		case inv.Cancels == 1 && inv.Status != fgsemu.StatusFail:
			t.Fatalf("cancelled invocation %+v", inv)
		}
		cancelled += inv.Cancels
	}
	if cancelled != run.cancels {
		t.Fatalf("%d invocations were cancelled, want %d", cancelled, run.cancels)
	}
	listed := 0
	if run.listPages > 0 {
		for _, r := range state.Values.RootModule.Resources {
			if r.Address == "data.huaweicloud_fgs_async_invocations.all" {
				got, _ := r.AttributeValues["invocations"].([]any)
				listed = len(got)
			}
		}
		if listed != run.running+run.ended {
			t.Fatalf("the data source listed %d invocations, want %d", listed, run.running+run.ended)
		}
	}
	// Kept-alive connections: bounded, and reused rather than growing with the cancels.
	maxOpened := run.maxConns
	if run.faultsCostConnections {
		maxOpened += s.FaultsApplied
	}
	if s.MaxOpenConnections > maxOpened || s.Connections > maxOpened {
		t.Fatalf("%d connections (%d open at once) for %d requests at -parallelism=%d, want at most %d open and %d in all",
			s.Connections, s.MaxOpenConnections, s.Requests, size.parallelism, run.maxConns, maxOpened)
	}

	// Nothing keeps running once Terraform is done, the provider stopped
	// and the server gone (which closes the kept-alive connections).
	stop()
	_ = emu.Close()
	leaked := 0
	if err := goleak.Find(ignore); err != nil {
		leaked = strings.Count(err.Error(), "\n\nGoroutine ") + 1
		t.Errorf("goroutines left behind after the apply:\n%v", err)
	}
	figures.goroutines(leaked)
	line := fmt.Sprintf("%s: ", run.name)
	if run.cancels > 0 {
		line += fmt.Sprintf("%d of %d cancels in state, %d accepted once each; ", recorded, run.cancels, s.AcceptedCancels)
	}
	if run.listPages > 0 {
		line += fmt.Sprintf("%d invocations listed over %d pages; ", listed, run.listPages)
	}
	figures.load(line + fmt.Sprintf("%d transient 503s retried; %d connection(s) (at most %d allowed, -parallelism=%d); apply %s",
		s.FaultsApplied, s.Connections, run.maxConns, size.parallelism, res.elapsed.Round(100*time.Millisecond)))
}
