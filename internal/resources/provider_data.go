// Package resources holds the provider's types: the cancel resource and
// action, the async invocations data source, and what they share.
package resources

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// ProviderData is what the provider block resolves to, built once in the
// provider's Configure and handed to every resource, data source and action.
type ProviderData struct {
	// Client is nil while the provider's configuration is not yet known
	// (a plan that depends on other resources' values).
	Client *fgs.Client
	// Region is the provider's region; a function URN's own region wins.
	Region string
	// ProjectID is the provider's project_id, which belongs to Region only.
	ProjectID string
	// StopPoll paces wait_for_stop's status queries; zero is the default.
	StopPoll fgs.PollPolicy
}

// client returns the shared client, or reports that the provider's
// configuration was not known when it was needed for doing something.
func (pd *ProviderData) client(doing string, diags *diag.Diagnostics) *fgs.Client {
	if pd == nil || pd.Client == nil {
		diags.AddError("Provider Not Configured",
			"The huaweicloud provider's configuration was not known when "+doing+". "+
				"This is a bug in the provider or Terraform; please report it.")
		return nil
	}
	return pd.Client
}

// providerDataFrom converts the framework's opaque provider data. A nil value
// means Configure has not run (validation) and is not an error.
func providerDataFrom(v any, diags *diag.Diagnostics) *ProviderData {
	if v == nil {
		return nil
	}
	pd, ok := v.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *resources.ProviderData, got %T. This is a bug in the provider; please report it.", v))
		return nil
	}
	return pd
}
