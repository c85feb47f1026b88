// Command docschema completes a `terraform providers schema -json` file with
// the provider's action schemas, which Terraform before 1.14 leaves out, so
// that tfplugindocs renders the action's page from the real schema.
//
// Usage: go run ./internal/tools/docschema -in schema.json -out schema.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

func main() {
	in := flag.String("in", "", "the output of terraform providers schema -json")
	out := flag.String("out", "", "where to write the completed schema")
	name := flag.String("provider-name", "huaweicloud", "the provider's short name, the key tfplugindocs looks for")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: docschema -in schema.json -out schema.json")
		os.Exit(2)
	}
	if err := run(*in, *out, *name); err != nil {
		fmt.Fprintln(os.Stderr, "docschema:", err)
		os.Exit(1)
	}
}

func run(in, out, name string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var schemas tfjson.ProviderSchemas
	if err := json.Unmarshal(data, &schemas); err != nil {
		return fmt.Errorf("reading %s: %w", in, err)
	}
	ps, err := onlyProvider(&schemas, name)
	if err != nil {
		return err
	}
	actions, err := actionSchemas()
	if err != nil {
		return err
	}
	if ps.ActionSchemas == nil {
		ps.ActionSchemas = map[string]*tfjson.ActionSchema{}
	}
	for typ, s := range actions {
		if _, ok := ps.ActionSchemas[typ]; !ok { // Terraform 1.14+ already put it there
			ps.ActionSchemas[typ] = s
		}
	}
	// tfplugindocs finds the schema by the provider's short name.
	schemas.Schemas = map[string]*tfjson.ProviderSchema{name: ps}
	b, err := json.MarshalIndent(&schemas, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o600)
}

// onlyProvider returns the one provider schema in the file.
func onlyProvider(schemas *tfjson.ProviderSchemas, name string) (*tfjson.ProviderSchema, error) {
	var keys []string
	for k := range schemas.Schemas {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == name || strings.HasSuffix(k, "/"+name) {
			return schemas.Schemas[k], nil
		}
	}
	return nil, fmt.Errorf("no provider %q in the schema file (found %v)", name, keys)
}

// actionSchemas asks the provider itself, over protocol 6, for its actions.
func actionSchemas() (map[string]*tfjson.ActionSchema, error) {
	server, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return nil, err
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return nil, fmt.Errorf("%s: %s", d.Summary, d.Detail)
		}
	}
	out := map[string]*tfjson.ActionSchema{}
	for typ, s := range resp.ActionSchemas {
		block, err := convertBlock(s.Schema.Block)
		if err != nil {
			return nil, fmt.Errorf("action %s: %w", typ, err)
		}
		out[typ] = &tfjson.ActionSchema{Block: block}
	}
	return out, nil
}

// convertBlock converts the attributes of a flat block, as Terraform would.
// Nested blocks and attributes are refused: no action here has them, and a
// new one should extend this rather than be rendered wrong.
func convertBlock(b *tfprotov6.SchemaBlock) (*tfjson.SchemaBlock, error) {
	if len(b.BlockTypes) > 0 {
		return nil, fmt.Errorf("nested blocks are not supported")
	}
	out := &tfjson.SchemaBlock{
		Attributes:      map[string]*tfjson.SchemaAttribute{},
		Description:     b.Description,
		DescriptionKind: descriptionKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	for _, a := range b.Attributes {
		if a.NestedType != nil {
			return nil, fmt.Errorf("attribute %s: nested attributes are not supported", a.Name)
		}
		t, err := ctyType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		out.Attributes[a.Name] = &tfjson.SchemaAttribute{
			AttributeType:   t,
			Description:     a.Description,
			DescriptionKind: descriptionKind(a.DescriptionKind),
			Deprecated:      a.Deprecated,
			Required:        a.Required,
			Optional:        a.Optional,
			Computed:        a.Computed,
			Sensitive:       a.Sensitive,
		}
	}
	return out, nil
}

func ctyType(t tftypes.Type) (cty.Type, error) {
	switch {
	case t.Is(tftypes.String):
		return cty.String, nil
	case t.Is(tftypes.Bool):
		return cty.Bool, nil
	case t.Is(tftypes.Number):
		return cty.Number, nil
	}
	if l, ok := t.(tftypes.List); ok {
		elem, err := ctyType(l.ElementType)
		return cty.List(elem), err
	}
	return cty.NilType, fmt.Errorf("type %s is not supported", t)
}

func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}
