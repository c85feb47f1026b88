package pluginserver

import (
	"context"
	"reflect"
	"runtime"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/provider"
)

func TestQuietDiscardedLogs(t *testing.T) {
	t.Parallel()
	all := []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_HUAWEICLOUD"}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string // the variables quietDiscardedLogs sets
	}{
		{name: "terraform keeps no provider logs", env: map[string]string{},
			want: map[string]string{all[0]: "OFF", all[1]: "OFF", all[2]: "OFF", all[3]: "OFF"}},
		{name: "TF_LOG set", env: map[string]string{"TF_LOG": "DEBUG"}, want: map[string]string{}},
		{name: "TF_LOG_PROVIDER set", env: map[string]string{"TF_LOG_PROVIDER": "TRACE"}, want: map[string]string{}},
		{name: "empty TF_LOG is unset", env: map[string]string{"TF_LOG": ""},
			want: map[string]string{all[0]: "OFF", all[1]: "OFF", all[2]: "OFF", all[3]: "OFF"}},
		{name: "a level the user set stays", env: map[string]string{"TF_LOG_SDK_PROTO": "DEBUG"},
			want: map[string]string{all[0]: "OFF", all[2]: "OFF", all[3]: "OFF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]string{}
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			set := func(k, v string) error { got[k] = v; return nil }
			quietDiscardedLogs(lookup, set, providerLogName("registry.terraform.io/fgs-tools/huaweicloud"))
			if len(got) != len(tt.want) {
				t.Fatalf("set %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("set %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestProviderLogName(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"registry.terraform.io/fgs-tools/huaweicloud": "huaweicloud",
		"example.com/acme/my-cloud":                   "my_cloud",
	} {
		if got := providerLogName(addr); got != want {
			t.Errorf("providerLogName(%q) = %q, want %q", addr, got, want)
		}
	}
}

func frameworkServerForTest() tfprotov6.ProviderServer {
	return providerserver.NewProtocol6(provider.New("test")())()
}

func wrappedServerForTest(t *testing.T) tfprotov6.ProviderServer {
	t.Helper()
	s, err := ProviderServer(provider.New("test"))()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(releasingServer); !ok {
		t.Fatalf("ProviderServer returned %T, want releasingServer", s)
	}
	return s
}

// tf6server finds actions, list resources and state stores by type
// assertion: a method the wrapper lacks hides the interface it belongs to.
// Offering every method of the framework's server offers every interface it
// implements, today's and any a newer framework adds.
func TestWrapperOffersEveryFrameworkMethod(t *testing.T) {
	t.Parallel()
	inner := reflect.ValueOf(frameworkServerForTest())
	wrapped := reflect.ValueOf(wrappedServerForTest(t))
	if inner.Type().NumMethod() < 30 {
		t.Fatalf("the framework's server %s has only %d methods: is it still the framework's?", inner.Type(), inner.Type().NumMethod())
	}
	for i := range inner.Type().NumMethod() {
		m := inner.Type().Method(i)
		if !m.IsExported() {
			continue
		}
		w := wrapped.MethodByName(m.Name)
		if !w.IsValid() {
			t.Errorf("the framework's server has %s and the wrapper does not: add its interface to frameworkServer and release it (release.go)", m.Name)
			continue
		}
		if want := inner.Method(i).Type(); w.Type() != want {
			t.Errorf("%s is %s in the wrapper, %s in the framework", m.Name, w.Type(), want)
		}
	}
	for name := range unreleased {
		if !inner.MethodByName(name).IsValid() {
			t.Errorf("unreleased names %s, which the framework's server no longer has", name)
		}
	}
}

// TestEveryCallIsReleasedOrSaysWhyNot calls every method of the wrapper
// with a context carrying a value and checks that the value is garbage once
// the call is over, except for the calls listed in unreleased. Unwrapped,
// the framework keeps it: the log says which calls, for the upstream report.
func TestEveryCallIsReleasedOrSaysWhyNot(t *testing.T) {
	t.Parallel()
	wrapped := wrappedServerForTest(t)
	bare := frameworkServerForTest()
	ctxType := reflect.TypeFor[context.Context]()
	var keptByFramework []string
	for i := range reflect.TypeOf(wrapped).NumMethod() {
		m := reflect.TypeOf(wrapped).Method(i)
		// Each call takes a context and one request: func(recv, ctx, req).
		if m.Type.NumIn() != 3 || m.Type.In(1) != ctxType || m.Type.In(2).Kind() != reflect.Pointer {
			t.Errorf("%s does not take a context and a request: decide how to release it", m.Name)
			continue
		}
		if _, ok := unreleased[m.Name]; ok {
			continue
		}
		if keptAfterCall(t, wrapped, m.Name) {
			t.Errorf("%s keeps its call's context after returning: release it (release.go) or say in unreleased why not", m.Name)
		}
		if keptAfterCall(t, bare, m.Name) {
			keptByFramework = append(keptByFramework, m.Name)
		}
	}
	t.Logf("unwrapped, the framework keeps the context of %d calls: %v", len(keptByFramework), keptByFramework)
	if len(keptByFramework) == 0 {
		t.Log("unwrapped, the framework no longer keeps call contexts: releaseContexts may not be needed any more")
	}
}

// nullProviderConfig is a provider block with nothing set.
func nullProviderConfig(t *testing.T, s tfprotov6.ProviderServer) *tfprotov6.DynamicValue {
	t.Helper()
	schema, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schema.Provider.ValueType()
	v, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// payload is a value only the call's context refers to.
type payload struct{ _ [1 << 10]byte }

// keptAfterCall calls method with an empty request and a context carrying a
// payload, ends the context as gRPC does, and reports whether the payload
// is still reachable.
func keptAfterCall(t *testing.T, s tfprotov6.ProviderServer, method string) bool {
	t.Helper()
	w := func() weak.Pointer[payload] {
		p := &payload{}
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, p))
		defer cancel()
		fn := reflect.ValueOf(s).MethodByName(method)
		req := reflect.New(fn.Type().In(1).Elem())
		if method == "ConfigureProvider" { // the provider reads its configuration, which must be there
			req = reflect.ValueOf(&tfprotov6.ConfigureProviderRequest{Config: nullProviderConfig(t, s)})
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s with an empty request panicked: %v", method, r)
				}
			}()
			fn.Call([]reflect.Value{reflect.ValueOf(ctx), req})
		}()
		return weak.Make(p)
	}()
	runtime.GC()
	return w.Value() != nil
}

type ctxKey struct{}

// keepingServer keeps every context it is given, as the framework does.
type keepingServer struct {
	frameworkServer
	kept   *[]context.Context
	during func(context.Context)
}

func (s keepingServer) ApplyResourceChange(ctx context.Context, _ *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	*s.kept = append(*s.kept, ctx)
	s.during(ctx)
	return &tfprotov6.ApplyResourceChangeResponse{}, nil
}

func TestReleasedContextDuringAndAfterTheCall(t *testing.T) {
	t.Parallel()
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "call value"))
	defer cancel()
	var kept []context.Context
	s := releasingServer{keepingServer{kept: &kept, during: func(ctx context.Context) {
		if ctx.Value(ctxKey{}) != "call value" || ctx.Err() != nil || ctx.Done() != parent.Done() {
			t.Error("during the call the context must be the call's")
		}
		// A context derived during the call follows the call's cancellation.
		child, stop := context.WithCancel(ctx)
		defer stop()
		if child.Err() != nil {
			t.Error("a derived context is cancelled too early")
		}
	}}, newActionStreams()}
	if _, err := s.ApplyResourceChange(parent, &tfprotov6.ApplyResourceChangeRequest{}); err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 {
		t.Fatalf("kept %d contexts", len(kept))
	}
	if kept[0].Value(ctxKey{}) != nil {
		t.Error("after the call the kept context still reaches the call's values")
	}
	if kept[0].Err() == nil {
		t.Error("after the call the kept context must report that it ended")
	}
	if parent.Err() != nil {
		t.Error("releasing must not cancel the caller's context")
	}
}

// heapAfter returns the live heap after calling fn n times with a context
// that carries a large value, the way each call's logging context is large.
func heapAfter(t *testing.T, s tfprotov6.ProviderServer, n int) uint64 {
	t.Helper()
	var ms runtime.MemStats
	for range n {
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, make([]byte, 64<<10)))
		_, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "no_such_type"})
		cancel() // as gRPC does when a call ends
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// The framework keeps every call's context (the reason for the wrapper);
// wrapped, 200 calls carrying 64 KiB each must leave next to nothing.
func TestFrameworkForgetsCallContextsWhenWrapped(t *testing.T) {
	const calls, payload = 200, 64 << 10
	base := heapAfter(t, frameworkServerForTest(), 0)

	wrapped, err := releaseContexts(frameworkServerForTest())
	if err != nil {
		t.Fatal(err)
	}
	grownWrapped := int64(heapAfter(t, wrapped, calls)) - int64(base)
	runtime.KeepAlive(wrapped)

	bare := frameworkServerForTest()
	base = heapAfter(t, frameworkServerForTest(), 0)
	grownBare := int64(heapAfter(t, bare, calls)) - int64(base)
	runtime.KeepAlive(bare)

	t.Logf("%d calls carrying %d KiB each left %d KiB on the heap wrapped, %d KiB unwrapped", calls, payload>>10, grownWrapped>>10, grownBare>>10)
	if grownWrapped > calls*payload/10 {
		t.Errorf("wrapped, the calls' contexts stay on the heap: releaseContexts no longer works with this framework version")
	}
	if grownBare < calls*payload/2 {
		t.Logf("unwrapped, the framework no longer keeps call contexts: releaseContexts may not be needed any more")
	}
}
