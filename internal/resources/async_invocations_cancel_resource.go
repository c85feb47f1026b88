package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/validators"
)

var (
	_ resource.Resource                   = (*asyncInvocationsCancelResource)(nil)
	_ resource.ResourceWithConfigure      = (*asyncInvocationsCancelResource)(nil)
	_ resource.ResourceWithValidateConfig = (*asyncInvocationsCancelResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*asyncInvocationsCancelResource)(nil)
	_ resource.ResourceWithImportState    = (*asyncInvocationsCancelResource)(nil)
)

// NewAsyncInvocationsCancelResource is the one-shot bulk cancel: create
// sends the cancels, and nothing else touches the API.
func NewAsyncInvocationsCancelResource() resource.Resource {
	return &asyncInvocationsCancelResource{}
}

type asyncInvocationsCancelResource struct {
	data *ProviderData
}

func (r *asyncInvocationsCancelResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + bulkCancelTypeName
}

func (r *asyncInvocationsCancelResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.List{listplanmodifier.UseStateForUnknown()}
	window := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: desc,
			Validators: []validator.String{
				validators.RFC3339(),
				stringvalidator.ConflictsWith(path.MatchRoot("request_ids")),
			},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels many asynchronous FunctionGraph invocations of one function, once, with a bounded number of " +
			"requests in flight: the listed `request_ids`, or every invocation `RUNNING` at apply. Creating the resource sends the cancels " +
			"and records which were accepted; reading and destroying it call nothing. Changing the function, the request IDs or the time " +
			"window replaces it, which cancels again; the other arguments only shape how cancels are sent and change in place. " +
			"If some cancels fail, the apply fails naming them, the accepted ones stay recorded, and the next apply tries again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<function_urn>/<time of the apply>`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"function_urn": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: descBulkFunctionURN,
				Validators:          []validator.String{validators.FunctionURN()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: descRegion,
				Validators:          []validator.String{validators.Region()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descCancelType + " Changing it later does not send the cancels again.",
				Validators:          []validator.String{validators.CancelType()},
			},
			"request_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: descRequestIDs,
				Validators: []validator.List{
					listvalidator.SizeAtMost(maxBulkRequestIDs),
					listvalidator.ValueStringsAre(validators.RequestID()),
				},
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplace()},
			},
			"query_begin_time": window(descQueryBeginTime),
			"query_end_time":   window(descQueryEndTime),
			"max_concurrency": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultMaxConcurrency),
				MarkdownDescription: descMaxConcurrency + " Changing it later does not send the cancels again.",
				Validators:          []validator.Int64{int64validator.Between(1, maxMaxConcurrency)},
			},
			"wait_for_stop": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: descBulkWaitForStop + " Changing it later does not send the cancels again.",
			},
			"cancelled_request_ids": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "Every target now known to be cancelled: those whose cancel FunctionGraph accepted, " +
					"and those found already cancelled.",
				PlanModifiers: keep,
			},
			"ended_request_ids": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "Targets that had ended on their own (`SUCCESS`, or `FAIL` not caused by a cancel) before the cancel " +
					"reached them: there was nothing to cancel, and they are not counted as failed.",
				PlanModifiers: keep,
			},
			"failed": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Targets that could not be cancelled, with the reason. Empty after a fully successful apply; " +
					"otherwise the apply failed and the next one replaces the resource and tries again.",
				PlanModifiers: keep,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"request_id":  schema.StringAttribute{Computed: true, MarkdownDescription: "The invocation's request ID."},
						"status_code": schema.Int64Attribute{Computed: true, MarkdownDescription: "The HTTP status of the last answer; 0 if none came."},
						"error_code":  schema.StringAttribute{Computed: true, MarkdownDescription: "FunctionGraph's error code, such as `FSS.0400`; empty if none."},
						"message":     schema.StringAttribute{Computed: true, MarkdownDescription: "Why the cancel failed."},
					},
				},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, CreateDescription: "How long the whole bulk cancel may take: the listing, " +
				"every cancel with its retries and, with `wait_for_stop`, the wait for the invocations to end. A positive duration such as `30s`, `5m` or `1h`. " +
				"Defaults to `5m`. Requests not sent by then are listed in `failed`. Changing it later only updates the record."}),
		},
	}
}

func (r *asyncInvocationsCancelResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *asyncInvocationsCancelResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m asyncInvocationsCancelResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.args().validate(&resp.Diagnostics)
}

// ModifyPlan fills region from the URN and checks the URN against the
// provider, so contradictions fail at plan rather than at apply.
func (r *asyncInvocationsCancelResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing is sent
	}
	var urnValue, region types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("function_urn"), &urnValue)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("region"), &region)...)
	if resp.Diagnostics.HasError() {
		return
	}
	urn, ok := plannedURN(r.data, urnValue, &resp.Diagnostics)
	if ok && region.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("region"), urn.Region)...)
	}
}

func (r *asyncInvocationsCancelResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m asyncInvocationsCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, defaultCancelTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	run := bulkCancelRun{
		data: r.data, args: m.args(), waitForStop: m.WaitForStop.ValueBool(),
		timeout: timeout, timeoutSetting: "timeouts.create",
	}
	out, sent := run.send(ctx, &resp.Diagnostics)
	if !sent {
		return
	}
	// Recorded even when some failed (the error taints it): accepted cancels must not be lost.
	m.ID = types.StringValue(out.urn.String() + "/" + time.Now().UTC().Format(time.RFC3339Nano))
	m.Region = types.StringValue(out.urn.Region)
	m.CancelledRequestIDs, m.EndedRequestIDs, m.Failed = bulkRecord(out.results)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read calls nothing: the cancels are events in the past.
func (r *asyncInvocationsCancelResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}

// Update only happens for type, max_concurrency, wait_for_stop and
// timeouts, which shape cancels being sent, not which ones: nothing is sent.
func (r *asyncInvocationsCancelResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m asyncInvocationsCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete only forgets: a cancelled invocation cannot be resumed.
func (r *asyncInvocationsCancelResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var cancelled types.List
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("cancelled_request_ids"), &cancelled)...)
	resp.Diagnostics.AddWarning("Cancel Cannot Be Undone",
		fmt.Sprintf("Removed the record of %d cancelled invocations from the state. Nothing was sent to FunctionGraph: "+
			"a cancelled invocation stays cancelled and cannot be resumed.", len(cancelled.Elements())))
}

func (r *asyncInvocationsCancelResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Import Not Supported",
		"huaweicloud_fgs_async_invocations_cancel records cancels that this configuration sent; there is nothing in FunctionGraph to import. "+
			"To cancel invocations, add the resource to the configuration and apply it.")
}

// asyncInvocationsCancelResourceModel is the resource's state.
type asyncInvocationsCancelResourceModel struct {
	ID                  types.String   `tfsdk:"id"`
	FunctionURN         types.String   `tfsdk:"function_urn"`
	Region              types.String   `tfsdk:"region"`
	Type                types.String   `tfsdk:"type"`
	RequestIDs          types.List     `tfsdk:"request_ids"`
	QueryBeginTime      types.String   `tfsdk:"query_begin_time"`
	QueryEndTime        types.String   `tfsdk:"query_end_time"`
	MaxConcurrency      types.Int64    `tfsdk:"max_concurrency"`
	WaitForStop         types.Bool     `tfsdk:"wait_for_stop"`
	CancelledRequestIDs types.List     `tfsdk:"cancelled_request_ids"`
	EndedRequestIDs     types.List     `tfsdk:"ended_request_ids"`
	Failed              types.List     `tfsdk:"failed"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

func (m asyncInvocationsCancelResourceModel) args() bulkCancelArgs {
	return bulkCancelArgs{
		FunctionURN: m.FunctionURN, Region: m.Region, Type: m.Type, RequestIDs: m.RequestIDs,
		QueryBeginTime: m.QueryBeginTime, QueryEndTime: m.QueryEndTime, MaxConcurrency: m.MaxConcurrency,
	}
}
