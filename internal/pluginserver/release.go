package pluginserver

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// frameworkServer is every interface the framework's protocol 6 server
// implements; tf6server finds the optional ones by type assertion, so the
// wrapper must offer them all. Go cannot forward methods it is not told of:
// TestWrapperOffersEveryFrameworkMethod fails when the framework gains one.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// releaseContexts wraps the framework's server so that it forgets each
// call's context when the call returns. The framework keeps a cancel
// function for every call's context until StopProvider (CONTRIBUTING.md,
// "Reporting upstream", has the details), so without this the provider's
// memory grows with every resource of an apply.
func releaseContexts(s tfprotov6.ProviderServer) (tfprotov6.ProviderServer, error) {
	fs, ok := s.(frameworkServer)
	if !ok {
		return nil, fmt.Errorf("the framework's protocol 6 server (%T) no longer implements every interface internal/pluginserver forwards", s)
	}
	return releasingServer{fs, newActionStreams()}, nil
}

// unreleased are the calls that go through with their own context, and why.
var unreleased = map[string]string{
	"StopProvider":   "it registers no context: it cancels those the other calls registered (and waits for actions, actions.go)",
	"InvokeAction":   "it answers with a stream of events, sent after it returns under its context (counted, actions.go)",
	"ListResource":   "it answers with a stream of results, sent after it returns under its context",
	"ReadStateBytes": "it answers with a stream of chunks, sent after it returns under its context",
}

// releasingServer releases the context of every call that is over when it
// returns; the calls in unreleased go through unchanged.
type releasingServer struct {
	frameworkServer
	// actions are the action event streams StopProvider lets finish (actions.go).
	actions *actionStreams
}

func (s releasingServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return released(ctx, req, s.frameworkServer.GetMetadata)
}

func (s releasingServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return released(ctx, req, s.frameworkServer.GetProviderSchema)
}

func (s releasingServer) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return released(ctx, req, s.frameworkServer.GetResourceIdentitySchemas)
}

func (s releasingServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateProviderConfig)
}

func (s releasingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return released(ctx, req, s.frameworkServer.ConfigureProvider)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceIdentity)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.ImportResourceState)
}

func (s releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.MoveResourceState)
}

func (s releasingServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.GenerateResourceConfig)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadDataSource)
}

func (s releasingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateEphemeralResourceConfig)
}

func (s releasingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.OpenEphemeralResource)
}

func (s releasingServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.RenewEphemeralResource)
}

func (s releasingServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.CloseEphemeralResource)
}

func (s releasingServer) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return released(ctx, req, s.frameworkServer.GetFunctions)
}

func (s releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return released(ctx, req, s.frameworkServer.CallFunction)
}

func (s releasingServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateListResourceConfig)
}

func (s releasingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateActionConfig)
}

func (s releasingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return released(ctx, req, s.frameworkServer.PlanAction)
}

func (s releasingServer) ValidateStateStoreConfig(ctx context.Context, req *tfprotov6.ValidateStateStoreConfigRequest) (*tfprotov6.ValidateStateStoreConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateStateStoreConfig)
}

func (s releasingServer) ConfigureStateStore(ctx context.Context, req *tfprotov6.ConfigureStateStoreRequest) (*tfprotov6.ConfigureStateStoreResponse, error) {
	return released(ctx, req, s.frameworkServer.ConfigureStateStore)
}

func (s releasingServer) GetStates(ctx context.Context, req *tfprotov6.GetStatesRequest) (*tfprotov6.GetStatesResponse, error) {
	return released(ctx, req, s.frameworkServer.GetStates)
}

func (s releasingServer) DeleteState(ctx context.Context, req *tfprotov6.DeleteStateRequest) (*tfprotov6.DeleteStateResponse, error) {
	return released(ctx, req, s.frameworkServer.DeleteState)
}

func (s releasingServer) LockState(ctx context.Context, req *tfprotov6.LockStateRequest) (*tfprotov6.LockStateResponse, error) {
	return released(ctx, req, s.frameworkServer.LockState)
}

func (s releasingServer) UnlockState(ctx context.Context, req *tfprotov6.UnlockStateRequest) (*tfprotov6.UnlockStateResponse, error) {
	return released(ctx, req, s.frameworkServer.UnlockState)
}

// WriteStateBytes reads its stream of chunks before it returns, so its context is over then.
func (s releasingServer) WriteStateBytes(ctx context.Context, req *tfprotov6.WriteStateBytesStream) (*tfprotov6.WriteStateBytesResponse, error) {
	return released(ctx, req, s.frameworkServer.WriteStateBytes)
}

// released runs one call with a context that is cut loose from ctx when the call returns.
func released[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := newReleasableContext(ctx)
	defer rc.release()
	return call(rc, req)
}

// releasableContext is its parent until release, and afterwards an ended
// context with no values, so whoever still holds it holds nothing else.
// Done and Value pass through, so contexts derived from it during the call
// hook into the parent's cancellation directly, with no goroutine.
type releasableContext struct {
	parent atomic.Pointer[contextBox]
}

type contextBox struct{ context.Context }

// endedContext is what a released context becomes: the call is over.
var endedContext = func() *contextBox {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return &contextBox{ctx}
}()

func newReleasableContext(parent context.Context) *releasableContext {
	c := &releasableContext{}
	c.parent.Store(&contextBox{parent})
	return c
}

func (c *releasableContext) release() { c.parent.Store(endedContext) }

func (c *releasableContext) Deadline() (time.Time, bool) { return c.parent.Load().Deadline() }
func (c *releasableContext) Done() <-chan struct{}       { return c.parent.Load().Done() }
func (c *releasableContext) Err() error                  { return c.parent.Load().Err() }
func (c *releasableContext) Value(key any) any           { return c.parent.Load().Value(key) }
