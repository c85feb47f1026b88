package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/validators"
)

var (
	_ ephemeral.EphemeralResource                   = (*asyncInvocationCancelEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure      = (*asyncInvocationCancelEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig = (*asyncInvocationCancelEphemeral)(nil)
)

// NewAsyncInvocationCancelEphemeral is the cancel as an ephemeral resource:
// sent each time it is opened with enabled true, leaving nothing in state.
func NewAsyncInvocationCancelEphemeral() ephemeral.EphemeralResource {
	return &asyncInvocationCancelEphemeral{}
}

type asyncInvocationCancelEphemeral struct {
	data *ProviderData
}

func (e *asyncInvocationCancelEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + cancelTypeName
}

func (e *asyncInvocationCancelEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels an asynchronous FunctionGraph invocation each time Terraform opens it with `enabled` true, " +
			"and keeps nothing in state. Terraform opens ephemeral resources on every plan as well as every apply, so set " +
			"`enabled = terraform.applying`: it is false during every plan and true only while applying, so the cancel is sent " +
			"once per apply and never by a plan. OpenTofu opens it at apply only when something reads its result, so read `sent` in a " +
			"`check` block, as the example does. Requires Terraform 1.10 or later, or OpenTofu 1.12 or later.",
		Attributes: map[string]schema.Attribute{
			"enabled": schema.BoolAttribute{
				Required: true,
				MarkdownDescription: "Whether to send the cancel. Set it to `terraform.applying`, which is true only while applying. " +
					"While it is false the arguments are still checked, nothing is sent, and `sent` is false.",
			},
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
				MarkdownDescription: descWaitForStop,
			},
			"timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: descTimeout,
				Validators:          []validator.String{timeoutValidator{}},
			},
			"sent": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether this opening sent the cancel: false while `enabled` is false (every plan), true once FunctionGraph answered it.",
			},
			"cancelled": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the invocation is known to be cancelled: FunctionGraph accepted the cancel now, " +
					"or the invocation had already been cancelled. False when nothing was sent, and when the invocation had ended on its own " +
					"(then `final_status` says how).",
			},
			"api_request_id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The `X-Request-Id` of FunctionGraph's answer that accepted the cancel; quote it in a support ticket. " +
					"Null when nothing was sent, and when the cancel was refused because the invocation had already ended.",
			},
			"final_status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "How the invocation ended (`SUCCESS`, `FAIL` or `DISCARD`), as seen by `wait_for_stop` or found when it " +
					"had already ended. Null when nothing was sent, when not waiting, or when its status could not be read.",
			},
			"final_error_code": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The ended invocation's error code, such as `4208` (function invocation canceled). Null as `final_status` is.",
			},
			"final_error_message": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The ended invocation's error message. Null as `final_status` is.",
			},
		},
	}
}

func (e *asyncInvocationCancelEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *asyncInvocationCancelEphemeral) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	var m asyncInvocationCancelEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.validateAgainstURN(&resp.Diagnostics)
}

// Open sends the cancel when enabled. Disabled (every plan), it makes the
// same checks against the provider and sends nothing, so bad input fails at plan.
func (e *asyncInvocationCancelEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m asyncInvocationCancelEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Sent, m.Cancelled = types.BoolValue(false), types.BoolValue(false)
	m.APIRequestID, m.FinalStatus, m.FinalErrorCode, m.FinalErrorMessage = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()

	if !m.Enabled.ValueBool() {
		if _, ok := m.cancelRequest(e.data, &resp.Diagnostics); ok {
			tflog.Debug(ctx, "Cancel not sent: enabled is false", map[string]any{"request_id": m.RequestID.ValueString()})
			resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
		}
		return
	}
	timeout, ok := m.timeout(&resp.Diagnostics)
	if !ok {
		return
	}
	run := cancelRun{
		data: e.data, args: m.cancelArgs, timeout: timeout, timeoutSetting: "timeout",
		waitForStop: m.waitForStop(),
	}
	out := run.send(ctx, &resp.Diagnostics)
	if !out.done {
		return
	}
	m.Sent = types.BoolValue(true)
	m.Cancelled = types.BoolValue(out.cancelled)
	m.APIRequestID = out.apiRequestID()
	if out.final != nil {
		m.FinalStatus = types.StringValue(out.final.Status)
		m.FinalErrorCode = types.StringValue(out.final.ErrorCode)
		m.FinalErrorMessage = types.StringValue(out.final.ErrorMessage)
	}
	if out.res.AcceptedNow() {
		resp.Diagnostics.AddWarning(cancelSentWarning(out))
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// cancelSentWarning is the run's one sign of a cancel FunctionGraph
// accepted: an ephemeral resource leaves nothing in state, and a passing
// check block prints nothing, so without it a CI log could not tell that a
// cancel went out. Terraform has no diagnostic below a warning.
func cancelSentWarning(out cancelOutcome) (string, string) {
	facts := "\n\nFunction URN: " + out.req.URN.String() + "\nAsync request ID: " + out.req.RequestID +
		"\nX-Request-Id: " + out.res.APIRequestID
	if out.final != nil {
		facts += "\nFinal status: " + out.final.Outcome()
	}
	return "Async Invocation Cancel Sent",
		"FunctionGraph accepted the cancel of this async invocation. An ephemeral resource leaves nothing in state, " +
			"so this message is the run's record of it; quote the X-Request-Id in a support ticket." + facts
}

// asyncInvocationCancelEphemeralModel is the ephemeral resource's
// configuration and result.
type asyncInvocationCancelEphemeralModel struct {
	cancelArgs
	invokeArgs
	Enabled           types.Bool   `tfsdk:"enabled"`
	Sent              types.Bool   `tfsdk:"sent"`
	Cancelled         types.Bool   `tfsdk:"cancelled"`
	APIRequestID      types.String `tfsdk:"api_request_id"`
	FinalStatus       types.String `tfsdk:"final_status"`
	FinalErrorCode    types.String `tfsdk:"final_error_code"`
	FinalErrorMessage types.String `tfsdk:"final_error_message"`
}
