package provider_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// An apply that outlasts the agency's temporary credentials renews them,
// and every cancel is accepted.
func TestProvider_assumedAgencyRenewedDuringLongApply(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartAuthEmulator(t, fgsemu.Options{TempCredentialTTL: 2 * time.Second, Latency: 300 * time.Millisecond}, fgsemu.Function{URN: urn})
	ids := invokeN(t, emu, urn, 8)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(
				fmt.Sprintf("access_key = %q", acctest.AccessKey),
				fmt.Sprintf("secret_key = %q", acctest.SecretKey),
				fmt.Sprintf("region = %q", acctest.Region),
				fmt.Sprintf("endpoints = { fgs = %q, iam = %q }", emu.URL(), emu.URL()),
				fmt.Sprintf("assume_role {\n    agency_name = %q\n    domain_name = %q\n  }", acctest.AgencyName, acctest.AgencyDomain),
			) + cancels(urn, ids, true),
			Check: func(*terraform.State) error {
				s := emu.Stats()
				if s.AcceptedCancels != int64(len(ids)) || s.IAMCalls < 2 {
					return fmt.Errorf("want %d accepted cancels and the credentials renewed (IAM calls > 1), got %+v", len(ids), s)
				}
				return nil
			},
		}},
	})
}

// IAM's refusal to issue the agency's credentials fails the cancel with a
// diagnostic that names IAM and the agency settings, and nothing reaches FunctionGraph.
func TestProvider_agencyRefusedByIAM(t *testing.T) {
	t.Parallel()
	urn := acctest.FunctionURN("hello")
	emu := acctest.StartAuthEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: urn})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(
				fmt.Sprintf("token = %q", acctest.AuthToken),
				fmt.Sprintf("auth_url = %q", emu.URL()+"/v3"),
				fmt.Sprintf("endpoints = { fgs = %q }", emu.URL()),
				"assume_role {\n    agency_name = \"not-delegated\"\n    domain_name = \"acme\"\n  }",
			) + cancelBlock(urn, acctest.Invoke(t, emu, urn)),
			ExpectError: acctest.ErrorPattern(`Failed to Cancel Async Invocation: Cannot Assume Agency.*IAM refused to issue temporary credentials for the agency. Nothing was sent to FunctionGraph.*assume_role.agency_name.*HTTP status: 403.*Error code: IAM.0002`),
		}},
	})
	if s := emu.Stats(); s.RequestsByOp[fgsemu.OpCancel] != 0 || s.IAMCalls != 1 {
		t.Fatalf("want one IAM call and no cancel, got %+v", s)
	}
}
