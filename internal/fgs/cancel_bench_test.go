package fgs

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// The per-cancel path inside the provider: validating, building the SDK
// request, signing it, the transport's bookkeeping, and reading the answer.
// make bench runs these and puts them in its table.

const (
	benchAK  = "BENCHACCESSKEY000001"
	benchSK  = "bench-secret-key"
	benchRID = "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"
)

var benchURN = URN{Region: "cn-north-4", ProjectID: testProject, Package: "default", FunctionName: "report", Version: "latest"}

// cannedAnswer answers every request from memory, as FunctionGraph would,
// so a benchmark measures the client alone: no socket, no server.
type cannedAnswer struct {
	status int
	body   string
}

func (a cannedAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil { // a real transport sends the body
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		Status: http.StatusText(a.status), StatusCode: a.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"bench-x-request-id"}},
		Body:          io.NopCloser(strings.NewReader(a.body)),
		ContentLength: int64(len(a.body)),
		Request:       req,
	}, nil
}

// benchClient is a client whose requests never leave the process.
func benchClient(b *testing.B, answer http.RoundTripper) *Client {
	b.Helper()
	c, err := New(Config{
		Credentials:      Credentials{AccessKey: benchAK, SecretKey: benchSK},
		EndpointOverride: "https://functiongraph.cn-north-4.myhuaweicloud.com",
		Retry:            RetryPolicy{MaxRetries: 0, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond},
	})
	if err != nil {
		b.Fatal(err)
	}
	c.transport.base = answer
	return c
}

// BenchmarkCancel is one accepted cancel, end to end inside the client.
func BenchmarkCancel(b *testing.B) {
	c := benchClient(b, cannedAnswer{status: http.StatusOK, body: "null"})
	ctx := context.Background()
	req := CancelRequest{URN: benchURN, RequestID: benchRID, Type: CancelForce}
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Cancel(ctx, req)
		if err != nil || res.APIRequestID != "bench-x-request-id" {
			b.Fatalf("got %+v, %v", res, err)
		}
	}
}

// BenchmarkCancelParallel is the same from as many goroutines as GOMAXPROCS
// (Terraform applies up to -parallelism resources at once).
func BenchmarkCancelParallel(b *testing.B) {
	c := benchClient(b, cannedAnswer{status: http.StatusOK, body: "null"})
	req := CancelRequest{URN: benchURN, RequestID: benchRID}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := c.Cancel(ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCancelRefused is a cancel FunctionGraph refuses: the error answer
// is parsed into an *Error with its code, message and request ID.
func BenchmarkCancelRefused(b *testing.B) {
	c := benchClient(b, cannedAnswer{status: http.StatusNotFound, body: `{"error_code":"FSS.0404","error_msg":"can not find function"}`})
	ctx := context.Background()
	req := CancelRequest{URN: benchURN, RequestID: benchRID}
	b.ReportAllocs()
	for b.Loop() {
		_, err := c.Cancel(ctx, req)
		if e, ok := AsError(err); !ok || e.Code != "FSS.0404" {
			b.Fatalf("got %v", err)
		}
	}
}

// BenchmarkCancelSign is the SDK-HMAC-SHA256 signature of a cancel request alone.
func BenchmarkCancelSign(b *testing.B) {
	path := "/v2/" + benchURN.ProjectID + "/fgs/functions/" + benchURN.String() + "/cancel"
	b.ReportAllocs()
	for b.Loop() {
		req := request.NewHttpRequestBuilder().
			WithEndpoint("https://functiongraph.cn-north-4.myhuaweicloud.com").
			WithPath(path).
			WithMethod(http.MethodPost).
			AddHeaderParam("Content-Type", "application/json").
			AddHeaderParam("X-Project-Id", benchURN.ProjectID).
			WithBody("application/json", map[string]string{"request_id": benchRID, "type": "force"}).
			Build()
		headers, err := signer.Sign(req, benchAK, benchSK)
		if err != nil || headers["Authorization"] == "" {
			b.Fatalf("got %v, %v", headers, err)
		}
	}
}

// BenchmarkParseURN is the URN check plan and apply make for each cancel.
func BenchmarkParseURN(b *testing.B) {
	s := benchURN.String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseURN(s); err != nil {
			b.Fatal(err)
		}
	}
}

// loopbackClient is a client of the in-process emulator, which knows
// benchURN and is closed when the benchmark ends.
func loopbackClient(b *testing.B) (*Client, *fgsemu.Emulator) {
	b.Helper()
	emu := fgsemu.New(fgsemu.Options{Keys: map[string]string{benchAK: benchSK}})
	endpoint, err := emu.Start("")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emu.Close() })
	if err := emu.AddFunction(fgsemu.Function{URN: benchURN.String()}); err != nil {
		b.Fatal(err)
	}
	c, err := New(Config{Credentials: Credentials{AccessKey: benchAK, SecretKey: benchSK}, EndpointOverride: endpoint})
	if err != nil {
		b.Fatal(err)
	}
	return c, emu
}

// BenchmarkCancelLoopback is a cancel over a kept-alive loopback connection
// to the in-process emulator: the client plus a real HTTP exchange (the
// emulator's own work and allocations included).
func BenchmarkCancelLoopback(b *testing.B) {
	c, emu := loopbackClient(b)
	ctx := context.Background()
	var ids []string
	var err error
	b.ReportAllocs()
	for b.Loop() {
		if len(ids) == 0 { // each cancel needs a running invocation
			b.StopTimer()
			if ids, err = emu.InvokeN(benchURN.String(), 1000); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if _, err := c.Cancel(ctx, CancelRequest{URN: benchURN, RequestID: ids[0]}); err != nil {
			b.Fatal(err)
		}
		ids = ids[1:]
	}
	b.StopTimer()
	if s := emu.Stats(); s.Connections != 1 {
		b.Fatalf("%d cancels used %d connections, want 1", s.AcceptedCancels, s.Connections)
	}
}

// BenchmarkCancelMany is a bulk of 1000 cancels, 50 in flight, to the
// in-process emulator with no latency: the bulk's client part alone, for
// comparison with internal/resources' BenchmarkBulkCalls/apply/1000.
func BenchmarkCancelMany(b *testing.B) {
	c, emu := loopbackClient(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		ids, err := emu.InvokeN(benchURN.String(), 1000)
		if err != nil {
			b.Fatal(err)
		}
		reqs := make([]CancelRequest, len(ids))
		for i, id := range ids {
			reqs[i] = CancelRequest{URN: benchURN, RequestID: id}
		}
		b.StartTimer()
		for _, r := range c.CancelMany(context.Background(), reqs, BulkOptions{MaxConcurrency: 50}) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
}
