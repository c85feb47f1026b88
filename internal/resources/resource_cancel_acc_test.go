package resources_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// Against the real cloud: start an async invocation with the SDK, cancel it
// through Terraform, and see FunctionGraph stop it.
func TestAccAsyncInvocationCancelResource_basic(t *testing.T) {
	acctest.PreCheckCloud(t)
	urnString := acctest.CloudFunctionURN()
	id := acctest.InvokeCloudFunction(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.CloudProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "huaweicloud" {}

resource "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn = %q
  request_id   = %q
  type         = "force"
}
`, urnString, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("api_request_id"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
				statecheck.ExpectKnownValue(cancelAddr, tfjsonpath.New("cancelled_at"), knownvalue.StringRegexp(rfc3339UTC)),
			},
			Check: func(*terraform.State) error {
				urn, err := fgs.ParseURN(urnString)
				if err != nil {
					return err
				}
				client := acctest.CloudClient(t)
				// The platform takes a moment to stop the runtime: the client's own wait, bounded.
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				if inv, err := client.WaitForStop(ctx, urn, id, fgs.PollPolicy{Interval: 5 * time.Second}, nil); err != nil {
					return fmt.Errorf("invocation %s (last %q) not seen stopped within two minutes of the cancel: %w", id, inv.Status, err)
				}
				return nil
			},
		}},
	})
}

// Against the real cloud: an unknown request ID gives the FSS.0400 diagnostic.
func TestAccAsyncInvocationCancelResource_unknownRequest(t *testing.T) {
	acctest.PreCheckCloud(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.CloudProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "huaweicloud" {}

resource "huaweicloud_fgs_async_invocation_cancel" "test" {
  function_urn = %q
  request_id   = "00000000-0000-0000-0000-000000000000"
}
`, acctest.CloudFunctionURN()),
			ExpectError: acctest.ErrorPattern(`Invocation Cannot Be Cancelled.*HTTP status: 400`),
		}},
	})
}
