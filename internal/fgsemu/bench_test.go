package fgsemu

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkCancelParallel measures the hot path a provider test drives:
// authenticated cancels over keep-alive connections from many goroutines.
func BenchmarkCancelParallel(b *testing.B) {
	e := New(Options{Tokens: []string{testToken}})
	if err := e.AddFunction(Function{URN: testURN}); err != nil {
		b.Fatal(err)
	}
	base, err := e.Start("")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	ids, _ := e.InvokeN(testURN, b.N)
	next := make(chan string, len(ids))
	for _, id := range ids {
		next <- id
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	u := fnURL(base, testURN, "cancel")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", u, strings.NewReader(`{"request_id":"`+<-next+`"}`))
			req.Header.Set("X-Auth-Token", testToken)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	if got := e.Stats().AcceptedCancels; got != int64(b.N) {
		b.Fatalf("accepted %d of %d", got, b.N)
	}
}

// BenchmarkVerifySignature measures one SDK-signed request's check.
func BenchmarkVerifySignature(b *testing.B) {
	now := time.Now()
	r, body, err := sdkSignedRequest("POST", "/v2/p/fgs/functions/"+testURN+"/cancel", "", "", "p", []byte(`{"request_id":"x"}`), false, fuzzAK, fuzzSK, "", now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifySignature(r, body, fuzzSecrets, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListThousands pages through a function with 5000 invocations.
func BenchmarkListThousands(b *testing.B) {
	e := New(Options{})
	_ = e.AddFunction(Function{URN: testURN, Concurrency: 10})
	_, _ = e.InvokeN(testURN, 5000)
	fn, _ := e.lookup(testURN)
	b.ReportAllocs()
	for b.Loop() {
		for marker := 0; marker < 5000; marker += 500 {
			fn.list(time.Now(), listFilter{status: StatusRunning}, marker, 500)
		}
	}
}
