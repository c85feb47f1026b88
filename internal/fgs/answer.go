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
		parts = append(parts, "redirecting to "+strconv.Quote(printableLine(x.location, maxAnswerHead)))
	}
	if x.contentType != "" {
		parts = append(parts, "Content-Type "+strconv.Quote(printableLine(x.contentType, 64)))
	}
	switch {
	case x.bodyLen == 0:
		parts = append(parts, "an empty body")
	case x.bodyLen <= int64(len(x.head)):
		parts = append(parts, fmt.Sprintf("%d bytes: %s", x.bodyLen, printableLine(string(x.head), maxAnswerHead)))
	default:
		parts = append(parts, fmt.Sprintf("%d bytes, beginning %s", x.bodyLen, printableLine(string(x.head), maxAnswerHead)))
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// secrets are what must never be shown of an identity: the secret key, the
// security token and the IAM token. The access key is not secret.
func (id identity) secrets() []string {
	return []string{id.keys.SecretKey, id.keys.SecurityToken, id.token}
}

// minRedacted keeps short test values such as "SK" from masking every
// occurrence of two common letters; real secrets are far longer.
const minRedacted = 8

// redact masks secrets in text an answer brought back: a proxy's error page
// that echoes the request's headers must not put the security token or the
// IAM token into a diagnostic, a log line or the state.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if len(secret) >= minRedacted && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// redact masks secrets in every text of the error that came from an answer.
func (e *Error) redact(secrets []string) {
	e.Code = redact(e.Code, secrets)
	e.Message = redact(e.Message, secrets)
	e.RequestID = redact(e.RequestID, secrets)
}
