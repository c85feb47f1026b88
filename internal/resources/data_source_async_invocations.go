package resources

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/validators"
)

var (
	_ datasource.DataSource                   = (*asyncInvocationsDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*asyncInvocationsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*asyncInvocationsDataSource)(nil)
)

// defaultListTimeout bounds a listing with all its pages and retries.
const defaultListTimeout = 5 * time.Minute

// NewAsyncInvocationsDataSource lists a function's async invocations, with
// the arguments and attributes of the official provider's data source.
func NewAsyncInvocationsDataSource() datasource.DataSource {
	return &asyncInvocationsDataSource{}
}

type asyncInvocationsDataSource struct {
	data *ProviderData
}

func (d *asyncInvocationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_fgs_async_invocations"
}

func (d *asyncInvocationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	timeDesc := func(what string) string {
		return what + ", in RFC 3339 format (UTC); null while not known."
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the asynchronous invocations of a FunctionGraph function, following every page, " +
			"optionally filtered by request ID, status and start time. Use it to find the requests to cancel. " +
			"Without `query_begin_time` it lists the invocations that started in the last " + lookbackText + ".",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The function URN the invocations were listed for.",
			},
			"function_urn": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The URN of the function whose invocations to list: `" + fgs.URNFormat + "`.",
				Validators:          []validator.String{validators.FunctionURN()},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: descRegion,
				Validators:          []validator.String{validators.Region()},
			},
			"request_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the invocation with this request ID.",
				Validators:          []validator.String{validators.RequestID()},
			},
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only invocations with this status: `WAIT`, `RUNNING`, `SUCCESS`, `FAIL` or `DISCARD`, in any case (`running` lists the `RUNNING` ones).",
				Validators:          []validator.String{validators.InvocationStatus()},
			},
			"query_begin_time": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only invocations that started at or after this time, in RFC 3339 format, such as `2026-01-02T15:04:05Z`. " +
					"Defaults to " + lookbackText + " before `query_end_time` (or before now): FunctionGraph's default maximum execution duration " +
					"per request, so every invocation that can still be running is listed. " +
					"The API's own default, which this provider never relies on, is the last hour only, which would miss long-running invocations.",
				Validators: []validator.String{validators.RFC3339()},
			},
			"query_end_time": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only invocations that started at or before this time, in RFC 3339 format. Defaults to now.",
				Validators:          []validator.String{validators.RFC3339()},
			},
			"invocations": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The invocations that match, in the order FunctionGraph lists them.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"request_id":    schema.StringAttribute{Computed: true, MarkdownDescription: "The invocation's request ID."},
						"status":        schema.StringAttribute{Computed: true, MarkdownDescription: "`WAIT`, `RUNNING`, `SUCCESS`, `FAIL` or `DISCARD`."},
						"error_code":    schema.StringAttribute{Computed: true, MarkdownDescription: "The error code, such as `4208` for a cancelled invocation; empty without an error."},
						"error_message": schema.StringAttribute{Computed: true, MarkdownDescription: "The error message; empty without an error."},
						"start_time":    schema.StringAttribute{Computed: true, MarkdownDescription: timeDesc("When the invocation started")},
						"end_time":      schema.StringAttribute{Computed: true, MarkdownDescription: timeDesc("When the invocation ended")},
					},
				},
			},
		},
	}
}

func (d *asyncInvocationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *asyncInvocationsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m asyncInvocationsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.validateAgainstURN(&resp.Diagnostics)
	m.validate(&resp.Diagnostics)
}

func (d *asyncInvocationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m asyncInvocationsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	urn, ok := m.target(d.data, &resp.Diagnostics)
	if !ok {
		return
	}
	client := d.data.client("the invocations had to be listed", &resp.Diagnostics)
	if client == nil {
		return
	}
	// The API knows statuses in upper case only; the validator accepts any.
	filter := fgs.ListFilter{RequestID: m.RequestID.ValueString(), Status: strings.ToUpper(m.Status.ValueString())}
	filter.Begin, filter.End = m.boundsBack(client.LookbackBegin())

	ctx, stop := context.WithTimeout(ctx, defaultListTimeout)
	defer stop()
	ctx, _ = watchThrottling(ctx, client, urn, "list")
	list, err := client.ListInvocations(ctx, urn, filter)
	if err != nil {
		addCallError(&resp.Diagnostics, err, callContext{
			action: "List Async Invocations", requestID: filter.RequestID,
			timeoutSetting: "the data source's time limit", timeout: defaultListTimeout,
		})
		return
	}
	tflog.Debug(ctx, "Listed async invocations", map[string]any{"function_urn": urn.String(), "count": len(list)})

	m.ID = types.StringValue(urn.String())
	m.Region = types.StringValue(urn.Region)
	m.Invocations = make([]asyncInvocationModel, 0, len(list))
	for _, inv := range list {
		m.Invocations = append(m.Invocations, asyncInvocationModel{
			RequestID:    types.StringValue(inv.RequestID),
			Status:       types.StringValue(inv.Status),
			ErrorCode:    types.StringValue(inv.ErrorCode),
			ErrorMessage: types.StringValue(inv.ErrorMessage),
			StartTime:    timeValue(inv.StartTime),
			EndTime:      timeValue(inv.EndTime),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// asyncInvocationsDataSourceModel is the data source's configuration and result.
type asyncInvocationsDataSourceModel struct {
	functionArgs
	queryWindow
	ID          types.String           `tfsdk:"id"`
	RequestID   types.String           `tfsdk:"request_id"`
	Status      types.String           `tfsdk:"status"`
	Invocations []asyncInvocationModel `tfsdk:"invocations"`
}

type asyncInvocationModel struct {
	RequestID    types.String `tfsdk:"request_id"`
	Status       types.String `tfsdk:"status"`
	ErrorCode    types.String `tfsdk:"error_code"`
	ErrorMessage types.String `tfsdk:"error_message"`
	StartTime    types.String `tfsdk:"start_time"`
	EndTime      types.String `tfsdk:"end_time"`
}
