package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/validators"
)

var (
	_ action.Action                   = (*asyncInvocationCancelAction)(nil)
	_ action.ActionWithConfigure      = (*asyncInvocationCancelAction)(nil)
	_ action.ActionWithValidateConfig = (*asyncInvocationCancelAction)(nil)
	_ action.ActionWithModifyPlan     = (*asyncInvocationCancelAction)(nil)
)

// NewAsyncInvocationCancelAction is the cancel as a Terraform 1.14+ action:
// invoked on demand or by a lifecycle trigger, leaving nothing in state.
func NewAsyncInvocationCancelAction() action.Action {
	return &asyncInvocationCancelAction{}
}

type asyncInvocationCancelAction struct {
	data *ProviderData
}

func (a *asyncInvocationCancelAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + cancelTypeName
}

func (a *asyncInvocationCancelAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels an asynchronous FunctionGraph invocation each time the action is invoked " +
			"(`terraform apply -invoke=action.huaweicloud_fgs_async_invocation_cancel.<name>`, or an `action_trigger` in a resource's lifecycle). " +
			"Nothing is kept in state. Requires Terraform 1.14 or later; OpenTofu has no action blocks.",
		Attributes: map[string]schema.Attribute{
			"function_urn": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: descFunctionURN,
				Validators:          []validator.String{validators.FunctionURN()},
			},
			"request_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: descRequestID,
				Validators:          []validator.String{validators.RequestID()},
			},
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descCancelType,
				Validators:          []validator.String{validators.CancelType()},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descRegion,
				Validators:          []validator.String{validators.Region()},
			},
			"wait_for_stop": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: descWaitForStop + " Each status change is reported as progress.",
			},
			"timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descTimeout,
				Validators:          []validator.String{timeoutValidator{}},
			},
		},
	}
}

func (a *asyncInvocationCancelAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (a *asyncInvocationCancelAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m asyncInvocationCancelActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.validateAgainstURN(&resp.Diagnostics)
}

// ModifyPlan checks the arguments against the provider at plan time, as the
// resource does, so a contradiction fails before anything is invoked.
func (a *asyncInvocationCancelAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var m asyncInvocationCancelActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plannedURN(a.data, m.FunctionURN, &resp.Diagnostics)
}

func (a *asyncInvocationCancelAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m asyncInvocationCancelActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, ok := m.timeout(&resp.Diagnostics)
	if !ok {
		return
	}
	run := cancelRun{
		data: a.data, args: m.cancelArgs, timeout: timeout, timeoutSetting: "timeout",
		waitForStop: m.waitForStop(), progress: progressSender(ctx, resp),
	}
	run.send(ctx, &resp.Diagnostics)
}

// asyncInvocationCancelActionModel is the action's configuration.
type asyncInvocationCancelActionModel struct {
	cancelArgs
	invokeArgs
}
