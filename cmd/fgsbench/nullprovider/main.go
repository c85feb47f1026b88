// Command nullprovider is a provider that does nothing, served exactly as
// the huaweicloud provider is (terraform-plugin-framework through
// pluginserver). Its one resource, null_cancel, has the cancel resource's
// arguments and records them without a call. make bench applies it beside
// the cancels to split their overhead over Terraform's floor into what
// any framework provider costs and what this provider's own work adds.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/pluginserver"
)

func main() {
	if err := pluginserver.Serve("registry.terraform.io/fgs-bench/null", func() provider.Provider { return nullProvider{} }, false); err != nil {
		log.Fatal(err)
	}
}

type nullProvider struct{}

func (nullProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "null"
}

func (nullProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerschema.Schema{}
}

func (nullProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (nullProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return nullCancel{} }}
}

func (nullProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// nullCancel takes the cancel resource's arguments and sends nothing.
type nullCancel struct{}

type nullCancelModel struct {
	ID          types.String `tfsdk:"id"`
	FunctionURN types.String `tfsdk:"function_urn"`
	RequestID   types.String `tfsdk:"request_id"`
	WaitForStop types.Bool   `tfsdk:"wait_for_stop"`
}

func (nullCancel) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cancel"
}

func (nullCancel) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":            schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"function_urn":  schema.StringAttribute{Required: true, PlanModifiers: replace},
		"request_id":    schema.StringAttribute{Required: true, PlanModifiers: replace},
		"wait_for_stop": schema.BoolAttribute{Optional: true},
	}}
}

func (nullCancel) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m nullCancelModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue(m.FunctionURN.ValueString() + "/" + m.RequestID.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (nullCancel) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (nullCancel) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (nullCancel) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
