package resources_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

const invocationsAddr = "data.huaweicloud_fgs_async_invocations.test"

func invocationsConfig(emu *fgsemu.Emulator, urn string, args ...string) string {
	body := ""
	for _, a := range args {
		body += "  " + a + "\n"
	}
	return acctest.ProviderConfig(emu) + fmt.Sprintf(`
data "huaweicloud_fgs_async_invocations" "test" {
  function_urn = %q
%s}
`, urn, body)
}

// Lists follow every page, filters narrow them, and times come back as RFC 3339 UTC.
func TestAsyncInvocationsDataSource_pagesAndFilters(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	ids, err := emu.InvokeN(urn, 230)
	if err != nil {
		t.Fatal(err)
	}
	cancelled := ids[7]
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				// Cancel one, so statuses differ.
				Config: invocationsConfig(emu, urn) + cancelResourceBlock(urn, cancelled),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(invocationsAddr, tfjsonpath.New("id"), knownvalue.StringExact(urn)),
					statecheck.ExpectKnownValue(invocationsAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.#", "230"),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.request_id", ids[0]),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.229.request_id", ids[229]),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.status", "RUNNING"),
					resource.TestCheckNoResourceAttr(invocationsAddr, "invocations.0.end_time"),
					resource.TestMatchResourceAttr(invocationsAddr, "invocations.0.start_time", rfc3339UTC),
				),
			},
			{
				Config: invocationsConfig(emu, urn, `status = "FAIL"`) + cancelResourceBlock(urn, cancelled),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.#", "1"),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.request_id", cancelled),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.error_code", "4208"),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.error_message", "function invocation canceled"),
					resource.TestMatchResourceAttr(invocationsAddr, "invocations.0.end_time", rfc3339UTC),
				),
			},
			{
				Config: invocationsConfig(emu, urn, fmt.Sprintf("request_id = %q", ids[100])) + cancelResourceBlock(urn, cancelled),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.#", "1"),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.request_id", ids[100]),
				),
			},
			{
				// Any case: the API is sent "RUNNING".
				Config: invocationsConfig(emu, urn, `status = "running"`,
					fmt.Sprintf("query_begin_time = %q", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)),
					fmt.Sprintf("query_end_time = %q", time.Now().Add(time.Hour).Format(time.RFC3339))) + cancelResourceBlock(urn, cancelled),
				Check: resource.TestCheckResourceAttr(invocationsAddr, "invocations.#", "229"),
			},
			{
				Config: invocationsConfig(emu, urn, fmt.Sprintf("query_begin_time = %q", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))) +
					cancelResourceBlock(urn, cancelled),
				Check: resource.TestCheckResourceAttr(invocationsAddr, "invocations.#", "0"),
			},
		},
	})
}

func TestAsyncInvocationsDataSource_emptyFunction(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("idle")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: invocationsConfig(emu, urn),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(invocationsAddr, tfjsonpath.New("invocations"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

// Bad filters fail at plan with the argument to blame; nothing is listed.
func TestAsyncInvocationsDataSource_invalidFiltersFailAtPlan(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown status", []string{`status = "DONE"`}, `Invalid Invocation Status.*status = "DONE".*status "DONE" is not one of "WAIT", "RUNNING", "SUCCESS", "FAIL" or "DISCARD".*Set status to one of them \(in any case\), or leave it out`},
		{"status of another API", []string{`status = "started"`}, `Invalid Invocation Status.*status "started" is not one of`},
		{"begin not RFC 3339", []string{`query_begin_time = "yesterday"`}, `Invalid Time.*query_begin_time.*"yesterday" is not an RFC 3339 time`},
		{"end without zone", []string{`query_end_time = "2026-01-02 15:04:05"`}, `Invalid Time.*query_end_time`},
		{"end before begin", []string{`query_begin_time = "2026-01-02T00:00:00Z"`, `query_end_time = "2026-01-01T00:00:00Z"`}, `Query Ends Before It Begins`},
		{"spaced request id", []string{`request_id = "a b"`}, `Invalid Request ID`},
		{"region contradicts urn", []string{`region = "la-south-2"`}, `Region Contradicts Function URN`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      invocationsConfig(emu, urn, tt.args...),
					ExpectError: acctest.ErrorPattern(tt.want),
				}},
			})
			if n := emu.Stats().Requests; n != 0 {
				t.Fatalf("%d requests reached the emulator", n)
			}
		})
	}
}

func TestAsyncInvocationsDataSource_apiErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault fgsemu.Fault
		urn   string
		want  string
	}{
		{name: "unknown function", fault: fgsemu.Fault{Op: fgsemu.OpList, Status: 404, Body: `{"error_code":"FSS.0404","error_msg":"can not find function"}`},
			want: `Failed to List Async Invocations: Function Not Found`},
		{name: "looping pages", fault: fgsemu.Fault{Op: fgsemu.OpList, Malformed: fgsemu.MalformedLoop},
			want: `Failed to List Async Invocations: Unreadable Answer.*same page again`},
		{name: "pages without end", fault: fgsemu.Fault{Op: fgsemu.OpList, Malformed: fgsemu.MalformedEndless},
			want: `Failed to List Async Invocations: Too Many Invocations.*more than 100,000 invocations \(any status, started .* 201 pages\).*Narrow what is listed: a shorter window \(query_begin_time and query_end_time\)`},
		{name: "throttled longer than the provider waits", fault: fgsemu.Fault{Op: fgsemu.OpList, Status: 429, RetryAfter: "600"},
			want: `Failed to List Async Invocations: Throttled.*asked to retry after 10m0s.*HTTP status: 429`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			urn := acctest.FunctionURN("hello")
			emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
			if err := emu.InjectFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps:                    []resource.TestStep{{Config: invocationsConfig(emu, urn), ExpectError: acctest.ErrorPattern(tt.want)}},
			})
		})
	}
}

// cancelAllRunningRecipe is the recipe users are shown, read from
// examples/recipes/cancel-all-running, so the example itself is what is
// tested. Its terraform block is dropped: the test serves the provider under
// the test framework's own address, with a block pointing at the emulator.
func cancelAllRunningRecipe(t *testing.T, emu *fgsemu.Emulator) string {
	t.Helper()
	b, err := os.ReadFile("../../examples/recipes/cancel-all-running/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	recipe := string(b)
	start := strings.Index(recipe, "terraform {")
	end := strings.Index(recipe, "\n}\n")
	if start < 0 || end < start {
		t.Fatal("the recipe has no terraform block to drop")
	}
	return acctest.ProviderConfig(emu) + recipe[:start] + recipe[end+3:]
}

// recipeVariables sets the recipe's one variable.
func recipeVariables(urn string) config.Variables {
	return config.Variables{"function_urn": config.StringVariable(urn)}
}

// forgetRecipe removes the recipe's resources and checks that destroying
// them sent no cancel.
func forgetRecipe(emu *fgsemu.Emulator, urn string) resource.TestStep {
	var before int64
	return resource.TestStep{
		PreConfig: func() { before = emu.Stats().RequestsByOp[fgsemu.OpCancel] },
		Config:    invocationsConfig(emu, urn),
		ConfigStateChecks: []statecheck.StateCheck{acctest.StateFunc(func(*tfjson.State) error {
			if after := emu.Stats().RequestsByOp[fgsemu.OpCancel]; after != before {
				return fmt.Errorf("destroying the records sent %d cancels", after-before)
			}
			return nil
		})},
	}
}

// recipeCancelled is what the recipe's bulk cancel recorded as cancelled.
func recipeCancelled(s *tfjson.State) ([]string, error) {
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return nil, fmt.Errorf("no state")
	}
	for _, r := range s.Values.RootModule.Resources {
		if r.Address == "huaweicloud_fgs_async_invocations_cancel.all_running" {
			var ids []string
			list, _ := r.AttributeValues["cancelled_request_ids"].([]any)
			for _, v := range list {
				id, _ := v.(string)
				ids = append(ids, id)
			}
			return ids, nil
		}
	}
	return nil, fmt.Errorf("the recipe's bulk cancel is not in the state")
}

// The recipe cancels N running invocations with N accepted cancels, and
// lists them (the data source) for looking.
func TestCancelAllRunningRecipe_cancelsAllRunning(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	ids, err := emu.InvokeN(urn, 12)
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:          cancelAllRunningRecipe(t, emu),
			ConfigVariables: recipeVariables(urn),
			ConfigStateChecks: []statecheck.StateCheck{
				acctest.StateFunc(func(s *tfjson.State) error {
					cancelled, err := recipeCancelled(s)
					if err != nil {
						return err
					}
					if len(cancelled) != len(ids) {
						return fmt.Errorf("%d cancels in state, want %d", len(cancelled), len(ids))
					}
					if st := emu.Stats(); st.AcceptedCancels != int64(len(ids)) || st.RequestsByOp[fgsemu.OpCancel] != int64(len(ids)) {
						return fmt.Errorf("want %d accepted of %d cancels, got %+v", len(ids), len(ids), st)
					}
					for _, id := range ids {
						if inv, _ := emu.Invocation(urn, id); inv.Status == "RUNNING" {
							return fmt.Errorf("invocation %s still running", id)
						}
					}
					return nil
				}),
			},
		}, forgetRecipe(emu, urn)},
	})
}

// On a function running several requests per instance, cancelling one stops
// its neighbours; the recipe still records every cancel, without failing.
func TestCancelAllRunningRecipe_onSharedInstances(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("batch")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, Concurrency: 3})
	ids, err := emu.InvokeN(urn, 9)
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:          cancelAllRunningRecipe(t, emu),
			ConfigVariables: recipeVariables(urn),
			ConfigStateChecks: []statecheck.StateCheck{
				acctest.StateFunc(func(s *tfjson.State) error {
					cancelled, err := recipeCancelled(s)
					if err != nil {
						return err
					}
					if len(cancelled) != len(ids) {
						return fmt.Errorf("%d cancels in state, want %d", len(cancelled), len(ids))
					}
					st := emu.Stats()
					if st.AcceptedCancels < 3 || st.AcceptedCancels > 9 {
						return fmt.Errorf("%d accepted cancels; want between one per instance (3) and one per request (9)", st.AcceptedCancels)
					}
					for _, id := range ids {
						if inv, _ := emu.Invocation(urn, id); inv.Status != "FAIL" || inv.ErrorCode != 4208 {
							return fmt.Errorf("invocation %s is %+v", id, inv)
						}
					}
					return nil
				}),
			},
		}, forgetRecipe(emu, urn)},
	})
}

// Without query_begin_time the list reaches back 72 hours, so an invocation
// running for five hours is listed, which the API's own one-hour default
// would miss; an explicit window is sent as given.
func TestAsyncInvocationsDataSource_defaultWindowReachesBack(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("batch")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	old, err := emu.InvokeStartedAt(urn, time.Now().Add(-5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	recent := acctest.Invoke(t, emu, urn)
	lastTwoHours := time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: invocationsConfig(emu, urn, `status = "RUNNING"`),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.#", "2"),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.request_id", old),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.1.request_id", recent),
				),
			},
			{
				Config: invocationsConfig(emu, urn, fmt.Sprintf("query_begin_time = %q", lastTwoHours)),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.#", "1"),
					resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.request_id", recent),
				),
			},
		},
	})
}

// A start time with an offset keeps it: 20:00 at +08:00 is 12:00 UTC, as
// the end time always was.
func TestAsyncInvocationsDataSource_timesKeepTheirOffset(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpList, Status: 200, Body: `{"invocations":[{"request_id":"r1","status":"SUCCESS",` +
		`"start_time":"2026-12-01T20:00:00+08:00","end_time":"2026-12-01T20:00:30.250+08:00"}],"count":1,"next_marker":1}`}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: invocationsConfig(emu, urn),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.start_time", "2026-12-01T12:00:00Z"),
				resource.TestCheckResourceAttr(invocationsAddr, "invocations.0.end_time", "2026-12-01T12:00:30Z"),
			),
		}},
	})
}

// With a provider block known only after apply, reading the data source at
// plan says which arguments are unknown and what to do, not that there is a bug.
func TestAsyncInvocationsDataSource_unknownProviderConfiguration(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input = %q
}

provider "huaweicloud" {
  access_key = %q
  secret_key = %q
  region     = %q
  endpoints = {
    fgs = terraform_data.endpoint.output
  }
}

data "huaweicloud_fgs_async_invocations" "test" {
  function_urn = %q
}
`, emu.URL(), acctest.AccessKey, acctest.SecretKey, acctest.Region, urn),
			ExpectError: acctest.ErrorPattern(`Provider Configuration Not Known Yet.*configuration was not known yet when the invocations had to be listed\. Its arguments endpoints depend on values known only after apply.*-target=`),
		}},
	})
	if n := emu.Stats().Requests; n != 0 {
		t.Fatalf("%d requests reached the emulator", n)
	}
}
