package resources

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

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
	// UnknownArguments names the provider arguments not yet known, when
	// that is why there is no Client.
	UnknownArguments []string
	// done is what bulk records showed done, for a replacement in this process.
	done doneMemory
}

// client returns the shared client, or reports that the provider's
// configuration was not known when it was needed for doing something.
func (pd *ProviderData) client(doing string, diags *diag.Diagnostics) *fgs.Client {
	switch {
	case pd == nil:
		diags.AddError("Provider Not Configured",
			"The huaweicloud provider had not been configured when "+doing+". "+
				"This is a bug in the provider or Terraform; please report it.")
		return nil
	case pd.Client == nil:
		which := "Some of its arguments depend"
		if len(pd.UnknownArguments) > 0 {
			which = "Its arguments " + strings.Join(pd.UnknownArguments, ", ") + " depend"
		}
		diags.AddError("Provider Configuration Not Known Yet",
			"The huaweicloud provider's configuration was not known yet when "+doing+". "+
				which+" on values known only after apply (another resource's attributes).\n\n"+
				"Make them known at plan time (literal values, input variables, or the HW_* environment variables), "+
				"or apply in two steps: first what they depend on (terraform apply -target=<that resource>), then everything.")
		return nil
	}
	return pd.Client
}

// doneMemory remembers, for one configured provider (one provider process
// in a Terraform run), every request ID a bulk record showed cancelled or
// ended, by function URN. A tainted bulk resource is replaced by Delete then
// Create in the same process: Delete fills it and Create reads it, so the
// replacement sends none of them again.
type doneMemory struct {
	mu    sync.Mutex
	byURN map[string]map[string]bulkOutcome
}

func (pd *ProviderData) rememberDone(urn string, r *bulkRecord) {
	if pd == nil {
		return
	}
	d := &pd.done
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byURN == nil {
		d.byURN = map[string]map[string]bulkOutcome{}
	}
	m := d.byURN[urn]
	if m == nil {
		m = map[string]bulkOutcome{}
		d.byURN[urn] = m
	}
	for _, id := range r.order {
		if e := r.byID[id]; e.outcome != outcomeFailed {
			m[id] = e.outcome
		}
	}
}

// recallDone adds to r what this provider knows done among ids, and returns
// the IDs of ids still to send.
func (pd *ProviderData) recallDone(urn string, ids []string, r *bulkRecord) []string {
	if pd == nil {
		return ids
	}
	d := &pd.done
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.byURN[urn]
	var rest []string
	for _, id := range ids {
		if o, ok := m[id]; ok {
			r.put(bulkEntry{id: id, outcome: o})
			continue
		}
		rest = append(rest, id)
	}
	return rest
}

// UnknownArguments lists the top-level arguments of a provider configuration
// that are not fully known, sorted; nil when all are known.
func UnknownArguments(config tftypes.Value) []string {
	var args map[string]tftypes.Value
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	if err := config.As(&args); err != nil {
		return nil
	}
	var unknown []string
	for name, v := range args {
		if !v.IsFullyKnown() {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	return unknown
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
