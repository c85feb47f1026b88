package fgsemu

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer/algorithm"
	fgsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2/model"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
)

func TestSDKConformance(t *testing.T) {
	for _, alg := range []algorithm.SigningAlgorithm{algorithm.HmacSHA256, algorithm.HmacSM3} {
		t.Run(string(alg), func(t *testing.T) {
			e, base := startEmulator(t, Options{})
			contentHashHeader := "X-Sdk-Content-Sha256"
			if alg == algorithm.HmacSM3 {
				contentHashHeader = "X-Sdk-Content-Sm3"
			}
			good := newFGClient(t, base, sdkCreds{ak: testAK, sk: testSK}, alg, nil)

			id, err := sdkInvoke(good)
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			list, err := sdkList(good, id, time.Now())
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			if list.Count == nil || *list.Count != 1 || len(*list.Invocations) != 1 || *(*list.Invocations)[0].RequestId != id ||
				(*list.Invocations)[0].Status.Value() != "RUNNING" || (*list.Invocations)[0].StartTime == nil {
				t.Fatalf("list answer %v", list)
			}

			_, err = newFGClient(t, base, sdkCreds{ak: testAK, sk: "wrong"}, alg, nil).AsyncInvokeFunction(&fgsmodel.AsyncInvokeFunctionRequest{FunctionUrn: testURN})
			wantSDKError(t, err, 401, "APIGW.0301", "signature does not match")
			_, err = newFGClient(t, base, sdkCreds{ak: "UNKNOWNKEY", sk: testSK}, alg, nil).AsyncInvokeFunction(&fgsmodel.AsyncInvokeFunctionRequest{FunctionUrn: testURN})
			wantSDKError(t, err, 401, "APIGW.0301", "unknown access key")

			type tamper struct {
				name   string
				mutate func(r *http.Request, body []byte) []byte
				ok     bool // a change the signature does not cover
			}
			header := func(name, value string) func(*http.Request, []byte) []byte {
				return func(r *http.Request, b []byte) []byte { r.Header.Set(name, value); return b }
			}
			cancelTampers := []tamper{
				{"method", func(r *http.Request, b []byte) []byte { r.Method = http.MethodPut; return b }, false},
				{"path", func(r *http.Request, b []byte) []byte {
					r.URL.Path = strings.Replace(r.URL.Path, ":hello:", ":hellp:", 1)
					return b
				}, false},
				{"query added", func(r *http.Request, b []byte) []byte { r.URL.RawQuery = "force=true"; return b }, false},
				{"X-Project-Id", header("X-Project-Id", "ffffffffffffffffffffffffffffffff"), false},
				{"User-Agent", header("User-Agent", "curl/8"), false},
				{"X-Sdk-Date", func(r *http.Request, b []byte) []byte {
					d, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Sdk-Date"))
					r.Header.Set("X-Sdk-Date", d.Add(time.Second).Format("20060102T150405Z"))
					return b
				}, false},
				{"body", func(r *http.Request, b []byte) []byte {
					return bytes.Replace(b, []byte(`"force"`), []byte(`"recursive"`), 1)
				}, false},
				{"body whitespace", func(r *http.Request, b []byte) []byte { return append(b, ' ') }, false},
				{"signature", func(r *http.Request, b []byte) []byte {
					a := r.Header.Get("Authorization")
					r.Header.Set("Authorization", a[:len(a)-1]+string("01"[(a[len(a)-1]-'0'+1)%2]))
					return b
				}, false},
				{"signed headers list", func(r *http.Request, b []byte) []byte {
					r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "user-agent;", "", 1))
					return b
				}, false},
				{"unsigned payload claimed", header(contentHashHeader, "UNSIGNED-PAYLOAD"), false},
				{"unsigned header added", header("X-Extra", "anything"), true},
				{"Content-Type (never signed)", header("Content-Type", "application/json;charset=utf-8"), true},
				{"path re-encoded", func(r *http.Request, b []byte) []byte {
					r.URL.RawPath = strings.ReplaceAll(r.URL.Path, ":", "%3A")
					return b
				}, true},
			}
			for _, tc := range cancelTampers {
				t.Run("cancel/"+tc.name, func(t *testing.T) {
					victim, err := sdkInvoke(good)
					if err != nil {
						t.Fatal(err)
					}
					err = sdkCancel(newFGClient(t, base, sdkCreds{ak: testAK, sk: testSK}, alg, tc.mutate), victim)
					if tc.ok {
						if err != nil {
							t.Fatalf("a change the signature does not cover was refused: %v", err)
						}
						return
					}
					wantSDKError(t, err, 401, "APIGW.0301", "")
					if inv, _ := e.Invocation(testURN, victim); inv.Status != StatusRunning || inv.Cancels != 0 {
						t.Fatalf("a refused cancel changed the invocation: %+v", inv)
					}
				})
			}

			listTampers := []tamper{
				{"query value", func(r *http.Request, b []byte) []byte {
					r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "limit=10", "limit=11", 1)
					return b
				}, false},
				{"query param dropped", func(r *http.Request, b []byte) []byte {
					r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "status=RUNNING", "", 1)
					return b
				}, false},
				{"method", func(r *http.Request, b []byte) []byte { r.Method = http.MethodPost; return b }, false},
				{"query reordered", func(r *http.Request, b []byte) []byte {
					parts := strings.Split(r.URL.RawQuery, "&")
					for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
						parts[i], parts[j] = parts[j], parts[i]
					}
					r.URL.RawQuery = strings.Join(parts, "&")
					return b
				}, true},
			}
			for _, tc := range listTampers {
				t.Run("list/"+tc.name, func(t *testing.T) {
					_, err := sdkList(newFGClient(t, base, sdkCreds{ak: testAK, sk: testSK}, alg, tc.mutate), id, time.Now())
					if tc.ok {
						if err != nil {
							t.Fatalf("refused: %v", err)
						}
						return
					}
					wantSDKError(t, err, 401, "APIGW.0301", "")
				})
			}

			t.Run("unknown function", func(t *testing.T) {
				_, err := good.AsyncInvokeFunction(&fgsmodel.AsyncInvokeFunctionRequest{FunctionUrn: strings.Replace(testURN, "hello", "nope", 1)})
				wantSDKError(t, err, 404, "FSS.0404", "can not find function")
			})
			t.Run("cancel", func(t *testing.T) {
				if err := sdkCancel(good, id); err != nil {
					t.Fatalf("cancel: %v", err)
				}
				wantSDKError(t, sdkCancel(good, id), 400, "FSS.0400", "Invalid RequestId")
				if inv, _ := e.Invocation(testURN, id); inv.Status != StatusFail || inv.ErrorCode != CanceledErrorCode {
					t.Fatalf("after cancel: %+v", inv)
				}
			})
		})
	}
}

func TestSDKTemporaryCredentials(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	_, base := startEmulator(t, Options{Now: clock.Now, TempCredentialTTL: 2 * time.Minute,
		Agencies: []Agency{{DomainName: "acme", AgencyName: "fgs-ops"}}})

	// IAM with basic credentials, no project and an explicit endpoint: the SDK accepts it.
	cred, err := basic.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := iam.IamClientBuilder().WithEndpoints([]string{base}).WithCredential(cred).
		WithHttpConfig(sdkHTTPConfig(t, algorithm.HmacSHA256, nil)).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	iamClient := iam.NewIamClient(hc)
	assume := func(agency string) (*iammodel.CreateTemporaryAccessKeyByAgencyResponse, error) {
		return iamClient.CreateTemporaryAccessKeyByAgency(&iammodel.CreateTemporaryAccessKeyByAgencyRequest{
			Body: &iammodel.CreateTemporaryAccessKeyByAgencyRequestBody{Auth: &iammodel.AgencyAuth{Identity: &iammodel.AgencyAuthIdentity{
				Methods:    []iammodel.AgencyAuthIdentityMethods{iammodel.GetAgencyAuthIdentityMethodsEnum().ASSUME_ROLE},
				AssumeRole: &iammodel.IdentityAssumerole{AgencyName: agency, DomainName: ptr("acme"), DurationSeconds: ptr(int32(3600))},
			}}},
		})
	}
	_, err = assume("someone-else")
	wantSDKError(t, err, 403, "IAM.0002", "")

	resp, err := assume("fgs-ops")
	if err != nil {
		t.Fatalf("assume role: %v", err)
	}
	tc := resp.Credential
	if tc == nil || tc.Access == "" || tc.Secret == "" || tc.Securitytoken == "" {
		t.Fatalf("credential %+v", tc)
	}
	for _, alg := range []algorithm.SigningAlgorithm{algorithm.HmacSHA256, algorithm.HmacSM3} {
		temp := newFGClient(t, base, sdkCreds{ak: tc.Access, sk: tc.Secret, token: tc.Securitytoken}, alg, nil)
		id, err := sdkInvoke(temp)
		if err != nil {
			t.Fatalf("%s with temporary credentials: %v", alg, err)
		}
		if _, err := sdkList(temp, id, time.Now()); err != nil {
			t.Fatalf("%s list with temporary credentials: %v", alg, err)
		}
	}

	_, err = sdkInvoke(newFGClient(t, base, sdkCreds{ak: tc.Access, sk: tc.Secret}, algorithm.HmacSHA256, nil))
	wantSDKError(t, err, 401, "APIGW.0301", "without its X-Security-Token")
	_, err = sdkInvoke(newFGClient(t, base, sdkCreds{ak: tc.Access, sk: tc.Secret, token: tc.Securitytoken}, algorithm.HmacSHA256,
		func(r *http.Request, b []byte) []byte { r.Header.Set("X-Security-Token", "forged"); return b }))
	wantSDKError(t, err, 401, "APIGW.0301", "")
	_, err = sdkInvoke(newFGClient(t, base, sdkCreds{ak: testAK, sk: testSK, token: tc.Securitytoken}, algorithm.HmacSHA256, nil))
	wantSDKError(t, err, 401, "APIGW.0301", "permanent access key")

	clock.Advance(2 * time.Minute)
	_, err = sdkInvoke(newFGClient(t, base, sdkCreds{ak: tc.Access, sk: tc.Secret, token: tc.Securitytoken}, algorithm.HmacSHA256, nil))
	wantSDKError(t, err, 401, "APIGW.0301", "expired")
}
