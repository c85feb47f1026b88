package resources

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
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

const descCreateTimeout = "How long the cancel may take with all its retries and, with `wait_for_stop`, the wait for the invocation to end: " +
	"a positive duration such as `30s`, `5m` or `1h`. Defaults to `5m`. Changing it later only updates the record."

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
	attributes := map[string]schema.Attribute{
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
			MarkdownDescription: descCancelType + " Changing it once the cancel was made only updates the record: the cancel made stands, and nothing is sent.",
			Validators:          []validator.String{validators.CancelType()},
		},
		"region": schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: descRegion + " Setting or removing it later only updates the record and sends nothing.",
			Validators:          []validator.String{validators.Region()},
		},
		"wait_for_stop": schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
			MarkdownDescription: descWaitForStop + " Changing it later does not send the cancel again.",
		},
	}
	maps.Copy(attributes, cancelRecordAttributes())
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels an asynchronous FunctionGraph invocation, once. " +
			"Creating the resource sends the cancel and records its outcome: accepted, found already cancelled, " +
			"or found already ended on its own (a warning, not an error: the invocation is not running either way). " +
			"Reading and destroying it call nothing; destroying only forgets the record, since a cancelled invocation cannot be resumed. " +
			"Changing `function_urn` or `request_id` replaces it, which sends a new cancel; " +
			"changing `type`, `region`, `wait_for_stop` or `timeouts` only updates the record and sends nothing.",
		Attributes: attributes,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, CreateDescription: descCreateTimeout}),
		},
	}
}

// cancelRecordAttributes are what the resource records of the cancel made.
func cancelRecordAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"cancelled": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "Whether a cancel stopped the invocation: `true` when FunctionGraph accepted this cancel, " +
				"or the invocation was found already cancelled (error code `4208`, or stopped after an attempt whose answer was lost); " +
				"`false` when it had already ended on its own (`final_status` says how) and nothing was cancelled.",
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"final_status": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "How the invocation ended (`SUCCESS`, `FAIL` or `DISCARD`), as seen by `wait_for_stop`, " +
				"or as found when the invocation had already ended. Null when not waiting, or when its status could not be read.",
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
			Computed: true,
			MarkdownDescription: "When FunctionGraph's answer accepting the cancel arrived, in RFC 3339 format (UTC), by this machine's clock; " +
				"not when the invocation ended, which `wait_for_stop` may wait for afterwards. " +
				"Null when no answer accepted this cancel: the invocation was found already cancelled or already ended (see `cancelled`).",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"api_request_id": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The `X-Request-Id` of FunctionGraph's answer that accepted the cancel; quote it in a support ticket. " +
				"Null as `cancelled_at` is.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"stop_pending": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "Whether the invocation's end is still to be seen: `true` when the cancel was accepted but the wait for the stop " +
				"ended first (`timeouts.create` passed, or the apply was interrupted). The apply then warns instead of failing, " +
				"so the record is kept rather than tainted, and the next apply waits again, in place, without sending a new cancel. " +
				"`false` once the end was seen, and when there is nothing to wait for (`wait_for_stop = false`, or a stop that could not be confirmed).",
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
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
	m.validateAgainstURN(&resp.Diagnostics)
	validatePositiveTimeout(m.Timeouts, path.Root("timeouts"), &resp.Diagnostics)
}

// ModifyPlan fills region from the URN when it is not set, checks the URN
// against the provider so contradictions fail at plan rather than at apply,
// and says when an update will send nothing.
func (r *asyncInvocationCancelResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing is sent
	}
	var m asyncInvocationCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planRegion(ctx, r.data, m.FunctionURN, req.Config, &resp.Plan, &resp.Diagnostics)
	if req.State.Raw.IsNull() {
		return
	}
	var prior asyncInvocationCancelResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.FunctionURN.IsUnknown() || m.RequestID.IsUnknown() || !m.FunctionURN.Equal(prior.FunctionURN) || !m.RequestID.Equal(prior.RequestID) {
		return // replaced: a new cancel
	}
	if prior.StopPending.ValueBool() {
		planPendingStop(ctx, m, prior, resp)
	}
	if !m.Type.Equal(prior.Type) {
		resp.Diagnostics.AddAttributeWarning(path.Root("type"), "Changing type Sends Nothing",
			fmt.Sprintf("The cancel of request %s was already made (type %s); changing type only updates the record, and nothing is sent to FunctionGraph. "+
				"To send a new cancel, replace the resource: terraform apply -replace=<address>.",
				prior.RequestID.ValueString(), typeText(prior.Type)))
	}
}

// planPendingStop plans, for a record whose stop is pending, a wait in place
// that sends no cancel (its end unknown until seen), or with wait_for_stop
// turned off, the end of waiting.
func planPendingStop(ctx context.Context, m, prior asyncInvocationCancelResourceModel, resp *resource.ModifyPlanResponse) {
	if !m.WaitForStop.IsUnknown() && !m.WaitForStop.ValueBool() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("stop_pending"), false)...)
		return
	}
	for _, name := range []string{"final_status", "final_error_code", "final_error_message"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("stop_pending"), types.BoolUnknown())...)
	resp.Diagnostics.AddWarning("Waiting Again for the Invocation to Stop",
		fmt.Sprintf("FunctionGraph accepted the cancel of request %s at %s, but the invocation was not yet seen to end when the wait stopped (stop_pending = true). "+
			"This apply waits again for it to end, in place, within timeouts.create, and sends no new cancel; cancelled_at and api_request_id are kept. "+
			"Set wait_for_stop = false to stop waiting.\n\nAPI request ID of the cancel (X-Request-Id): %s",
			prior.RequestID.ValueString(), prior.CancelledAt.ValueString(), prior.APIRequestID.ValueString()))
}

// typeText names a cancel type as configured, "not set" for null.
func typeText(v types.String) string {
	if v.IsNull() || v.ValueString() == "" {
		return "not set"
	}
	return fmt.Sprintf("%q", v.ValueString())
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
		data: r.data, args: m.cancelArgs, waitForStop: m.WaitForStop.ValueBool(),
		timeout: timeout, timeoutSetting: "timeouts.create", recordsState: true,
	}
	out := run.send(ctx, &resp.Diagnostics)
	if !out.done {
		return
	}
	// Recorded even if waiting failed: the cancel was accepted and must not be lost.
	m.ID = types.StringValue(out.req.URN.String() + "/" + out.req.RequestID)
	m.Region = types.StringValue(out.req.URN.Region)
	m.Cancelled = types.BoolValue(out.cancelled)
	m.CancelledAt = out.acceptedAt()
	m.APIRequestID = out.apiRequestID()
	m.setFinal(out.final, out.stopPending)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read calls nothing: a cancel is an event in the past, and the record of it
// stays true whatever the invocation does later.
func (r *asyncInvocationCancelResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}

// Update sends no cancel: type, region, wait_for_stop and timeouts shape how a
// cancel is sent, not which invocation it stops, and the cancel was made. A
// record whose stop is pending (planned unknown) waits again for the end.
func (r *asyncInvocationCancelResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior asyncInvocationCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.StopPending.IsUnknown() {
		r.waitAgain(ctx, &m, prior, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// waitAgain waits for the end of an invocation whose accepted cancel a
// cut-short wait left pending, and records it; it sends no cancel.
func (r *asyncInvocationCancelResource) waitAgain(ctx context.Context, m *asyncInvocationCancelResourceModel, prior asyncInvocationCancelResourceModel, diags *diag.Diagnostics) {
	m.setFinal(nil, false)
	if !prior.StopPending.ValueBool() || !m.WaitForStop.ValueBool() {
		m.FinalStatus, m.FinalErrorCode, m.FinalErrorMessage = prior.FinalStatus, prior.FinalErrorCode, prior.FinalErrorMessage
		return
	}
	timeout, d := m.Timeouts.Create(ctx, defaultCancelTimeout)
	diags.Append(d...)
	if diags.HasError() {
		m.StopPending = types.BoolValue(true)
		return
	}
	run := cancelRun{data: r.data, args: m.cancelArgs, waitForStop: true, timeout: timeout, timeoutSetting: "timeouts.create", recordsState: true}
	m.setFinal(run.waitAgain(ctx, prior.APIRequestID.ValueString(), diags))
}

// Delete forgets the record, as forgetRecord says.
func (r *asyncInvocationCancelResource) Delete(_ context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	forgetRecord(req, resp, nil)
}

func (r *asyncInvocationCancelResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Import Not Supported",
		"huaweicloud_fgs_async_invocation_cancel records a cancel that this configuration sent; there is nothing in FunctionGraph to import. "+
			"To cancel an invocation, add the resource to the configuration and apply it.")
}

// asyncInvocationCancelResourceModel is the resource's state.
type asyncInvocationCancelResourceModel struct {
	cancelArgs
	ID                types.String   `tfsdk:"id"`
	WaitForStop       types.Bool     `tfsdk:"wait_for_stop"`
	Cancelled         types.Bool     `tfsdk:"cancelled"`
	FinalStatus       types.String   `tfsdk:"final_status"`
	FinalErrorCode    types.String   `tfsdk:"final_error_code"`
	FinalErrorMessage types.String   `tfsdk:"final_error_message"`
	CancelledAt       types.String   `tfsdk:"cancelled_at"`
	APIRequestID      types.String   `tfsdk:"api_request_id"`
	StopPending       types.Bool     `tfsdk:"stop_pending"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

// setFinal records how the invocation ended (nil: not seen) and whether its
// end is still to be waited for.
func (m *asyncInvocationCancelResourceModel) setFinal(final *fgs.Invocation, stopPending bool) {
	m.FinalStatus, m.FinalErrorCode, m.FinalErrorMessage = types.StringNull(), types.StringNull(), types.StringNull()
	if final != nil {
		m.FinalStatus = types.StringValue(final.Status)
		m.FinalErrorCode = types.StringValue(final.ErrorCode)
		m.FinalErrorMessage = types.StringValue(final.ErrorMessage)
	}
	m.StopPending = types.BoolValue(stopPending)
}
