package fgsemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tjfoc/gmsm/sm3"
)

// Signing algorithms the Huawei Cloud SDK's AK/SK signers put in Authorization.
const (
	AlgorithmHMACSHA256 = "SDK-HMAC-SHA256"
	AlgorithmHMACSM3    = "SDK-HMAC-SM3"
)

// MaxClockSkew is how far X-Sdk-Date may be from the emulator's clock.
const MaxClockSkew = 15 * time.Minute

// Error codes of authentication failures, as API Gateway answers them.
const (
	CodeAuthMissing = "APIGW.0101"
	CodeAuthFailed  = "APIGW.0301"
)

const (
	sdkDateFormat       = "20060102T150405Z"
	headerSdkDate       = "X-Sdk-Date"
	headerSecurityToken = "X-Security-Token"
	headerAuthToken     = "X-Auth-Token"
	unsignedPayload     = "UNSIGNED-PAYLOAD"
)

// AuthError says why a request was refused. Reason is short and safe to
// show: it never holds a secret, a token or a signature.
type AuthError struct {
	Code    string // CodeAuthMissing or CodeAuthFailed
	Reason  string
	Expired bool // the credentials or token were valid once but have expired
}

// Error reads like API Gateway's message.
func (e *AuthError) Error() string {
	if e.Code == CodeAuthMissing {
		return e.Reason
	}
	return "Incorrect IAM authentication information: " + e.Reason
}

func authFailed(reason string) *AuthError { return &AuthError{Code: CodeAuthFailed, Reason: reason} }

// signingScheme is one AK/SK algorithm: its name, hash and payload-hash override header.
type signingScheme struct {
	name          string
	newHash       func() hash.Hash
	contentHeader string
}

var (
	schemeSHA256 = signingScheme{AlgorithmHMACSHA256, sha256.New, "X-Sdk-Content-Sha256"}
	schemeSM3    = signingScheme{AlgorithmHMACSM3, sm3.New, "X-Sdk-Content-Sm3"}
)

// VerifySignature checks an AK/SK-signed request exactly as the Huawei Cloud
// Go SDK signs it (core/auth/signer): it rebuilds the canonical request from
// the method, the decoded path, the query, the signed headers and the body
// (or X-Sdk-Content-Sha256 / X-Sdk-Content-Sm3), hashes it, and compares the
// HMAC under the access key's secret in constant time. secretFor returns the
// secret for an access key and, for temporary credentials, the security token
// the request must carry (signed) in X-Security-Token. It is pure (the clock is
// now) so it can be fuzzed; a failure is an *AuthError.
func VerifySignature(r *http.Request, body []byte, secretFor func(ak string) (secret, securityToken string, ok bool), now time.Time) error {
	if r == nil || r.URL == nil {
		return authFailed("no request")
	}
	sig, err := parseSignature(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	signedAt, err := sig.checkDate(r, now)
	if err != nil {
		return err
	}
	secret, err := sig.checkCredential(r, secretFor)
	if err != nil {
		return err
	}
	canonical, err := sig.canonicalRequest(r, body)
	if err != nil {
		return err
	}
	if !sig.matches(secret, signedAt, canonical) {
		return authFailed("signature does not match (check the secret key, and that nothing changed the request after signing)")
	}
	return nil
}

// signature is what an Authorization header claims: the scheme, the access
// key, the headers signed (as listed and split) and the HMAC.
type signature struct {
	scheme     signingScheme
	accessKey  string
	signedList string
	signed     []string
	mac        []byte
}

// parseSignature reads "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex".
func parseSignature(authz string) (signature, error) {
	if authz == "" {
		return signature{}, &AuthError{Code: CodeAuthMissing, Reason: "the request is not signed: send Authorization (AK/SK signing) or X-Auth-Token"}
	}
	algName, params, _ := strings.Cut(strings.TrimSpace(authz), " ")
	var sig signature
	switch algName {
	case AlgorithmHMACSHA256:
		sig.scheme = schemeSHA256
	case AlgorithmHMACSM3:
		sig.scheme = schemeSM3
	default:
		return signature{}, authFailed("unsupported signing algorithm (use SDK-HMAC-SHA256 or SDK-HMAC-SM3)")
	}
	ak, signedList, sigHex, err := parseAuthorization(params)
	if err != nil {
		return signature{}, err
	}
	mac, decErr := hex.DecodeString(sigHex)
	if decErr != nil || len(mac) != 32 {
		return signature{}, authFailed("malformed signature in Authorization")
	}
	signed := strings.Split(signedList, ";")
	for _, h := range signed {
		if h == "" || h != strings.ToLower(h) || !validHeaderName(h) {
			return signature{}, authFailed("malformed SignedHeaders in Authorization")
		}
	}
	sig.accessKey, sig.signedList, sig.signed, sig.mac = ak, signedList, signed, mac
	return sig, nil
}

// isSigned reports whether the lower-case header name is among SignedHeaders.
func (sig signature) isSigned(name string) bool {
	return slices.Contains(sig.signed, name)
}

// checkDate returns X-Sdk-Date, which must be signed and within MaxClockSkew of now.
func (sig signature) checkDate(r *http.Request, now time.Time) (time.Time, error) {
	dateValue := r.Header.Get(headerSdkDate)
	if dateValue == "" {
		return time.Time{}, authFailed("X-Sdk-Date header is missing")
	}
	if !sig.isSigned("x-sdk-date") {
		return time.Time{}, authFailed("X-Sdk-Date header is not signed")
	}
	signedAt, err := time.Parse(sdkDateFormat, dateValue)
	if err != nil {
		return time.Time{}, authFailed("X-Sdk-Date is not in the form 20060102T150405Z")
	}
	if d := now.Sub(signedAt); d > MaxClockSkew || d < -MaxClockSkew {
		return time.Time{}, authFailed("X-Sdk-Date is more than 15 minutes away from the server clock")
	}
	return signedAt, nil
}

// checkCredential returns the access key's secret once the request carries
// exactly the security token that key needs (none for a permanent key).
func (sig signature) checkCredential(r *http.Request, secretFor func(ak string) (secret, securityToken string, ok bool)) (string, error) {
	if secretFor == nil {
		return "", authFailed("unknown access key")
	}
	secret, wantToken, ok := secretFor(sig.accessKey)
	if !ok || secret == "" {
		return "", authFailed("unknown access key")
	}
	gotToken := r.Header.Get(headerSecurityToken)
	switch {
	case wantToken != "" && gotToken == "":
		return "", authFailed("temporary access key used without its X-Security-Token")
	case wantToken != "" && !sig.isSigned("x-security-token"):
		return "", authFailed("X-Security-Token header is not signed")
	case wantToken != "" && subtle.ConstantTimeCompare([]byte(gotToken), []byte(wantToken)) != 1:
		return "", authFailed("X-Security-Token does not belong to this access key")
	case wantToken == "" && gotToken != "":
		return "", authFailed("X-Security-Token sent with a permanent access key")
	}
	return secret, nil
}

// matches compares, in constant time, the claimed HMAC with the one the
// secret gives over the string to sign: scheme, date, canonical request hash.
func (sig signature) matches(secret string, signedAt time.Time, canonical string) bool {
	crHash := sig.scheme.newHash()
	crHash.Write([]byte(canonical))
	stringToSign := sig.scheme.name + "\n" + signedAt.UTC().Format(sdkDateFormat) + "\n" + hex.EncodeToString(crHash.Sum(nil))
	mac := hmac.New(sig.scheme.newHash, []byte(secret))
	mac.Write([]byte(stringToSign))
	return hmac.Equal(mac.Sum(nil), sig.mac)
}

// parseAuthorization reads "Access=AK, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(params string) (ak, signedHeaders, signature string, err error) {
	seen := 0
	for _, field := range strings.Split(params, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return "", "", "", authFailed("malformed Authorization header")
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Access":
			ak = v
			seen |= 1
		case "SignedHeaders":
			signedHeaders = v
			seen |= 2
		case "Signature":
			signature = v
			seen |= 4
		default:
			return "", "", "", authFailed("malformed Authorization header")
		}
	}
	if seen != 7 || ak == "" || signedHeaders == "" || signature == "" {
		return "", "", "", authFailed("Authorization header needs Access, SignedHeaders and Signature")
	}
	return ak, signedHeaders, signature, nil
}

func validHeaderName(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}
