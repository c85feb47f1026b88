package resources_test

import (
	"fmt"
	"strings"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
)

// cancelShape is one shape of the cancel, written as a user writes it.
type cancelShape struct {
	name      string
	typeName  string
	action    bool // an action block (Terraform 1.14+), run by a terraform_data's action_trigger
	ephemeral bool
	bulk      bool // request_ids = [the ID] instead of request_id
	// waitShown, for an action, is the last progress line it sends before
	// it sleeps between status queries: Terraform 1.14.9 crashes when
	// Ctrl-C comes before it has read each progress event.
	waitShown string
}

var cancelShapes = []cancelShape{
	{name: "resource", typeName: "huaweicloud_fgs_async_invocation_cancel"},
	{name: "ephemeral", typeName: "huaweicloud_fgs_async_invocation_cancel", ephemeral: true},
	{name: "action", typeName: "huaweicloud_fgs_async_invocation_cancel", action: true, waitShown: " is RUNNING after "},
	{name: "bulk_resource", typeName: "huaweicloud_fgs_async_invocations_cancel", bulk: true},
	{name: "bulk_action", typeName: "huaweicloud_fgs_async_invocations_cancel", action: true, bulk: true, waitShown: " cancelled invocation to stop"},
}

// shapeArgs are the arguments every shape takes, as HCL expressions; an
// empty one is left out.
type shapeArgs struct {
	urn, requestID, region, timeout, cancelType, waitForStop string
}

// timeoutArg is the argument that holds the timeout: resources take the
// framework's timeouts block, which reports itself as create.
func (s cancelShape) timeoutArg() string {
	if s.action || s.ephemeral {
		return "timeout"
	}
	return "create"
}

// requestIDArg is the argument that holds the request ID.
func (s cancelShape) requestIDArg() string {
	if s.bulk {
		return "request_ids"
	}
	return "request_id"
}

// config writes the shape's block with the arguments, and what runs it: a
// trigger for an action (unless it is invoked directly), a check that reads
// an ephemeral (OpenTofu opens one at apply only when something reads it).
func (s cancelShape) config(a shapeArgs, trigger bool) string {
	var b strings.Builder
	line := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %s = %s\n", name, value)
		}
	}
	if s.ephemeral {
		line("enabled", "terraform.applying")
	}
	line("function_urn", a.urn)
	if s.bulk && a.requestID != "" {
		line("request_ids", "["+a.requestID+"]")
	} else {
		line("request_id", a.requestID)
	}
	line("region", a.region)
	line("type", a.cancelType)
	line("wait_for_stop", a.waitForStop)
	if a.timeout != "" {
		if s.action || s.ephemeral {
			line("timeout", a.timeout)
		} else {
			fmt.Fprintf(&b, "  timeouts {\n    create = %s\n  }\n", a.timeout)
		}
	}
	switch {
	case s.action && !trigger:
		return fmt.Sprintf("\naction %q \"test\" {\n  config {\n%s  }\n}\n", s.typeName, b.String())
	case s.action:
		return fmt.Sprintf(triggeredAction, s.typeName, b.String())
	case s.ephemeral:
		return fmt.Sprintf(readEphemeral, s.typeName, b.String())
	}
	return fmt.Sprintf("\nresource %q \"test\" {\n%s}\n", s.typeName, b.String())
}

// laterBlock holds values Terraform knows only at apply.
func laterBlock(urn, id string) string {
	return fmt.Sprintf(`
resource "terraform_data" "later" {
  input = { urn = %q, id = %q, region = %q, timeout = "1m", type = "force", wait = true }
}
`, urn, id, acctest.Region)
}

// knownArgs are the function and request ID, known at plan.
func knownArgs(urn, id string) shapeArgs {
	return shapeArgs{urn: fmt.Sprintf("%q", urn), requestID: fmt.Sprintf("%q", id)}
}

// withArgs is the known arguments, changed by set.
func withArgs(set func(a *shapeArgs)) func(urn, id string) shapeArgs {
	return func(urn, id string) shapeArgs {
		a := knownArgs(urn, id)
		set(&a)
		return a
	}
}

// knownAtApply begins the expression of a value of terraform_data.later.
const knownAtApply = "terraform_data.later.output."

// triggeredAction is an action (type, config lines) a terraform_data's creation invokes.
const triggeredAction = `
action %[1]q "test" {
  config {
%[2]s  }
}

resource "terraform_data" "trigger" {
  input = "v1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.%[1]s.test]
    }
  }
}
`

// readEphemeral is an ephemeral cancel (type, argument lines) with the
// check the docs show, which reads it.
const readEphemeral = `
ephemeral %[1]q "test" {
%[2]s}

check "cancel_sent" {
  assert {
    condition     = ephemeral.%[1]s.test.sent == terraform.applying
    error_message = "This apply sent no cancel."
  }
}
`
