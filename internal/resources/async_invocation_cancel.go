package resources

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// What the cancel resource and the cancel action share: the arguments'
// descriptions, their checks, and the building of the API request.

const cancelTypeName = "fgs_async_invocation_cancel"

const (
	descFunctionURN = "The URN of the function whose invocation to cancel: `" + fgs.URNFormat + "`, " +
		"as shown on the function's page in the console. Its region and project decide where the cancel goes."
	descRequestID = "The request ID of the asynchronous invocation to cancel, as returned when the function was invoked " +
		"asynchronously (or listed by the `huaweicloud_fgs_async_invocations` data source)."
	descCancelType = "How to stop the invocation: `force` terminates the function's runtime directly; " +
		"`recursive` also stops the child functions it is invoking. Omit it to let FunctionGraph choose. " +
		"FunctionGraph currently supports only the force behaviour (`recursive` false, `force` true)."
	descRegion = "The region of the function. Defaults to the region in `function_urn`; if set, it must be the same."
)

// cancelArgs are the arguments the resource and the action have in common.
type cancelArgs struct {
	FunctionURN types.String
	RequestID   types.String
	Type        types.String
	Region      types.String
}

// known reports whether every argument is known, so the request can be built.
func (a cancelArgs) known() bool {
	return !a.FunctionURN.IsUnknown() && !a.RequestID.IsUnknown() && !a.Type.IsUnknown() && !a.Region.IsUnknown()
}

// validateAgainstURN checks what needs no provider: the region argument
// against the URN's. Unknown values pass; they are checked once known.
func (a cancelArgs) validateAgainstURN(diags *diag.Diagnostics) {
	if a.FunctionURN.IsUnknown() || a.FunctionURN.IsNull() || a.Region.IsUnknown() || a.Region.IsNull() {
		return
	}
	urn, err := fgs.ParseURN(a.FunctionURN.ValueString())
	if err != nil {
		return // the attribute's own validator reports it
	}
	if a.Region.ValueString() != urn.Region {
		diags.AddAttributeError(path.Root("region"), "Region Contradicts Function URN",
			fmt.Sprintf("region is %q but function_urn names region %q. The function lives where its URN says; "+
				"remove region or set it to %q.", a.Region.ValueString(), urn.Region, urn.Region))
	}
}

// cancelRequest builds the API request and checks it against the provider:
// the project ID and an endpoint for the URN's region. It reports each
// contradiction on the argument to blame and returns false if any.
func (a cancelArgs) cancelRequest(pd *ProviderData, diags *diag.Diagnostics) (fgs.CancelRequest, bool) {
	urn, err := fgs.ParseURN(a.FunctionURN.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("function_urn"), "Invalid Function URN", err.Error())
		return fgs.CancelRequest{}, false
	}
	n := diags.ErrorsCount()
	a.validateAgainstURN(diags)
	req := fgs.CancelRequest{URN: urn, RequestID: a.RequestID.ValueString(), Type: fgs.CancelType(a.Type.ValueString())}
	if err := req.Validate(); err != nil {
		diags.AddAttributeError(path.Root("request_id"), "Invalid Cancel Request", err.Error())
	}
	if pd != nil {
		checkProviderFits(pd, urn, diags)
	}
	return req, diags.ErrorsCount() == n
}

// checkProviderFits checks the provider's project ID (which belongs to the
// provider's region only) and that the URN's region can be reached.
func checkProviderFits(pd *ProviderData, urn fgs.URN, diags *diag.Diagnostics) {
	if pd.ProjectID != "" && pd.Region == urn.Region && pd.ProjectID != urn.ProjectID {
		diags.AddAttributeError(path.Root("function_urn"), "Project ID Contradicts Function URN",
			fmt.Sprintf("The provider's project_id is %q for region %q, but function_urn names project %q in that region. "+
				"Fix function_urn, or set the provider's project_id (HW_PROJECT_ID) to the function's project.",
				pd.ProjectID, pd.Region, urn.ProjectID))
	}
	if pd.Client == nil {
		return
	}
	if _, err := pd.Client.Endpoint(urn.Region); err != nil {
		diags.AddAttributeError(path.Root("function_urn"), "No Endpoint for the Function's Region",
			fmt.Sprintf("function_urn names region %q, which has no FunctionGraph endpoint: %s.\n\n"+
				"Check the region in the URN, or set the provider's endpoints.fgs to reach a region the SDK does not know yet.", urn.Region, err))
	}
}
