package fgsemu

import (
	"net/http"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer/algorithm"
)

// The SDK's own client sees a quota's refusal as API Gateway's: a
// ServiceResponseError 429 APIGW.0308 naming the quota, counted per access key.
func TestSDKSeesQuota(t *testing.T) {
	const otherAK, otherSK = "TESTACCESSKEY0000002", "other-secret-key"
	clock := newFakeClock() // near the wall clock, as signatures need
	e, base := startEmulator(t, Options{Now: clock.Now, Keys: map[string]string{testAK: testSK, otherAK: otherSK}})
	if err := e.SetQuota(OpCancel, 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := e.SetQuota(OpList, 2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	first := newFGClient(t, base, sdkCreds{ak: testAK, sk: testSK}, algorithm.HmacSHA256, nil)
	second := newFGClient(t, base, sdkCreds{ak: otherAK, sk: otherSK}, algorithm.HmacSM3, nil)
	ids := make([]string, 4)
	for i := range ids {
		var err error
		if ids[i], err = sdkInvoke(first); err != nil {
			t.Fatal(err)
		}
	}
	if err := sdkCancel(first, ids[0]); err != nil {
		t.Fatalf("first cancel: %v", err)
	}
	wantSDKError(t, sdkCancel(first, ids[1]), http.StatusTooManyRequests, CodeThrottled, "policy user over ratelimit,limit:1,time:1 minute")
	if err := sdkCancel(second, ids[1]); err != nil {
		t.Fatalf("another access key has its own count: %v", err)
	}
	wantSDKError(t, sdkCancel(second, ids[2]), http.StatusTooManyRequests, CodeThrottled, "limit:1,time:1 minute")
	for range 2 {
		if _, err := sdkList(first, ids[3], clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	wantSDKError(t, func() error { _, err := sdkList(first, ids[3], clock.Now()); return err }(),
		http.StatusTooManyRequests, CodeThrottled, "limit:2,time:10 second")
	if st := e.Stats(); st.AcceptedCancels != 2 || st.ThrottledByOp[OpCancel] != 2 || st.ThrottledByOp[OpList] != 1 || st.ThrottledByOp[OpInvoke] != 0 {
		t.Errorf("stats %+v", st)
	}
}
