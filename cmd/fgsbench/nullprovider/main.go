// Command nullprovider serves the cancel resources' schemas with nothing
// behind them, exactly as the huaweicloud provider is served
// (terraform-plugin-framework through pluginserver). Its resources,
// null_fgs_async_invocation_cancel and null_fgs_async_invocations_cancel,
// have the single and the bulk cancel's schemas (attributes, validators,
// plan modifiers, defaults) but no ValidateConfig, ModifyPlan or Configure,
// and Create records the plan with made-up computed values instead of
// calling FunctionGraph; the bulk records every request ID as cancelled,
// so its state is as large as the real one. make bench applies them beside
// the cancels: the difference is this provider's own work and its network.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/pluginserver"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/resources"
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
	return []func() resource.Resource{
		func() resource.Resource { return nullCancel{schemaOf: resources.NewAsyncInvocationCancelResource()} },
		func() resource.Resource { return nullCancel{schemaOf: resources.NewAsyncInvocationsCancelResource()} },
	}
}

func (nullProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// nullCancel borrows the cancel resource's name and schema only: as a
// resource.Resource it hides the optional methods that do the work.
type nullCancel struct {
	schemaOf resource.Resource
}

func (r nullCancel) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.schemaOf.Metadata(ctx, req, resp)
}

func (r nullCancel) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.schemaOf.Schema(ctx, req, resp)
}

// Create records the plan, its unknown (computed) values made up: the
// bulk's cancelled_request_ids are its request_ids, its other lists empty.
func (nullCancel) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	requestIDs, _, _ := tftypes.WalkAttributePath(req.Plan.Raw, tftypes.NewAttributePath().WithAttributeName("request_ids"))
	state, err := tftypes.Transform(req.Plan.Raw, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		switch {
		case v.Type().Is(tftypes.String):
			return tftypes.NewValue(tftypes.String, "00000000-0000-0000-0000-000000000000"), nil
		case v.Type().Is(tftypes.Bool):
			return tftypes.NewValue(tftypes.Bool, false), nil
		case p.Equal(tftypes.NewAttributePath().WithAttributeName("cancelled_request_ids")):
			if ids, ok := requestIDs.(tftypes.Value); ok {
				return ids, nil
			}
		case v.Type().Is(tftypes.List{}):
			return tftypes.NewValue(v.Type(), []tftypes.Value{}), nil
		}
		return tftypes.NewValue(v.Type(), nil), nil
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot Record the Plan", err.Error())
		return
	}
	resp.State.Raw = state
}

func (nullCancel) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (nullCancel) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (nullCancel) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
