package fgs

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What the client takes from an answer, beyond what the SDK parses: whether
// its status is one FunctionGraph gives, and text safe to show.

// unexpectedStatusError is an answer the SDK accepted whose status is not
// 2xx: a redirect from a proxy or a login page, say. FunctionGraph answers a
// request it carried out with 200, so such an answer proves nothing was done.
type unexpectedStatusError struct{ status int }

func (e *unexpectedStatusError) Error() string {
	return fmt.Sprintf("HTTP %d (%s) is not an answer FunctionGraph gives; something else answered in its place", e.status, http.StatusText(e.status))
}

// errorFields are FunctionGraph's error fields, which an answer of any
// status may carry; the types of the answers the client reads embed them.
type errorFields struct {
	ErrorCode any `json:"error_code,omitempty"`
	ErrorMsg  any `json:"error_msg,omitempty"`
}

func (f *errorFields) fields() *errorFields { return f }

// errorBodyError is a 2xx answer whose body is an error: it is a failure
// with its code, never a success.
type errorBodyError struct{ code, message string }

func (e *errorBodyError) Error() string {
	return fmt.Sprintf("a success status with an error body: %s: %s", e.code, e.message)
}

// errorInAnswer returns the error a success answer's body carries, if any.
func errorInAnswer(value any) error {
	a, ok := value.(interface{ fields() *errorFields })
	if !ok {
		return nil
	}
	f := a.fields()
	text := func(v any) string {
		if v == nil {
			return ""
		}
		if s, ok := v.(string); ok {
			return s
		}
		return fmt.Sprint(v)
	}
	code, msg := text(f.ErrorCode), text(f.ErrorMsg)
	if code == "0" {
		code = "" // a numeric code of 0 means no error, as in a listed invocation
	}
	if code != "" || msg != "" {
		return &errorBodyError{code: code, message: msg}
	}
	return nil
}

// printableLine is printable text on one line: a line break or tab in an
// answer must not start what looks like another fact of a diagnostic.
func printableLine(s string, n int) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, printable(s, n))
}

// maxAnswerHead is how much of an answer's body is kept to describe it.
const maxAnswerHead = 120

// answerSummary describes an answer the client could not use, for a person
// to recognise what answered: its type, size and first characters.
func answerSummary(x *exchange) string {
	x.mu.Lock()
	location, contentType, head, bodyLen, mask := x.location, x.contentType, string(x.head), x.bodyLen, x.mask
	x.mu.Unlock()
	var parts []string
	if location != "" {
		parts = append(parts, "redirecting to "+strconv.Quote(x.text(location, maxAnswerHead)))
	}
	if contentType != "" {
		parts = append(parts, "Content-Type "+strconv.Quote(x.text(contentType, 64)))
	}
	switch {
	case bodyLen == 0:
		parts = append(parts, "an empty body")
	case bodyLen <= int64(len(head)):
		parts = append(parts, fmt.Sprintf("%d bytes: %s", bodyLen, printableLine(mask.mask(head), maxAnswerHead)))
	default:
		parts = append(parts, fmt.Sprintf("%d bytes, beginning %s", bodyLen, printableLine(mask.maskCut(head), maxAnswerHead)))
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// masker hides an identity's secrets (secret key, security token, IAM
// token) in text an answer brought back, and shows its access key only
// masked: a proxy's error page that echoes the request's headers must not
// put them into a diagnostic, a log line or the state.
type masker struct {
	secrets  []string
	pairs    []string // old, new: what replacer replaces
	replacer *strings.Replacer
}

// minMasked keeps short test values such as "SK" from masking every
// occurrence of two common letters; real keys and tokens are far longer.
const minMasked = 8

func (id identity) masker() *masker {
	m := &masker{}
	var pairs []string
	for _, s := range []string{id.keys.SecretKey, id.keys.SecurityToken, id.token} {
		if len(s) >= minMasked {
			m.secrets = append(m.secrets, s)
			pairs = append(pairs, s, "***")
		}
	}
	if ak := id.keys.AccessKey; len(ak) >= minMasked {
		pairs = append(pairs, ak, MaskAccessKey(ak))
	}
	m.pairs = pairs
	m.replacer = strings.NewReplacer(pairs...)
	return m
}

// with returns a masker that also hides extra secrets, such as a request's
// signature, which an answer could echo.
func (m *masker) with(extra ...string) *masker {
	out := &masker{}
	var pairs []string
	if m != nil {
		out.secrets = append(out.secrets, m.secrets...)
		pairs = append(pairs, m.pairs...)
	}
	for _, s := range extra {
		if len(s) >= minMasked {
			out.secrets = append(out.secrets, s)
			pairs = append(pairs, s, "***")
		}
	}
	out.pairs = pairs
	out.replacer = strings.NewReplacer(pairs...)
	return out
}

// text masks s, then makes it printable in at most n bytes: the one way
// any string from an answer is kept or shown.
func (m *masker) text(s string, n int) string { return printable(m.mask(s), n) }

// mask hides the secrets in s. A nil masker changes nothing.
func (m *masker) mask(s string) string {
	if m == nil {
		return s
	}
	return m.replacer.Replace(s)
}

// maskCut masks s, which was cut short: a secret it ends in the middle of
// is hidden too, since the part shown would be a piece of it.
func (m *masker) maskCut(s string) string {
	s = m.mask(s)
	if m == nil {
		return s
	}
	for _, secret := range m.secrets {
		for n := min(len(secret)-1, len(s)); n >= minMasked; n-- {
			if strings.HasSuffix(s, secret[:n]) {
				s = s[:len(s)-n] + "***"
				break
			}
		}
	}
	return s
}

// text is text from an answer made safe to show: the call's secrets
// masked first (a cut could leave a piece of one), then printable on one
// line, at most n bytes.
func (x *exchange) text(s string, n int) string { return printableLine(x.masker().mask(s), n) }

// masker is the attempt's masker, which learns the request's own headers as it is sent.
func (x *exchange) masker() *masker {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.mask
}

// authHeaderSecrets are what a request's headers carry that an echo of
// them must not show: the signature (valid for a replay within minutes)
// and the tokens.
func authHeaderSecrets(h http.Header) []string {
	out := []string{h.Get("X-Auth-Token"), h.Get("X-Security-Token")}
	if a := h.Get("Authorization"); a != "" {
		if i := strings.LastIndex(a, "Signature="); i >= 0 {
			out = append(out, strings.TrimSpace(a[i+len("Signature="):]))
		}
	}
	return out
}

// printable makes text from an answer safe to show: valid UTF-8 (which the
// plugin protocol requires), no terminal control sequences, at most n bytes.
func printable(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return '\uFFFD'
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
