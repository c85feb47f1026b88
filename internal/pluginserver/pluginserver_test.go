package pluginserver

import (
	"context"
	"runtime"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

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

// tf6server finds actions, list resources and state stores by type
// assertion (ProviderServerWith...): the wrapper must not hide any the
// framework offers.
func TestReleaseContextsKeepsOptionalInterfaces(t *testing.T) {
	t.Parallel()
	inner := frameworkServerForTest()
	if _, ok := inner.(frameworkServer); !ok {
		t.Fatal("the framework's server no longer implements every optional interface this package knows; update frameworkServer")
	}
	s := releaseContexts(inner)
	if _, ok := s.(releasingServer); !ok {
		t.Fatalf("releaseContexts returned %T, want releasingServer", s)
	}
	if _, ok := s.(tfprotov6.ActionServer); !ok {
		t.Error("the wrapped server hides actions")
	}
	if _, ok := s.(tfprotov6.ListResourceServer); !ok {
		t.Error("the wrapped server hides list resources")
	}
	if _, ok := s.(tfprotov6.StateStoreServer); !ok {
		t.Error("the wrapped server hides state stores")
	}
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
	}}}
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

	wrapped := releaseContexts(frameworkServerForTest())
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
