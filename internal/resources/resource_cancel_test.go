package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// expectRequests fails the step unless the emulator saw this many requests
// of any kind: nothing more may be sent by reads, plans and destroys.
func expectRequests(emu *fgsemu.Emulator, requests int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if s := emu.Stats(); s.Requests != requests {
			return fmt.Errorf("emulator saw %d requests, want %d (by op: %v)", s.Requests, requests, s.RequestsByOp)
		}
		return nil
	}
}

// One apply sends exactly one cancel and records it; a second plan is empty
// and sends nothing; destroy sends nothing.
func TestAsyncInvocationCancelResource_basic(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)

	// One cancel, then one status query that sees the invocation ended.
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectRequests(emu, 2)),
		Steps: []resource.TestStep{
			{
				Config: cancelConfig(emu, urn, id),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(cancelAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("id"), knownvalue.StringExact(urn+"/"+id)),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("type"), knownvalue.Null()),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.StringRegexp(rfc3339UTC)),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("api_request_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("wait_for_stop"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_error_code"), knownvalue.StringExact("4208")),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_error_message"), knownvalue.StringExact("function invocation canceled")),
				},
				Check: resource.ComposeTestCheckFunc(
					expectStats(emu, 1, 1),
					expectRequests(emu, 2),
					expectInvocationStatus(emu, urn, id, "FAIL"),
				),
			},
			{
				Config: cancelConfig(emu, urn, id),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectRequests(emu, 2),
			},
		},
	})
}

// Changing request_id replaces the resource, which cancels the new request.
func TestAsyncInvocationCancelResource_replaceCancelsNewRequest(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	first, second := acctest.Invoke(t, emu, urn), acctest.Invoke(t, emu, urn)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: cancelConfig(emu, urn, first, `type = "force"`),
				Check:  resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectInvocationStatus(emu, urn, second, "RUNNING")),
			},
			{
				Config: cancelConfig(emu, urn, second, `type = "force"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(cancelAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("request_id"), knownvalue.StringExact(second)),
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("type"), knownvalue.StringExact("force")),
				},
				Check: resource.ComposeTestCheckFunc(expectStats(emu, 2, 2), expectInvocationStatus(emu, urn, second, "FAIL")),
			},
		},
	})
}

// Changing only timeouts or wait_for_stop updates the record in place and sends nothing.
func TestAsyncInvocationCancelResource_timeoutsUpdateInPlace(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cancelConfig(emu, urn, id), Check: expectRequests(emu, 2)},
			{
				Config: cancelConfig(emu, urn, id, `timeouts { create = "1m" }`, `wait_for_stop = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(cancelAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
				},
				Check: expectRequests(emu, 2),
			},
		},
	})
}

func TestAsyncInvocationCancelResource_importRefused(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cancelConfig(emu, urn, id)},
			{
				Config:        cancelConfig(emu, urn, id),
				ResourceName:  cancelAddr,
				ImportState:   true,
				ImportStateId: urn + "/" + id,
				ExpectError:   acctest.ErrorPattern(`Import Not Supported.*add the resource to the configuration`),
			},
		},
	})
}

// Every way the API can fail ends in its own diagnostic, with no state.
func TestAsyncInvocationCancelResource_apiErrors(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	tests := []struct {
		name        string
		fault       *fgsemu.Fault
		requestID   string // empty: a running invocation's
		urn         string // empty: the emulator's function
		extra       []string
		wantError   string
		wantAttempt int64 // cancel requests the emulator must have seen
	}{
		{name: "unknown request", requestID: "no-such-request",
			wantError: `Failed to Cancel Async Invocation: Invocation Cannot Be Cancelled.*no-such-request.*HTTP status: 400.*Error code: FSS\.0400.*API request ID \(X-Request-Id\): [0-9a-f]{32}`, wantAttempt: 1},
		{name: "unknown function", urn: acctest.FunctionURN("missing"),
			wantError: `Function Not Found.*Check function_urn.*HTTP status: 404.*FSS\.0404`, wantAttempt: 1},
		{name: "forbidden", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 403, Body: `{"error_code":"FSS.0403","error_msg":"invalid token"}`},
			wantError: `Access Denied.*FunctionGraph permissions.*HTTP status: 403.*FSS\.0403.*invalid token`, wantAttempt: 1},
		{name: "bad request other than FSS.0400", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 400, Body: `{"error_code":"FSS.1051","error_msg":"function is not async"}`},
			wantError: `Request Rejected.*FSS\.1051.*function is not async`, wantAttempt: 1},
		{name: "server error beyond retries", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 500, Body: `{"error_code":"FSS.0500","error_msg":"internal"}`},
			extra:     []string{"max_retries = 2"},
			wantError: `FunctionGraph Server Error.*gave up after 3 attempts \(max_retries = 2\).*Attempts: 3`, wantAttempt: 3},
		{name: "throttled longer than the provider waits", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Status: 429, RetryAfter: "600", Body: `{"error_code":"APIGW.0308","error_msg":"throttled"}`},
			wantError: `Failed to Cancel Async Invocation: Throttled.*429 Too Many Requests.*asked to retry after 10m0s.*max_concurrency.*higher API Gateway quota.*HTTP status: 429`, wantAttempt: 1},
		{name: "html instead of json", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedHTML},
			wantError: `Unreadable Answer.*could not be understood.*proxy`, wantAttempt: 1},
		{name: "empty 500", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedEmpty, Status: 500},
			extra:     []string{"max_retries = 0"},
			wantError: `FunctionGraph Server Error.*HTTP status: 500`, wantAttempt: 1},
		{name: "truncated json 200", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedTruncated, Status: 200},
			wantError: `Unreadable Answer`, wantAttempt: 1},
		{name: "huge body", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Malformed: fgsemu.MalformedHuge},
			wantError: `Unreadable Answer.*too large`, wantAttempt: 1},
		{name: "never answers", fault: &fgsemu.Fault{Op: fgsemu.OpCancel, Hang: true},
			requestID: "", wantError: `Timed Out.*within its timeouts.create of 2s.*Raise timeouts.create`, wantAttempt: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu, requestID, target := startFaultCase(t, urn, tt.fault, tt.requestID, tt.urn)
			extra := []string{}
			if tt.fault != nil && tt.fault.Hang {
				extra = append(extra, `timeouts { create = "2s" }`)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig(emu, tt.extra...) + cancelResourceBlock(target, requestID, extra...),
					ExpectError: acctest.ErrorPattern(tt.wantError),
					Check:       func(*terraform.State) error { return nil },
				}},
				CheckDestroy: func(s *terraform.State) error {
					if rs, ok := s.RootModule().Resources[cancelAddr]; ok {
						return fmt.Errorf("state holds %s after a failed cancel", rs.Primary.ID)
					}
					if got := emu.Stats().RequestsByOp[fgsemu.OpCancel]; got != tt.wantAttempt {
						return fmt.Errorf("emulator saw %d cancel requests, want %d", got, tt.wantAttempt)
					}
					return nil
				},
			})
		})
	}
}

// Transient failures are retried and the cancel lands once.
func TestAsyncInvocationCancelResource_retriesThenSucceeds(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	for _, f := range []fgsemu.Fault{
		{Op: fgsemu.OpCancel, Times: 1, Status: 503},
		{Op: fgsemu.OpCancel, Times: 1, Drop: fgsemu.DropBefore},
		{Op: fgsemu.OpCancel, Times: 1, Status: 429, RetryAfter: "1"},
	} {
		if err := emu.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	// That the 429's Retry-After is waited out, for the time it asks, is
	// proven on the client's fake clock (fgs TestCancelHonoursRetryAfter).
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			Check: resource.ComposeTestCheckFunc(
				expectStats(emu, 1, 4),
				expectInvocationStatus(emu, urn, id, "FAIL"),
			),
		}},
	})
}

// A cancel whose answer is lost, retried and refused as no longer running,
// is confirmed through the invocation's status instead of failing. No answer
// accepted it, so the record has no acceptance time or X-Request-Id.
func TestAsyncInvocationCancelResource_lostAnswerConfirmed(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	if err := emu.InjectFault(fgsemu.Fault{Op: fgsemu.OpCancel, Times: 1, Drop: fgsemu.DropAfter}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_error_code"), knownvalue.StringExact("4208")),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("api_request_id"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				expectInvocationStatus(emu, urn, id, "FAIL"),
				func(*terraform.State) error {
					s := emu.Stats()
					if s.AcceptedCancels != 1 || s.RequestsByOp[fgsemu.OpCancel] != 2 || s.RequestsByOp[fgsemu.OpList] != 1 {
						return fmt.Errorf("want 1 accepted of 2 cancels and 1 status check, got %+v", s)
					}
					return nil
				},
			),
		}},
	})
}

// Bad arguments fail at plan with the argument to blame, and nothing reaches the API.
func TestAsyncInvocationCancelResource_invalidArgumentsFailAtPlan(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	tests := []struct {
		name      string
		provider  []string // extra provider arguments
		noFGS     bool     // provider without endpoints.fgs
		urn       string
		requestID string
		extra     []string
		wantError string
	}{
		{name: "malformed urn", urn: "urn:fss:cn-north-4:function:hello", wantError: `Invalid Function URN.*function_urn.*has 5 colon-separated parts, expected 7 or 8.*Expected urn:fss:<region>`},
		{name: "bad project in urn", urn: "urn:fss:cn-north-4:abc:function:default:hello:latest", wantError: `Invalid Function URN.*project_id "abc" is not a project ID`},
		{name: "request id with space", requestID: "abc def", wantError: `Invalid Request ID.*request_id.*white space at position 4`},
		{name: "empty request id", requestID: "", wantError: `Invalid Request ID.*empty`},
		{name: "unknown type", extra: []string{`type = "soft"`}, wantError: `Invalid Cancel Type.*type "soft" is not one of "force" or "recursive"`},
		{name: "region contradicts urn", extra: []string{`region = "ap-southeast-1"`}, wantError: `Region Contradicts Function URN.*"ap-southeast-1".*"cn-north-4"`},
		{name: "badly shaped region", extra: []string{`region = "North"`}, wantError: `Invalid Region.*"North"`},
		{name: "project contradicts provider", provider: []string{`project_id = "ffffffffffffffffffffffffffffffff"`},
			wantError: `Project ID Contradicts Function URN.*"ffffffffffffffffffffffffffffffff".*"0123456789abcdef0123456789abcdef"`},
		{name: "urn region without endpoint", noFGS: true, urn: "urn:fss:xx-nowhere-1:" + acctest.ProjectID + ":function:default:hello",
			wantError: `No Endpoint for the Function's Region.*"xx-nowhere-1".*endpoints\.fgs`},
		{name: "bad timeout", extra: []string{`timeouts { create = "soon" }`}, wantError: `(timeout|duration)`},
		{name: "zero timeout", extra: []string{`timeouts { create = "0s" }`}, wantError: `Invalid Timeout.*timeouts\.create is "0s".*positive`},
		{name: "negative timeout", extra: []string{`timeouts { create = "-1s" }`}, wantError: `Invalid Timeout.*timeouts\.create is "-1s".*positive`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
			requestID := tt.requestID
			if requestID == "" && tt.name != "empty request id" {
				requestID = "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"
			}
			target := tt.urn
			if target == "" {
				target = urn
			}
			providerBlock := acctest.ProviderConfig(emu, tt.provider...)
			if tt.noFGS {
				providerBlock = fmt.Sprintf("provider \"huaweicloud\" {\n  access_key = %q\n  secret_key = %q\n}\n", acctest.AccessKey, acctest.SecretKey)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      providerBlock + cancelResourceBlock(target, requestID, tt.extra...),
					ExpectError: acctest.ErrorPattern(tt.wantError),
				}},
			})
			if got := emu.Stats().Requests; got != 0 {
				t.Fatalf("the emulator received %d requests; bad input must not reach the API", got)
			}
		})
	}
}

// Arguments unknown at plan are not judged until they are known.
func TestAsyncInvocationCancelResource_unknownAtPlan(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(emu) + fmt.Sprintf(`
resource "terraform_data" "invocation" {
  input = { urn = %q, id = %q }
}

resource "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn = terraform_data.invocation.output.urn
  request_id   = terraform_data.invocation.output.id
  region       = terraform_data.invocation.output.urn == "" ? null : %q
}
`, urn, id, acctest.Region),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(cancelAddr, tfjsonpath.New("request_id"))},
			},
			Check: resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectInvocationStatus(emu, urn, id, "FAIL")),
		}},
	})
}

// An argument set to a value known only at apply stays unknown in the plan,
// whichever argument it is, while the others are known; the apply then
// sends the one cancel.
func TestAsyncInvocationCancelResource_unknownArgumentStaysUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		// argument is the one set from terraform_data's output.
		argument string
		unknown  tfjsonpath.Path
	}{
		{argument: "region", unknown: tfjsonpath.New("region")},
		{argument: "function_urn", unknown: tfjsonpath.New("function_urn")},
		{argument: "request_id", unknown: tfjsonpath.New("request_id")},
		{argument: "type", unknown: tfjsonpath.New("type")},
		{argument: "wait_for_stop", unknown: tfjsonpath.New("wait_for_stop")},
		{argument: "timeouts.create", unknown: tfjsonpath.New("timeouts").AtMapKey("create")},
	}
	for _, tt := range tests {
		t.Run(tt.argument, func(t *testing.T) {
			t.Parallel()
			urn := acctest.FunctionURN("hello")
			emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
			id := acctest.Invoke(t, emu, urn)
			known := map[string]string{
				"region":          fmt.Sprintf("%q", acctest.Region),
				"function_urn":    fmt.Sprintf("%q", urn),
				"request_id":      fmt.Sprintf("%q", id),
				"type":            `"force"`,
				"wait_for_stop":   "true",
				"timeouts.create": `"1m"`,
			}
			value := func(arg string) string {
				if arg == tt.argument {
					return "terraform_data.src.output"
				}
				return known[arg]
			}
			cfg := acctest.ProviderConfig(emu) + fmt.Sprintf(`
resource "terraform_data" "src" {
  input = %s
}

resource "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn  = %s
  request_id    = %s
  region        = %s
  type          = %s
  wait_for_stop = %s
  timeouts {
    create = %s
  }
}
`, known[tt.argument], value("function_urn"), value("request_id"), value("region"), value("type"),
				value("wait_for_stop"), value("timeouts.create"))
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectUnknownValue(cancelAddr, tt.unknown),
							plancheck.ExpectResourceAction(cancelAddr, plancheck.ResourceActionCreate),
						},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("type"), knownvalue.StringExact("force")),
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
					},
					Check: resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectInvocationStatus(emu, urn, id, "FAIL")),
				}},
			})
		})
	}
}

// A change of type or region alone updates the record in place: the cancel
// made stands (same acceptance time and X-Request-Id), nothing is sent.
func TestAsyncInvocationCancelResource_typeAndRegionUpdateInPlace(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	sameCancelledAt := statecheck.CompareValue(compare.ValuesSame())
	sameRequestID := statecheck.CompareValue(compare.ValuesSame())
	step := func(action plancheck.ResourceActionType, wantType knownvalue.Check, extra ...string) resource.TestStep {
		return resource.TestStep{
			Config: cancelConfig(emu, urn, id, extra...),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(cancelAddr, action)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("type"), wantType),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
				sameCancelledAt.AddStateValue(cancelAddr, tfjsonpath.New("cancelled_at")),
				sameRequestID.AddStateValue(cancelAddr, tfjsonpath.New("api_request_id")),
			},
			Check: resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectRequests(emu, 2)),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			step(plancheck.ResourceActionCreate, knownvalue.StringExact("force"), `type = "force"`),
			step(plancheck.ResourceActionUpdate, knownvalue.StringExact("recursive"), `type = "recursive"`, fmt.Sprintf("region = %q", acctest.Region)),
			step(plancheck.ResourceActionUpdate, knownvalue.Null()),
		},
	})
}

// An invocation that had ended on its own before the cancel is not a
// failure: the apply succeeds and the record says it was not cancelled and
// how it ended. One cancel was sent, and none accepted.
func TestAsyncInvocationCancelResource_endedOnItsOwn(t *testing.T) {
	t.Parallel()
	refused := fgsemu.Fault{Op: fgsemu.OpCancel, Times: 1, Status: 400, Body: `{"error_code":"FSS.0400","error_msg":"Invalid RequestId"}`}
	tests := []struct {
		name string
		// startedAgo back-dates the invocation; its function runs for an hour.
		startedAgo time.Duration
		faults     func(id string) []fgsemu.Fault
		extra      []string
		status     string
		errorCode  string
	}{
		{name: "succeeded", startedAgo: 2 * time.Hour, status: "SUCCESS", errorCode: ""},
		{name: "succeeded, not waiting", startedAgo: 2 * time.Hour, extra: []string{"wait_for_stop = false"}, status: "SUCCESS", errorCode: ""},
		{name: "succeeded more than a day ago", startedAgo: 30 * time.Hour, status: "SUCCESS", errorCode: ""},
		{name: "failed for another reason", status: "FAIL", errorCode: "5000", faults: func(id string) []fgsemu.Fault {
			return []fgsemu.Fault{refused, {Op: fgsemu.OpList, Times: 1, Status: 200, Body: fmt.Sprintf(
				`{"invocations":[{"request_id":%q,"status":"FAIL","error_code":5000,"error_message":"out of memory",`+
					`"start_time":"2026-12-01T12:00:00Z","end_time":"2026-12-01T12:00:05Z"}],"count":1,"next_marker":1}`, id)}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			urn := acctest.FunctionURN("hourly")
			emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn, RunFor: time.Hour})
			id, err := emu.InvokeStartedAt(urn, time.Now().Add(-tt.startedAgo))
			if err != nil {
				t.Fatal(err)
			}
			if tt.faults != nil {
				for _, f := range tt.faults(id) {
					if err := emu.InjectFault(f); err != nil {
						t.Fatal(err)
					}
				}
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config: cancelConfig(emu, urn, id, tt.extra...),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("id"), knownvalue.StringExact(urn+"/"+id)),
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact(tt.status)),
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_error_code"), knownvalue.StringExact(tt.errorCode)),
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.Null()),
						statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("api_request_id"), knownvalue.Null()),
					},
					Check: resource.ComposeTestCheckFunc(expectStats(emu, 0, 1), expectRequests(emu, 2)),
				}},
			})
		})
	}
}

// An invocation found already cancelled (here by a cancel sent outside
// Terraform) is recorded as cancelled, without an acceptance of its own.
func TestAsyncInvocationCancelResource_alreadyCancelled(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id := acctest.Invoke(t, emu, urn)
	client, err := fgs.New(fgs.Config{Credentials: fgs.Credentials{AccessKey: acctest.AccessKey, SecretKey: acctest.SecretKey}, EndpointOverride: emu.URL()})
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := fgs.ParseURN(urn)
	if _, err := client.Cancel(context.Background(), fgs.CancelRequest{URN: parsed, RequestID: id}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_error_code"), knownvalue.StringExact("4208")),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("api_request_id"), knownvalue.Null()),
			},
			// The one accepted cancel is the one sent before Terraform's.
			Check: expectStats(emu, 1, 2),
		}},
	})
}

// A long-running invocation, started hours before the cancel, is found by
// wait_for_stop: its lookups ask for a window reaching back 72 hours, where
// the API's default would see the last hour only.
func TestAsyncInvocationCancelResource_longRunningInvocation(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("batch")
	emu := acctest.StartEmulator(t, fgsemu.Function{URN: urn})
	id, err := emu.InvokeStartedAt(urn, time.Now().Add(-5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cancelConfig(emu, urn, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("final_status"), knownvalue.StringExact("FAIL")),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.StringRegexp(rfc3339UTC)),
			},
			Check: resource.ComposeTestCheckFunc(expectStats(emu, 1, 1), expectInvocationStatus(emu, urn, id, "FAIL")),
		}},
	})
}
