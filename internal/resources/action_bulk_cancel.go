package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/validators"
)

var (
	_ action.Action                   = (*asyncInvocationsCancelAction)(nil)
	_ action.ActionWithConfigure      = (*asyncInvocationsCancelAction)(nil)
	_ action.ActionWithValidateConfig = (*asyncInvocationsCancelAction)(nil)
	_ action.ActionWithModifyPlan     = (*asyncInvocationsCancelAction)(nil)
)

// NewAsyncInvocationsCancelAction is the bulk cancel as a Terraform 1.14+
// action: invoked on demand, reporting progress, leaving nothing in state.
func NewAsyncInvocationsCancelAction() action.Action {
	return &asyncInvocationsCancelAction{}
}

type asyncInvocationsCancelAction struct {
	data *ProviderData
}

func (a *asyncInvocationsCancelAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + bulkCancelTypeName
}

func (a *asyncInvocationsCancelAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	window := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: desc,
			Validators:          []validator.String{validators.RFC3339(), stringvalidator.ConflictsWith(path.MatchRoot("request_ids"))},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels many asynchronous FunctionGraph invocations of one function each time the action is invoked " +
			"(`terraform apply -invoke=action.huaweicloud_fgs_async_invocations_cancel.<name>`): the listed `request_ids`, or every " +
			"invocation queued (`WAIT`) or `RUNNING` when it runs (see `statuses`). It reports progress at least once a second and a summary at the end; " +
			"nothing is kept in state. Requires Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"function_urn": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: descBulkFunctionURN,
				Validators:          []validator.String{validators.FunctionURN()},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descRegion,
				Validators:          []validator.String{validators.Region()},
			},
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descCancelType,
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
			},
			"started_within": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descStartedWithin,
				Validators: []validator.String{
					validators.Duration(),
					stringvalidator.ConflictsWith(path.MatchRoot("request_ids"), path.MatchRoot("query_begin_time"), path.MatchRoot("query_end_time")),
				},
			},
			"statuses": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: descStatuses,
				Validators:          statusesValidators(),
			},
			"query_begin_time": window(descQueryBeginTime),
			"query_end_time":   window(descQueryEndTime),
			"max_concurrency": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: descMaxConcurrency,
				Validators:          []validator.Int64{int64validator.Between(1, maxMaxConcurrency)},
			},
			"wait_for_stop": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: descBulkWaitForStop,
			},
			"timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long the cancels may take with all their retries, as a duration such as `30s` or `5m`. " +
					"Defaults to `5m`.",
				Validators: []validator.String{timeoutValidator{}},
			},
		},
	}
}

func (a *asyncInvocationsCancelAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (a *asyncInvocationsCancelAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m asyncInvocationsCancelActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.validate(&resp.Diagnostics)
}

// ModifyPlan checks the URN against the provider at plan time, as the resource does.
func (a *asyncInvocationsCancelAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var urn types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("function_urn"), &urn)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plannedURN(a.data, urn, &resp.Diagnostics)
}

func (a *asyncInvocationsCancelAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m asyncInvocationsCancelActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, ok := m.timeout(&resp.Diagnostics)
	if !ok {
		return
	}
	progress := progressSender(ctx, resp)
	run := bulkCancelRun{
		data: a.data, args: m.bulkCancelArgs, timeout: timeout, timeoutSetting: "timeout",
		waitForStop: m.waitForStop(), progress: progress,
	}
	out, sent := run.send(ctx, &resp.Diagnostics)
	if sent {
		progress(bulkSummary(out))
	}
}

// bulkSummary is the action's last word: what was cancelled, ended, failed,
// and what a listing found.
func bulkSummary(out bulkCancelOutcome) string {
	s := "Summary: " + progressText(fgs.Tally(out.results))
	if out.listed != nil {
		s += "; listed " + byStatusText(out.listed)
	}
	return s
}

// asyncInvocationsCancelActionModel is the action's configuration.
type asyncInvocationsCancelActionModel struct {
	bulkCancelArgs
	invokeArgs
}
