package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// The URN functions share the fgs package's one parser and its messages, so
// a URN they accept is one the resource accepts, and the other way round.

var (
	_ function.Function = (*parseFunctionURNFunction)(nil)
	_ function.Function = (*functionURNFunction)(nil)
)

// urnAttributeTypes is the object parse_function_urn returns.
var urnAttributeTypes = map[string]attr.Type{
	"region":        types.StringType,
	"project_id":    types.StringType,
	"package":       types.StringType,
	"function_name": types.StringType,
	"version":       types.StringType,
}

// NewParseFunctionURNFunction is provider::huaweicloud::parse_function_urn.
func NewParseFunctionURNFunction() function.Function { return &parseFunctionURNFunction{} }

type parseFunctionURNFunction struct{}

func (f *parseFunctionURNFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_function_urn"
}

func (f *parseFunctionURNFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Splits a FunctionGraph function URN into its parts.",
		MarkdownDescription: "Parses `" + fgs.URNFormat + "` and returns an object with `region`, `project_id`, `package`, " +
			"`function_name` and `version` (empty when the URN has no version or alias). An invalid URN is an error that says which part is wrong.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "urn", MarkdownDescription: "The function URN."},
		},
		Return: function.ObjectReturn{AttributeTypes: urnAttributeTypes},
	}
}

func (f *parseFunctionURNFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var s string
	resp.Error = req.Arguments.Get(ctx, &s)
	if resp.Error != nil {
		return
	}
	urn, err := fgs.ParseURN(s)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("%s. A function URN has the form %s", err, fgs.URNFormat))
		return
	}
	obj, diags := types.ObjectValue(urnAttributeTypes, map[string]attr.Value{
		"region":        types.StringValue(urn.Region),
		"project_id":    types.StringValue(urn.ProjectID),
		"package":       types.StringValue(urn.Package),
		"function_name": types.StringValue(urn.FunctionName),
		"version":       types.StringValue(urn.Version),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}

// NewFunctionURNFunction is provider::huaweicloud::function_urn.
func NewFunctionURNFunction() function.Function { return &functionURNFunction{} }

type functionURNFunction struct{}

func (f *functionURNFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "function_urn"
}

// urnParameters are function_urn's arguments, in order, with the URN part each fills.
var urnParameters = []struct {
	name  string
	field fgs.URNField
	desc  string
}{
	{"region", fgs.URNFieldRegion, "The region, such as `cn-north-4`."},
	{"project_id", fgs.URNFieldProjectID, "The project ID: 32 hexadecimal characters."},
	{"package", fgs.URNFieldPackage, "The function's package, such as `default`."},
	{"function_name", fgs.URNFieldFunctionName, "The function's name."},
	{"version", fgs.URNFieldVersion, "The version or alias, such as `latest`; empty for the function itself."},
}

func (f *functionURNFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	params := make([]function.Parameter, 0, len(urnParameters))
	for _, p := range urnParameters {
		params = append(params, function.StringParameter{Name: p.name, MarkdownDescription: p.desc})
	}
	resp.Definition = function.Definition{
		Summary: "Builds a FunctionGraph function URN from its parts.",
		MarkdownDescription: "Returns `" + fgs.URNFormat + "`, checking each part as the resources do. " +
			"An invalid part is an error naming the argument.",
		Parameters: params,
		Return:     function.StringReturn{},
	}
}

func (f *functionURNFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var u fgs.URN
	resp.Error = req.Arguments.Get(ctx, &u.Region, &u.ProjectID, &u.Package, &u.FunctionName, &u.Version)
	if resp.Error != nil {
		return
	}
	if err := u.Validate(); err != nil {
		argument := int64(0)
		if ue, ok := err.(*fgs.URNError); ok {
			for i, p := range urnParameters {
				if p.field == ue.Field {
					argument = int64(i)
				}
			}
		}
		resp.Error = function.NewArgumentFuncError(argument, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, u.String())
}
