package resources_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// Against the real cloud, on Terraform 1.14+: an action_trigger cancels the
// invocation just started.
func TestAccAsyncInvocationCancelAction_triggered(t *testing.T) {
	acctest.PreCheckCloud(t)
	urnString := acctest.CloudFunctionURN()
	id := acctest.InvokeCloudFunction(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   acctest.RunsActions,
		ProtoV6ProviderFactories: acctest.CloudProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "huaweicloud" {}

action "huaweicloud_fgs_async_invocation_cancel" "stop" {
  config {
    function_urn = %q
    request_id   = %q
    type         = "force"
  }
}

resource "terraform_data" "trigger" {
  input = "v1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.huaweicloud_fgs_async_invocation_cancel.stop]
    }
  }
}
`, urnString, id),
			Check: func(*terraform.State) error {
				urn, err := fgs.ParseURN(urnString)
				if err != nil {
					return err
				}
				// wait_for_stop (the default) returned only once the invocation ended.
				inv, found, err := acctest.CloudClient(t).GetInvocation(context.Background(), urn, id)
				if err != nil {
					return err
				}
				if !found || !fgs.IsFinalStatus(inv.Status) {
					return fmt.Errorf("invocation %s is %q after the action", id, inv.Status)
				}
				return nil
			},
		}},
	})
}
