package fgs

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
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
	defer x.mu.Unlock()
	var parts []string
	if x.location != "" {
		parts = append(parts, "redirecting to "+strconv.Quote(x.text(x.location, maxAnswerHead)))
	}
	if x.contentType != "" {
		parts = append(parts, "Content-Type "+strconv.Quote(x.text(x.contentType, 64)))
	}
	switch {
	case x.bodyLen == 0:
		parts = append(parts, "an empty body")
	case x.bodyLen <= int64(len(x.head)):
		parts = append(parts, fmt.Sprintf("%d bytes: %s", x.bodyLen, printableLine(x.mask.mask(string(x.head)), maxAnswerHead)))
	default:
		parts = append(parts, fmt.Sprintf("%d bytes, beginning %s", x.bodyLen, printableLine(x.mask.maskCut(string(x.head)), maxAnswerHead)))
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// masker hides an identity's secrets (secret key, security token, IAM
// token) in text an answer brought back, and shows its access key only
// masked: a proxy's error page that echoes the request's headers must not
// put them into a diagnostic, a log line or the state.
type masker struct {
	secrets  []string
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
	m.replacer = strings.NewReplacer(pairs...)
	return m
}

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
func (x *exchange) text(s string, n int) string { return printableLine(x.mask.mask(s), n) }
