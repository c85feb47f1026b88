package fgsemu

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// canonicalRequest rebuilds the text the SDK hashes and signs: method, URI,
// query, signed headers, their names, and the payload's hash.
func (sig signature) canonicalRequest(r *http.Request, body []byte) (string, error) {
	payloadHash, err := sig.payloadHash(r, body)
	if err != nil {
		return "", err
	}
	headers, err := canonicalHeaders(r, sig.signed)
	if err != nil {
		return "", err
	}
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	var cr strings.Builder
	cr.Grow(256 + len(r.URL.Path) + len(query) + len(headers))
	for _, part := range []string{r.Method, canonicalURI(r.URL.Path), query, headers, sig.signedList} {
		cr.WriteString(part)
		cr.WriteByte('\n')
	}
	cr.WriteString(payloadHash)
	return cr.String(), nil
}

// payloadHash is the body's hash, or the signed X-Sdk-Content-Sha256 /
// X-Sdk-Content-Sm3 header that stands in for it (e.g. UNSIGNED-PAYLOAD).
func (sig signature) payloadHash(r *http.Request, body []byte) (string, error) {
	header := sig.scheme.contentHeader
	if vs := r.Header.Values(header); len(vs) > 0 {
		if !sig.isSigned(strings.ToLower(header)) {
			return "", authFailed(header + " header is not signed")
		}
		return strings.TrimSpace(vs[0]), nil
	}
	h := sig.scheme.newHash()
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
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
