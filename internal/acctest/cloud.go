package acctest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

// Variables the acceptance tests against the real cloud need.
var cloudVariables = []string{"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_REGION_NAME", "HW_FGS_FUNCTION_URN"}

// PreCheckCloud skips an acceptance test, saying why, unless TF_ACC and the
// cloud variables are set. HW_FGS_FUNCTION_URN names a function the test may
// invoke asynchronously and whose invocations it may cancel.
func PreCheckCloud(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test against the real cloud: set TF_ACC=1 and " + strings.Join(cloudVariables, ", ") + " to run it")
	}
	var missing []string
	for _, v := range cloudVariables {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		t.Skip("acceptance test against the real cloud: missing " + strings.Join(missing, ", "))
	}
}

// CloudFunctionURN is the function the acceptance tests use.
func CloudFunctionURN() string { return os.Getenv("HW_FGS_FUNCTION_URN") }

// CloudProviderFactories serve the provider as users run it: the machine's
// environment and the default retry timing.
func CloudProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return ProviderFactories(provider.WithGetenv(os.Getenv), provider.WithRetryPolicy(fgs.DefaultRetryPolicy))
}

// CloudClient is a FunctionGraph client with the acceptance credentials.
func CloudClient(t *testing.T) *fgs.Client {
	t.Helper()
	c, err := fgs.New(fgs.Config{
		Credentials: fgs.Credentials{
			AccessKey: os.Getenv("HW_ACCESS_KEY"), SecretKey: os.Getenv("HW_SECRET_KEY"), SecurityToken: os.Getenv("HW_SECURITY_TOKEN"),
		},
		Cloud:            os.Getenv("HW_CLOUD"),
		EndpointOverride: os.Getenv("HW_FGS_ENDPOINT"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// InvokeCloudFunction starts an async invocation of the acceptance function.
func InvokeCloudFunction(t *testing.T) string {
	t.Helper()
	urn, err := fgs.ParseURN(CloudFunctionURN())
	if err != nil {
		t.Fatalf("HW_FGS_FUNCTION_URN: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id, err := CloudClient(t).InvokeAsync(ctx, urn, map[string]any{"source": "terraform-provider-huaweicloud acceptance test"})
	if err != nil {
		t.Fatalf("invoking %s: %v", urn, err)
	}
	return id
}
