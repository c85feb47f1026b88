package resources

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/validators"
)

var (
	_ resource.Resource                   = (*asyncInvocationsCancelResource)(nil)
	_ resource.ResourceWithConfigure      = (*asyncInvocationsCancelResource)(nil)
	_ resource.ResourceWithValidateConfig = (*asyncInvocationsCancelResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*asyncInvocationsCancelResource)(nil)
	_ resource.ResourceWithImportState    = (*asyncInvocationsCancelResource)(nil)
)

// NewAsyncInvocationsCancelResource is the bulk cancel whose record of
// request IDs every apply converges on, never sending one twice.
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
	window := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: desc + " Changing it later sends nothing by itself.",
			Validators:          []validator.String{validators.RFC3339(), stringvalidator.ConflictsWith(path.MatchRoot("request_ids"))},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels many asynchronous FunctionGraph invocations of one function, with a bounded number of requests " +
			"in flight: the listed `request_ids`, or every invocation queued (`WAIT`) or `RUNNING` at apply. Its state records what became " +
			"of each request ID (cancelled, ended on its own, failed), and every apply converges on that record: a request ID it shows " +
			"cancelled or ended is never sent again. Adding request IDs cancels the added ones in place; removing some forgets them; " +
			"reordering them changes nothing; failed ones are retried by the next apply, in place, and only they. A plan that will send " +
			"cancels says so in a warning listing them, and in `sends`. Without `request_ids`, the invocations are listed once, at create; changing the window " +
			"or the statuses sends nothing, and cancelling again is an explicit act: `terraform apply -replace`, or the bulk action. " +
			"Only a new `function_urn` replaces it. Reading and destroying it call nothing; destroying only forgets the record.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<function_urn>/<time of the create>`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"function_urn": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: descBulkFunctionURN + " Changing it replaces the resource.",
				Validators:          []validator.String{validators.FunctionURN()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: descRegion + " Setting or removing it later only updates the record and sends nothing.",
				Validators:          []validator.String{validators.Region()},
			},
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descCancelType + " Changing it later does not send the cancels again.",
				Validators:          []validator.String{validators.CancelType()},
			},
			"request_ids": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: descRequestIDs + " Added IDs are cancelled by the next apply, in place; removed ones are forgotten " +
					"and sent nothing; a new order is no change.",
				Validators: []validator.List{
					listvalidator.SizeAtMost(maxBulkRequestIDs),
					listvalidator.ValueStringsAre(validators.RequestID()),
				},
			},
			"started_within": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descStartedWithin + " Changing it later sends nothing by itself.",
				Validators: []validator.String{
					validators.Duration(),
					stringvalidator.ConflictsWith(path.MatchRoot("request_ids"), path.MatchRoot("query_begin_time"), path.MatchRoot("query_end_time")),
				},
			},
			"statuses": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: descStatuses + " Changing it later sends nothing by itself.",
				Validators:          statusesValidators(),
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
			"sends": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "What the latest apply that changed this resource set out to send, as the plan shows it before an update: " +
					"`2 to cancel, 1 to retry` (request IDs not in the record yet, and those that failed), or `nothing`. " +
					"On create it is known after apply, such as `4 to cancel`: a create that replaces a tainted record skips what that record shows done.",
			},
			"listed_by_status": schema.MapAttribute{
				ElementType: types.Int64Type,
				Computed:    true,
				MarkdownDescription: "Without `request_ids`: how many invocations of each status the listing at create found and set out to cancel, " +
					"such as `{ RUNNING = 1, WAIT = 3 }`. Null with `request_ids`.",
			},
			"cancelled_request_ids": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "Every target now known to be cancelled: those whose cancel FunctionGraph accepted, " +
					"and those found already cancelled. Never sent again.",
			},
			"stop_pending_request_ids": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "Cancelled targets not yet seen to stop when the wait for them was cut short (the timeout, or Ctrl-C). " +
					"The next apply waits for them again, in place, and sends no cancel; with `wait_for_stop = false` it stops waiting. Empty otherwise.",
			},
			"ended_request_ids": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "Targets that had ended on their own (`SUCCESS`, or `FAIL` not caused by a cancel) before the cancel " +
					"reached them: there was nothing to cancel, they are not counted as failed, and they are never sent again.",
			},
			"failed": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Targets that could not be cancelled, with the reason. Empty after a fully successful apply; " +
					"otherwise the apply failed, and the next apply retries these, and only these.",
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
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Update: true,
				CreateDescription: "How long the create may take: the listing, every cancel with its retries and, with `wait_for_stop`, " +
					"the wait for the invocations to stop; a positive duration such as `30s`, `5m` or `1h`. Defaults to `5m`. " +
					"Requests not sent by then are recorded as failed, and the next apply retries them.",
				UpdateDescription: "The same for an update that sends cancels (added or failed request IDs). Defaults to `timeouts.create`, or `5m`.",
			}),
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
	m.validate(&resp.Diagnostics)
	validatePositiveTimeout(m.Timeouts, path.Root("timeouts"), &resp.Diagnostics)
}

// ModifyPlan fills region from the URN and checks the URN against the
// provider, then compares the wanted request IDs with the record: a new
// order is no change, and sends says what the apply will send.
func (r *asyncInvocationsCancelResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing is sent
	}
	var m asyncInvocationsCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planRegion(ctx, r.data, m.FunctionURN, req.Config, &resp.Plan, &resp.Diagnostics)
	if req.State.Raw.IsNull() || resp.Diagnostics.HasError() {
		if !m.RequestIDs.IsNull() {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("listed_by_status"), types.MapNull(types.Int64Type))...)
		}
		return // create: sends is known after apply
	}
	var prior asyncInvocationsCancelResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.FunctionURN.Equal(prior.FunctionURN) || m.RequestIDs.IsUnknown() || hasUnknownElement(m.RequestIDs) {
		return // a replacement, or IDs known only at apply: the record stays unknown
	}
	set := func(name string, v attr.Value) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}
	if sameIDs(m.RequestIDs, prior.RequestIDs) {
		set("request_ids", prior.RequestIDs) // a new order is no change
	}
	rec := prior.record(ctx, &resp.Diagnostics)
	wanted := listStrings(ctx, m.RequestIDs, &resp.Diagnostics)
	sends := rec.plannedSends(wanted)
	set("listed_by_status", prior.ListedByStatus)
	planPendingStops(m, prior, sends, set, &resp.Diagnostics)
	if !sends.none() {
		addSendsWarning(sends, rec, wanted, &resp.Diagnostics)
		set("sends", types.StringValue(sends.String()))
		set("cancelled_request_ids", types.ListUnknown(types.StringType))
		set("ended_request_ids", types.ListUnknown(types.StringType))
		set("failed", types.ListUnknown(bulkFailureType))
		return
	}
	if wanted != nil {
		rec.keepOnly(wanted)
	}
	c, e, f := rec.lists()
	set("cancelled_request_ids", c)
	set("ended_request_ids", e)
	set("failed", f)
	set("sends", prior.Sends)
	if !resp.Plan.Raw.Equal(req.State.Raw) {
		set("sends", types.StringValue(sendsNothing)) // an update that sends nothing says so
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
	rec := newBulkRecord()
	skipped := 0
	run := bulkCancelRun{
		data: r.data, args: m.bulkCancelArgs, waitForStop: m.WaitForStop.ValueBool(),
		timeout: timeout, timeoutSetting: "timeouts.create", recordsState: true,
		// What this process saw done (a tainted record destroyed just before) is not sent again.
		skip: func(urn fgs.URN, ids []string) []string {
			rest := r.data.recallDone(urn.String(), ids, rec)
			skipped = len(ids) - len(rest)
			return rest
		},
	}
	out, sent := run.send(ctx, &resp.Diagnostics)
	if !sent {
		return
	}
	rec.add(out.results)
	if ids := listStrings(ctx, m.RequestIDs, &resp.Diagnostics); ids != nil {
		rec.orderBy(ids)
	}
	r.data.rememberDone(out.urn.String(), rec)
	// Recorded even when some failed (the error taints it): accepted cancels must not be lost.
	m.ID = types.StringValue(out.urn.String() + "/" + time.Now().UTC().Format(time.RFC3339Nano))
	m.Region = types.StringValue(out.urn.Region)
	m.CancelledRequestIDs, m.EndedRequestIDs, m.Failed = rec.lists()
	m.StopPendingRequestIDs = idList(out.pending)
	m.Sends = types.StringValue(createdSendsText(len(out.results), skipped, out.listed))
	m.ListedByStatus = types.MapNull(types.Int64Type)
	if out.listed != nil {
		counts := map[string]attr.Value{}
		for status, n := range out.listed {
			counts[status] = types.Int64Value(int64(n))
		}
		m.ListedByStatus = types.MapValueMust(types.Int64Type, counts)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *asyncInvocationsCancelResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// Calls nothing: the record says what was done, which stays true.
}

// Update sends cancels for the request IDs the record does not show done
// (added, failed, never sent), and only them; other changes send nothing.
// A partial failure is an error that keeps the record, without tainting.
func (r *asyncInvocationsCancelResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior asyncInvocationsCancelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	rec := prior.record(ctx, &resp.Diagnostics)
	wanted := listStrings(ctx, m.RequestIDs, &resp.Diagnostics)
	if wanted != nil {
		rec.keepOnly(wanted)
	}
	sends := rec.plannedSends(wanted)
	pending := prior.pendingStops(ctx, rec, &resp.Diagnostics)
	if !m.StopPendingRequestIDs.IsUnknown() || !m.WaitForStop.ValueBool() {
		pending = nil // not waited for again: the plan keeps them, or stops waiting
	}
	if !sends.none() || len(pending) > 0 {
		createTimeout, diags := m.Timeouts.Create(ctx, defaultCancelTimeout)
		resp.Diagnostics.Append(diags...)
		timeout, diags := m.Timeouts.Update(ctx, createTimeout)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		run := bulkCancelRun{
			data: r.data, args: m.bulkCancelArgs, waitForStop: m.WaitForStop.ValueBool(),
			timeout: timeout, timeoutSetting: "timeouts.update", recordsState: true, only: sends.ids(), pending: pending,
		}
		out, sent := run.send(ctx, &resp.Diagnostics)
		if !sent {
			return
		}
		rec.add(out.results)
		r.data.rememberDone(out.urn.String(), rec)
		m.StopPendingRequestIDs = idList(out.pending)
	}
	if m.StopPendingRequestIDs.IsUnknown() { // a wait turned off, or nothing left to wait for
		m.StopPendingRequestIDs = idList(nil)
	}
	m.CancelledRequestIDs, m.EndedRequestIDs, m.Failed = rec.lists()
	if m.Sends.IsUnknown() { // request IDs known only at apply
		m.Sends = types.StringValue(sends.String())
	}
	if m.ListedByStatus.IsUnknown() {
		m.ListedByStatus = prior.ListedByStatus
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete forgets the record, as forgetRecord says, leaving what it shows
// done to this process, so a replacement in the same apply (a tainted
// record) sends none of it again.
func (r *asyncInvocationsCancelResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	forgetRecord(req, resp, func(state tfsdk.State, diags *diag.Diagnostics) {
		var prior asyncInvocationsCancelResourceModel
		diags.Append(state.Get(ctx, &prior)...)
		if diags.HasError() {
			return
		}
		if urn, err := fgs.ParseURN(prior.FunctionURN.ValueString()); err == nil {
			r.data.rememberDone(urn.String(), prior.record(ctx, diags))
		}
	})
}

func (r *asyncInvocationsCancelResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Import Not Supported",
		"huaweicloud_fgs_async_invocations_cancel records cancels that this configuration sent; there is nothing in FunctionGraph to import. "+
			"To cancel invocations, add the resource to the configuration and apply it.")
}

// asyncInvocationsCancelResourceModel is the resource's state.
type asyncInvocationsCancelResourceModel struct {
	bulkCancelArgs
	ID                  types.String `tfsdk:"id"`
	WaitForStop         types.Bool   `tfsdk:"wait_for_stop"`
	Sends               types.String `tfsdk:"sends"`
	ListedByStatus      types.Map    `tfsdk:"listed_by_status"`
	CancelledRequestIDs types.List   `tfsdk:"cancelled_request_ids"`
	EndedRequestIDs     types.List   `tfsdk:"ended_request_ids"`
	Failed              types.List   `tfsdk:"failed"`
	// StopPendingRequestIDs are cancelled, not yet seen to stop.
	StopPendingRequestIDs types.List     `tfsdk:"stop_pending_request_ids"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}
