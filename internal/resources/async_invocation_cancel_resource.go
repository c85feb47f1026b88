package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/validators"
)

var (
	_ resource.Resource                   = (*asyncInvocationCancelResource)(nil)
	_ resource.ResourceWithConfigure      = (*asyncInvocationCancelResource)(nil)
	_ resource.ResourceWithValidateConfig = (*asyncInvocationCancelResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*asyncInvocationCancelResource)(nil)
	_ resource.ResourceWithImportState    = (*asyncInvocationCancelResource)(nil)
)

// NewAsyncInvocationCancelResource is the one-shot cancel: create sends it,
// and nothing else touches the API.
func NewAsyncInvocationCancelResource() resource.Resource {
	return &asyncInvocationCancelResource{}
}

type asyncInvocationCancelResource struct {
	data *ProviderData
}

func (r *asyncInvocationCancelResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + cancelTypeName
}

func (r *asyncInvocationCancelResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels an asynchronous FunctionGraph invocation, once. " +
			"Creating the resource sends the cancel and records that it was accepted; reading and destroying it call nothing, " +
			"and changing any argument replaces it, which sends a new cancel.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<function_urn>/<request_id>`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"function_urn": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: descFunctionURN,
				Validators:          []validator.String{validators.FunctionURN()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"request_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: descRequestID,
				Validators:          []validator.String{validators.RequestID()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descCancelType,
				Validators:          []validator.String{stringvalidator.OneOf(fgs.CancelTypes...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: descRegion,
				Validators:          []validator.String{validators.Region()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"wait_for_stop": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: descWaitForStop + " Changing it later does not send the cancel again.",
			},
			"final_status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "How the invocation ended (`SUCCESS`, `FAIL` or `DISCARD`), as seen by `wait_for_stop`. " +
					"Null when not waiting, or when its status could not be read.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"final_error_code": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The ended invocation's error code, such as `4208` (function invocation canceled). Null as `final_status` is.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"final_error_message": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The ended invocation's error message. Null as `final_status` is.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cancelled_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When FunctionGraph accepted the cancel, in RFC 3339 format (UTC).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"api_request_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The `X-Request-Id` of FunctionGraph's answer that accepted the cancel; quote it in a support ticket.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true}),
		},
	}
}

func (r *asyncInvocationCancelResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *asyncInvocationCancelResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m asyncInvocationCancelResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.args().validateAgainstURN(&resp.Diagnostics)
}

// ModifyPlan fills region from the URN and checks the URN against the
// provider, so contradictions fail at plan rather than at apply.
func (r *asyncInvocationCancelResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing is sent
	}
	var m asyncInvocationCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	urn, ok := plannedURN(r.data, m.FunctionURN, &resp.Diagnostics)
	if ok && m.Region.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("region"), urn.Region)...)
	}
}

func (r *asyncInvocationCancelResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m asyncInvocationCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, defaultCancelTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	run := cancelRun{
		data: r.data, args: m.args(), waitForStop: m.WaitForStop.ValueBool(),
		timeout: timeout, timeoutSetting: "timeouts.create",
	}
	out := run.send(ctx, &resp.Diagnostics)
	if !out.accepted {
		return
	}
	// Recorded even if waiting failed: the cancel was accepted and must not be lost.
	m.ID = types.StringValue(out.req.URN.String() + "/" + out.req.RequestID)
	m.Region = types.StringValue(out.req.URN.Region)
	m.CancelledAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
	m.APIRequestID = types.StringValue(out.res.APIRequestID)
	m.FinalStatus, m.FinalErrorCode, m.FinalErrorMessage = types.StringNull(), types.StringNull(), types.StringNull()
	if out.final != nil {
		m.FinalStatus = types.StringValue(out.final.Status)
		m.FinalErrorCode = types.StringValue(out.final.ErrorCode)
		m.FinalErrorMessage = types.StringValue(out.final.ErrorMessage)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read calls nothing: a cancel is an event in the past, and the record of it
// stays true whatever the invocation does later.
func (r *asyncInvocationCancelResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}

// Update only happens for timeouts and wait_for_stop, which do not replace:
// they shape a cancel being sent, not which cancel it is.
func (r *asyncInvocationCancelResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m asyncInvocationCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete only forgets: a cancelled invocation cannot be resumed.
func (r *asyncInvocationCancelResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m asyncInvocationCancelResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.AddWarning("Cancel Cannot Be Undone",
		fmt.Sprintf("Removed the record of cancelling request %q from the state. Nothing was sent to FunctionGraph: "+
			"a cancelled invocation stays cancelled and cannot be resumed.", m.RequestID.ValueString()))
}

func (r *asyncInvocationCancelResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Import Not Supported",
		"huaweicloud_fgs_async_invocation_cancel records a cancel that this configuration sent; there is nothing in FunctionGraph to import. "+
			"To cancel an invocation, add the resource to the configuration and apply it.")
}

// asyncInvocationCancelResourceModel is the resource's state.
type asyncInvocationCancelResourceModel struct {
	ID                types.String   `tfsdk:"id"`
	FunctionURN       types.String   `tfsdk:"function_urn"`
	RequestID         types.String   `tfsdk:"request_id"`
	Type              types.String   `tfsdk:"type"`
	Region            types.String   `tfsdk:"region"`
	WaitForStop       types.Bool     `tfsdk:"wait_for_stop"`
	FinalStatus       types.String   `tfsdk:"final_status"`
	FinalErrorCode    types.String   `tfsdk:"final_error_code"`
	FinalErrorMessage types.String   `tfsdk:"final_error_message"`
	CancelledAt       types.String   `tfsdk:"cancelled_at"`
	APIRequestID      types.String   `tfsdk:"api_request_id"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

func (m asyncInvocationCancelResourceModel) args() cancelArgs {
	return cancelArgs{FunctionURN: m.FunctionURN, RequestID: m.RequestID, Type: m.Type, Region: m.Region}
}
