package acctest

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/pluginserver"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

// ProtocolProvider drives the provider over protocol 6 as Terraform would,
// for what this machine's Terraform cannot run: actions need Terraform 1.14.
type ProtocolProvider struct {
	t       testing.TB
	Server  tfprotov6.ProviderServer
	Actions tfprotov6.ActionServer
	schema  *tfprotov6.GetProviderSchemaResponse
}

// NewProtocolProvider starts the provider's protocol server and reads its schema.
func NewProtocolProvider(t testing.TB, opts ...provider.Option) *ProtocolProvider {
	t.Helper()
	opts = withTestDefaults(opts)
	server, err := pluginserver.ProviderServer(provider.New("test", opts...))()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	failOnErrors(t, "GetProviderSchema", schema.Diagnostics)
	actions, ok := server.(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the provider's protocol server does not serve actions")
	}
	return &ProtocolProvider{t: t, Server: server, Actions: actions, schema: schema}
}

// ActionSchema returns an action's schema, failing the test if there is none.
func (p *ProtocolProvider) ActionSchema(actionType string) *tfprotov6.ActionSchema {
	p.t.Helper()
	s, ok := p.schema.ActionSchemas[actionType]
	if !ok || s == nil || s.Schema == nil {
		p.t.Fatalf("the provider serves no action %q", actionType)
	}
	return s
}

// ConfigureForEmulator configures the provider with the test credentials and
// the emulator's endpoint, plus any other arguments given.
func (p *ProtocolProvider) ConfigureForEmulator(emu *fgsemu.Emulator, extra map[string]tftypes.Value) {
	p.t.Helper()
	values := map[string]tftypes.Value{
		"access_key": tftypes.NewValue(tftypes.String, AccessKey),
		"secret_key": tftypes.NewValue(tftypes.String, SecretKey),
		"region":     tftypes.NewValue(tftypes.String, Region),
		"endpoints": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{
			"fgs": tftypes.NewValue(tftypes.String, emu.URL()),
		}),
	}
	for k, v := range extra {
		values[k] = v
	}
	cfg := p.dynamicValue(p.schema.Provider.ValueType(), values)
	resp, err := p.Server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: cfg})
	if err != nil {
		p.t.Fatal(err)
	}
	failOnErrors(p.t, "ConfigureProvider", resp.Diagnostics)
}

// ActionConfig encodes an action's configuration; unset attributes are null.
func (p *ProtocolProvider) ActionConfig(actionType string, values map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	return p.dynamicValue(p.ActionSchema(actionType).Schema.ValueType(), values)
}

// InvokeResult is what an action invocation streamed back.
type InvokeResult struct {
	Progress    []string
	Diagnostics []*tfprotov6.Diagnostic
	Completed   bool
}

// Invoke runs an action and collects its progress and final diagnostics.
func (p *ProtocolProvider) Invoke(ctx context.Context, actionType string, cfg *tfprotov6.DynamicValue) InvokeResult {
	p.t.Helper()
	stream, err := p.Actions.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: actionType, Config: cfg})
	if err != nil {
		p.t.Fatal(err)
	}
	var res InvokeResult
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			res.Progress = append(res.Progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			res.Diagnostics, res.Completed = e.Diagnostics, true
		}
	}
	return res
}

// EphemeralConfig encodes an ephemeral resource's configuration; unset attributes are null.
func (p *ProtocolProvider) EphemeralConfig(typeName string, values map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	s, ok := p.schema.EphemeralResourceSchemas[typeName]
	if !ok || s == nil {
		p.t.Fatalf("the provider serves no ephemeral resource %q", typeName)
	}
	return p.dynamicValue(s.ValueType(), values)
}

func (p *ProtocolProvider) dynamicValue(typ tftypes.Type, values map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		p.t.Fatalf("schema type is %s, not an object", typ)
	}
	full := map[string]tftypes.Value{}
	for name, attrType := range obj.AttributeTypes {
		if v, ok := values[name]; ok {
			full[name] = v
		} else {
			full[name] = tftypes.NewValue(attrType, nil)
		}
	}
	for name := range values {
		if _, ok := obj.AttributeTypes[name]; !ok {
			p.t.Fatalf("the schema has no attribute %q", name)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(obj, tftypes.NewValue(obj, full))
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// String is a known string value for protocol configurations.
func String(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// UnknownString is a string not yet known at plan time.
func UnknownString() tftypes.Value { return tftypes.NewValue(tftypes.String, tftypes.UnknownValue) }

func failOnErrors(t testing.TB, what string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}
