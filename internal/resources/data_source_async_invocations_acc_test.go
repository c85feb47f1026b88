package resources_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
)

// Against the real cloud: the data source lists the invocation just started,
// with its status, and filters on its request ID.
func TestAccAsyncInvocationsDataSource_basic(t *testing.T) {
	acctest.PreCheckCloud(t)
	id := acctest.InvokeCloudFunction(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.CloudProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "huaweicloud" {}

data "huaweicloud_fgs_async_invocations" "test" {
  function_urn = %q
  request_id   = %q
}
`, acctest.CloudFunctionURN(), id),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr("data.huaweicloud_fgs_async_invocations.test", "invocations.#", "1"),
				resource.TestCheckResourceAttr("data.huaweicloud_fgs_async_invocations.test", "invocations.0.request_id", id),
				resource.TestMatchResourceAttr("data.huaweicloud_fgs_async_invocations.test", "invocations.0.status", regexp.MustCompile(`^(WAIT|RUNNING|SUCCESS|FAIL|DISCARD)$`)),
				resource.TestMatchResourceAttr("data.huaweicloud_fgs_async_invocations.test", "invocations.0.start_time", rfc3339UTC),
			),
		}},
	})
}
