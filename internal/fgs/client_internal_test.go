package fgs

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	fgsv2 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2"
)

// A panic inside the SDK (here: a nil request, which it dereferences) comes
// back as an error, not a crash.
func TestSDKPanicBecomesError(t *testing.T) {
	t.Parallel()
	c, err := New(Config{Credentials: Credentials{AccessKey: "AK", SecretKey: "SK"}, EndpointOverride: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	urn := URN{Region: "cn-north-4", ProjectID: testProject, Package: "default", FunctionName: "f"}
	_, err = c.do(context.Background(), call{op: "test", urn: urn,
		send: func(hc *core.HcHttpClient, headers map[string]string) (any, error) {
			return hc.SyncInvokeWithExtraHeaders(nil, fgsv2.GenReqDefForCancelAsyncInvocation(), newSDKExchange(), headers)
		}})
	e, ok := AsError(err)
	if !ok || e.Kind != KindInternal || e.Attempts != 1 || !strings.Contains(e.Message, "SDK panicked") {
		t.Fatalf("got %#v", err)
	}
}

// Requests the provider did not make itself (the SDK's metadata-server
// fallback, say) are refused by the transport instead of being sent.
func TestTransportRefusesUnmarkedRequests(t *testing.T) {
	t.Parallel()
	tr := newTransport(false, nil, nopLogger{})
	req, _ := http.NewRequest(http.MethodGet, "http://169.254.169.254/openstack/latest/securitykey", nil)
	resp, err := tr.RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("got %v", err)
	}
}
