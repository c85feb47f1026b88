package fgsemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"sort"
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
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return &AuthError{Code: CodeAuthMissing, Reason: "the request is not signed: send Authorization (AK/SK signing) or X-Auth-Token"}
	}
	algName, params, _ := strings.Cut(strings.TrimSpace(authz), " ")
	var scheme signingScheme
	switch algName {
	case AlgorithmHMACSHA256:
		scheme = schemeSHA256
	case AlgorithmHMACSM3:
		scheme = schemeSM3
	default:
		return authFailed("unsupported signing algorithm (use SDK-HMAC-SHA256 or SDK-HMAC-SM3)")
	}
	ak, signedList, sigHex, err := parseAuthorization(params)
	if err != nil {
		return err
	}
	signature, decErr := hex.DecodeString(sigHex)
	if decErr != nil || len(signature) != 32 {
		return authFailed("malformed signature in Authorization")
	}
	signed := strings.Split(signedList, ";")
	for _, h := range signed {
		if h == "" || h != strings.ToLower(h) || !validHeaderName(h) {
			return authFailed("malformed SignedHeaders in Authorization")
		}
	}
	isSigned := func(name string) bool {
		for _, h := range signed {
			if h == name {
				return true
			}
		}
		return false
	}

	dateValue := r.Header.Get(headerSdkDate)
	if dateValue == "" {
		return authFailed("X-Sdk-Date header is missing")
	}
	if !isSigned("x-sdk-date") {
		return authFailed("X-Sdk-Date header is not signed")
	}
	signedAt, perr := time.Parse(sdkDateFormat, dateValue)
	if perr != nil {
		return authFailed("X-Sdk-Date is not in the form 20060102T150405Z")
	}
	if d := now.Sub(signedAt); d > MaxClockSkew || d < -MaxClockSkew {
		return authFailed("X-Sdk-Date is more than 15 minutes away from the server clock")
	}

	if secretFor == nil {
		return authFailed("unknown access key")
	}
	secret, wantToken, ok := secretFor(ak)
	if !ok || secret == "" {
		return authFailed("unknown access key")
	}
	gotToken := r.Header.Get(headerSecurityToken)
	switch {
	case wantToken != "" && gotToken == "":
		return authFailed("temporary access key used without its X-Security-Token")
	case wantToken != "" && !isSigned("x-security-token"):
		return authFailed("X-Security-Token header is not signed")
	case wantToken != "" && subtle.ConstantTimeCompare([]byte(gotToken), []byte(wantToken)) != 1:
		return authFailed("X-Security-Token does not belong to this access key")
	case wantToken == "" && gotToken != "":
		return authFailed("X-Security-Token sent with a permanent access key")
	}

	payloadHash := ""
	if vs := r.Header.Values(scheme.contentHeader); len(vs) > 0 {
		if !isSigned(strings.ToLower(scheme.contentHeader)) {
			return authFailed(scheme.contentHeader + " header is not signed")
		}
		payloadHash = strings.TrimSpace(vs[0])
	} else {
		h := scheme.newHash()
		h.Write(body)
		payloadHash = hex.EncodeToString(h.Sum(nil))
	}

	headers, herr := canonicalHeaders(r, signed)
	if herr != nil {
		return herr
	}
	query, qerr := canonicalQuery(r.URL.RawQuery)
	if qerr != nil {
		return qerr
	}
	var cr strings.Builder
	cr.Grow(256 + len(r.URL.Path) + len(query) + len(headers))
	cr.WriteString(r.Method)
	cr.WriteByte('\n')
	cr.WriteString(canonicalURI(r.URL.Path))
	cr.WriteByte('\n')
	cr.WriteString(query)
	cr.WriteByte('\n')
	cr.WriteString(headers)
	cr.WriteByte('\n')
	cr.WriteString(signedList)
	cr.WriteByte('\n')
	cr.WriteString(payloadHash)

	crHash := scheme.newHash()
	crHash.Write([]byte(cr.String()))
	stringToSign := scheme.name + "\n" + signedAt.UTC().Format(sdkDateFormat) + "\n" + hex.EncodeToString(crHash.Sum(nil))
	mac := hmac.New(scheme.newHash, []byte(secret))
	mac.Write([]byte(stringToSign))
	if !hmac.Equal(mac.Sum(nil), signature) {
		return authFailed("signature does not match (check the secret key, and that nothing changed the request after signing)")
	}
	return nil
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

// canonicalHeaders writes "name:value\n" for each signed header, in the
// signed order, values sorted and trimmed; Host comes from the request line.
func canonicalHeaders(r *http.Request, signed []string) (string, error) {
	var b strings.Builder
	for _, name := range signed {
		var values []string
		if name == "host" {
			values = []string{r.Host}
		} else {
			values = append(values, r.Header.Values(name)...)
		}
		if len(values) == 0 {
			return "", authFailed("a signed header is missing from the request")
		}
		sort.Strings(values)
		for _, v := range values {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(v))
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

// canonicalURI escapes each segment of the decoded path and ends it with "/".
func canonicalURI(path string) string {
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = sdkEscape(s)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// canonicalQuery decodes the raw query and re-encodes it sorted by key then
// value, as "k=v" pairs joined by "&" (a bare key signs as "k=").
func canonicalQuery(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	params := make(map[string][]string)
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return "", authFailed("malformed query string")
		}
		params[dk] = append(params[dk], dv)
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := params[k]
		sort.Strings(vs)
		ek := sdkEscape(k)
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(ek)
			b.WriteByte('=')
			b.WriteString(sdkEscape(v))
		}
	}
	return b.String(), nil
}

// sdkEscape percent-encodes every byte except A-Z a-z 0-9 _ - ~ . (upper-case hex), as the SDK does.
func sdkEscape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if sdkShouldEscape(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexDigits = "0123456789ABCDEF"
	t := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if sdkShouldEscape(c) {
			t = append(t, '%', hexDigits[c>>4], hexDigits[c&15])
		} else {
			t = append(t, c)
		}
	}
	return string(t)
}

func sdkShouldEscape(c byte) bool {
	unreserved := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '~' || c == '.'
	return !unreserved
}
