package resources_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/pluginserver"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

// What one bulk cancel costs the provider in each call Terraform makes for
// it, served as main.go serves it, for 1 and for 1000 request IDs: the
// difference is the cost of the list's elements. Terraform makes each call
// once in the plan and again in the apply (bench/README.md, "Where the
// bulk's time goes"). apply sends the cancels to the in-process emulator
// with no latency; internal/fgs's BenchmarkCancelMany is the same cancels
// without the framework.

const bulkTypeName = "huaweicloud_fgs_async_invocations_cancel"

// bulkCalls is a configured provider server and the bulk resource's type.
type bulkCalls struct {
	server tfprotov6.ProviderServer
	typ    tftypes.Object
	emu    *fgsemu.Emulator
	urn    string
}

func newBulkCalls(b *testing.B) *bulkCalls {
	b.Helper()
	ctx := context.Background()
	urn := acctest.FunctionURN("bench")
	emu := acctest.StartEmulator(b, fgsemu.Function{URN: urn})
	server, err := pluginserver.ProviderServer(provider.New("bench", acctest.Env(nil)))()
	if err != nil {
		b.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	providerType, ok := schema.Provider.ValueType().(tftypes.Object)
	resourceType, ok2 := schema.ResourceSchemas[bulkTypeName].ValueType().(tftypes.Object)
	if !ok || !ok2 {
		b.Fatal("the provider or the bulk resource has no object type")
	}
	config := objectOf(b, providerType, map[string]tftypes.Value{
		"access_key": tftypes.NewValue(tftypes.String, acctest.AccessKey),
		"secret_key": tftypes.NewValue(tftypes.String, acctest.SecretKey),
		"endpoints": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
			map[string]tftypes.Value{"fgs": tftypes.NewValue(tftypes.String, emu.URL())}),
	})
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil {
		b.Fatal(err)
	}
	failOn(b, resp.Diagnostics)
	return &bulkCalls{server: server, typ: resourceType, emu: emu, urn: urn}
}

// objectOf is a DynamicValue of typ with these attributes and every other null.
func objectOf(b *testing.B, typ tftypes.Object, set map[string]tftypes.Value) *tfprotov6.DynamicValue {
	b.Helper()
	values := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, t := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(t, nil)
		if v, ok := set[name]; ok {
			values[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// config is the bulk's configuration for these request IDs, as the bench's
// Terraform configuration sets it.
func (c *bulkCalls) config(b *testing.B, ids []string) *tfprotov6.DynamicValue {
	b.Helper()
	elems := make([]tftypes.Value, len(ids))
	for i, id := range ids {
		elems[i] = tftypes.NewValue(tftypes.String, id)
	}
	return objectOf(b, c.typ, map[string]tftypes.Value{
		"function_urn":    tftypes.NewValue(tftypes.String, c.urn),
		"request_ids":     tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, elems),
		"max_concurrency": tftypes.NewValue(tftypes.Number, 50),
		"wait_for_stop":   tftypes.NewValue(tftypes.Bool, false),
	})
}

// none is the prior state of a resource being created.
func (c *bulkCalls) none(b *testing.B) *tfprotov6.DynamicValue {
	b.Helper()
	dv, err := tfprotov6.NewDynamicValue(c.typ, tftypes.NewValue(c.typ, nil))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

func (c *bulkCalls) validate(b *testing.B, config *tfprotov6.DynamicValue) {
	resp, err := c.server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: bulkTypeName, Config: config})
	if err != nil {
		b.Fatal(err)
	}
	failOn(b, resp.Diagnostics)
}

func (c *bulkCalls) plan(b *testing.B, config *tfprotov6.DynamicValue) *tfprotov6.DynamicValue {
	resp, err := c.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: bulkTypeName, Config: config, ProposedNewState: config, PriorState: c.none(b),
	})
	if err != nil {
		b.Fatal(err)
	}
	failOn(b, resp.Diagnostics)
	return resp.PlannedState
}

func (c *bulkCalls) apply(b *testing.B, config, planned *tfprotov6.DynamicValue) {
	resp, err := c.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: bulkTypeName, Config: config, PlannedState: planned, PriorState: c.none(b),
	})
	if err != nil {
		b.Fatal(err)
	}
	failOn(b, resp.Diagnostics)
}

func failOn(b *testing.B, diags []*tfprotov6.Diagnostic) {
	b.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			b.Fatalf("%s: %s", d.Summary, d.Detail)
		}
	}
}

func BenchmarkBulkCalls(b *testing.B) {
	for _, n := range []int{1, 1000} {
		c := newBulkCalls(b)
		ids, err := c.emu.InvokeN(c.urn, n)
		if err != nil {
			b.Fatal(err)
		}
		config := c.config(b, ids)
		b.Run(fmt.Sprintf("validate/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.validate(b, config)
			}
		})
		b.Run(fmt.Sprintf("plan/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.plan(b, config)
			}
		})
		b.Run(fmt.Sprintf("apply/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				ids, err := c.emu.InvokeN(c.urn, n) // each apply needs running invocations
				if err != nil {
					b.Fatal(err)
				}
				config := c.config(b, ids)
				planned := c.plan(b, config)
				before := c.emu.Stats().AcceptedCancels
				b.StartTimer()
				c.apply(b, config, planned)
				b.StopTimer()
				if got := c.emu.Stats().AcceptedCancels - before; got != int64(n) {
					b.Fatalf("the emulator accepted %d cancels, want %d", got, n)
				}
				b.StartTimer()
			}
		})
	}
}
