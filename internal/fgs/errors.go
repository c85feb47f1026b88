package fgs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrorKind says what went wrong, so callers can explain it and decide what to do.
type ErrorKind int

const (
	// KindAPI: the API answered with an error status (see StatusCode and Code).
	KindAPI ErrorKind = iota + 1
	// KindBadResponse: an answer came but could not be read (not JSON, cut short, too large).
	KindBadResponse
	// KindConnection: no answer came (refused, reset, DNS, TLS, per-attempt timeout).
	KindConnection
	// KindTimeout: the caller's deadline passed.
	KindTimeout
	// KindCanceled: the caller stopped waiting (an interrupt).
	KindCanceled
	// KindInvalidInput: the request was refused before anything was sent.
	KindInvalidInput
	// KindInternal: the SDK failed in a way it should not (a panic, an unexpected type).
	KindInternal
	// KindTooMany: a listing went past MaxListedInvocations and was given up.
	KindTooMany
)

func (k ErrorKind) String() string {
	switch k {
	case KindAPI:
		return "API error"
	case KindBadResponse:
		return "unreadable response"
	case KindConnection:
		return "connection error"
	case KindTimeout:
		return "timeout"
	case KindCanceled:
		return "canceled"
	case KindInvalidInput:
		return "invalid input"
	case KindInternal:
		return "internal error"
	case KindTooMany:
		return "too many invocations"
	}
	return "error"
}

// Service is the API a request went to.
type Service string

const (
	// ServiceFunctionGraph is FunctionGraph, where every operation goes.
	ServiceFunctionGraph Service = "FunctionGraph"
	// ServiceIAM is IAM, asked for an agency's temporary credentials first.
	ServiceIAM Service = "IAM"
)

// Error is the one error type every call returns. It carries what a person
// needs to act on a failure or to open a support ticket.
type Error struct {
	Op  string // what was attempted, e.g. "cancel async invocation"
	URN string // the function's URN
	// Service is the API that failed. ServiceIAM means getting an agency's
	// temporary credentials failed, and nothing was sent to FunctionGraph.
	Service Service
	// Auth is how the call authenticated, so a 401 can be explained.
	Auth AuthMethod
	// Endpoint is where the request went, if it got that far.
	Endpoint string
	Kind     ErrorKind
	// StatusCode is the HTTP status of the last answer, 0 if none came.
	StatusCode int
	// Code and Message are error_code and error_msg from the answer's body.
	Code    string
	Message string
	// RequestID is the X-Request-Id header of the last answer.
	RequestID string
	// Attempts is how many HTTP requests were sent.
	Attempts int
	// RetryAfter is the wait the server asked for, if it did.
	RetryAfter time.Duration
	// StoppedRetrying says why retries ended early, if they did.
	StoppedRetrying string
	// Note adds what was learnt after the failure, if anything.
	Note string
	// Throttled counts the answers refusing this call for a quota (429),
	// which it waited out rather than counting them as retries.
	Throttled int
	// Pace is the shared pace when the call ended waiting its turn, nil
	// when no throttling was seen.
	Pace *PaceStatus
	// Err is the underlying error.
	Err error

	// AnswerLost says a request of this call reached the endpoint and no
	// answer proved what became of it (none came, it broke off, or it was
	// a 5xx): that request may have been carried out.
	AnswerLost bool

	// cutOff marks an answer whose body broke off: worth another try.
	cutOff bool
	// reached marks this attempt's request as written in full to the endpoint.
	reached bool
}

// lostAnswer reports an attempt that reached the endpoint without an
// answer saying what was done: no answer, a cut-off one, a 5xx, or a 2xx
// that could not be read.
func (e *Error) lostAnswer() bool {
	if !e.reached {
		return false
	}
	switch e.Kind {
	case KindConnection, KindTimeout, KindCanceled:
		return true
	case KindAPI:
		return e.IsServerError()
	case KindBadResponse:
		return e.cutOff || e.StatusCode/100 == 2 || e.StatusCode == 0
	}
	return false
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(" failed: ")
	if e.Service == ServiceIAM && e.Op != opAssumeAgency {
		b.WriteString("getting the agency's temporary credentials from IAM: ")
	}
	switch {
	case e.StatusCode != 0 && e.Code != "":
		fmt.Fprintf(&b, "HTTP %d, %s: %s", e.StatusCode, e.Code, e.Message)
	case e.StatusCode != 0 && e.Message != "":
		fmt.Fprintf(&b, "HTTP %d: %s", e.StatusCode, e.Message)
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString(e.Kind.String())
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (X-Request-Id: %s)", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// retryable reports whether sending the same request again may succeed.
func (e *Error) retryable() bool {
	switch e.Kind {
	case KindAPI:
		return e.StatusCode == 429 || e.IsServerError()
	case KindConnection:
		return !e.permanentConnectionFailure()
	case KindBadResponse:
		// A body cut off by the connection is worth another try; garbage is not.
		return e.cutOff
	}
	return false
}

// permanentConnectionFailure marks failures that will not heal by waiting:
// a host that does not exist, a certificate that does not verify, plain HTTP
// where TLS was expected, an address that cannot be dialled, a proxy that
// refuses the tunnel, a header that cannot be sent.
func (e *Error) permanentConnectionFailure() bool {
	return IsTLSError(e.Err) || IsHostNotFound(e.Err) || IsNotTLS(e.Err) || IsInvalidAddress(e.Err) ||
		IsProxyRefusal(e.Err) || IsMalformedHeader(e.Err)
}

// deadlineStop ends StoppedRetrying when the caller's deadline, not
// max_retries, ended the retries.
const deadlineStop = "would pass the deadline"

// StoppedByDeadline reports retries ended by the caller's deadline: more
// retries (max_retries) would not have helped, more time would.
func (e *Error) StoppedByDeadline() bool { return strings.HasSuffix(e.StoppedRetrying, deadlineStop) }

// AsError returns err as an *Error if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsTLSError reports whether err is a certificate that did not verify.
func IsTLSError(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var verification *tls.CertificateVerificationError
	return errors.As(err, &unknownAuthority) || errors.As(err, &invalid) ||
		errors.As(err, &hostname) || errors.As(err, &verification)
}

// IsHostNotFound reports whether err is a DNS answer that the host does not exist.
func IsHostNotFound(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// IsPlainHTTP reports a TLS handshake answered in plain HTTP: an http://
// server given as https://, or as a bare host:port.
func IsPlainHTTP(err error) bool {
	var record tls.RecordHeaderError
	return errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &record) && string(record.RecordHeader[:]) == "HTTP/"
}

// IsNotTLS reports a TLS handshake answered by something that does not
// speak TLS at all (plain HTTP, an SSH banner): waiting will not change it.
func IsNotTLS(err error) bool {
	var record tls.RecordHeaderError
	return errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &record)
}

// IsInvalidAddress reports an address that cannot be dialled, such as a port
// out of range.
func IsInvalidAddress(err error) bool {
	var addrErr *net.AddrError
	return errors.As(err, &addrErr)
}

// IsProxyRefusal reports an HTTP proxy that refused to open the tunnel.
func IsProxyRefusal(err error) bool {
	var pe *ProxyError
	return errors.As(err, &pe) && pe.Status != ""
}

// IsMalformedHeader reports a request not sent because a header could not be.
func IsMalformedHeader(err error) bool {
	var he *HeaderError
	return errors.As(err, &he)
}

// Proxy returns the proxy a failed request went through, if any.
func Proxy(err error) (string, bool) {
	var pe *ProxyError
	if errors.As(err, &pe) {
		return pe.Proxy, true
	}
	return "", false
}

// IsConnectionRefused reports whether nothing listens at the endpoint.
func IsConnectionRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// connectionMessage says in plain words why no answer came.
func connectionMessage(err error) string {
	var pe *ProxyError
	if errors.As(err, &pe) {
		switch {
		case pe.Status != "":
			return pe.Error()
		case IsConnectionRefused(err):
			return "the connection to the proxy " + pe.Proxy + " was refused: nothing is listening at the proxy"
		case IsHostNotFound(err):
			return "the proxy " + pe.Proxy + " or the endpoint's host name does not resolve: " + rootCause(pe.Err).Error()
		}
		return connectionMessage(pe.Err) + " (through the proxy " + pe.Proxy + ")"
	}
	switch {
	case IsMalformedHeader(err):
		return rootCause(err).Error()
	case IsPlainHTTP(err):
		return "the endpoint answered in plain HTTP to a TLS handshake: it speaks http://, not https://"
	case IsNotTLS(err):
		var record tls.RecordHeaderError
		errors.As(err, &record)
		return fmt.Sprintf("the endpoint did not answer the TLS handshake in TLS (its first bytes were %q): it is not an HTTPS server",
			printable(string(record.RecordHeader[:]), 16))
	case IsInvalidAddress(err):
		return "the endpoint's address cannot be dialled: " + rootCause(err).Error()
	case IsTLSError(err):
		return "the endpoint's TLS certificate did not verify: " + rootCause(err).Error()
	case IsHostNotFound(err):
		return "the endpoint's host name does not resolve: " + rootCause(err).Error()
	case IsConnectionRefused(err):
		return "the connection was refused: nothing is listening at the endpoint"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "the connection was closed before an answer came"
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "no answer within the per-request timeout"
	}
	return rootCause(err).Error()
}

// rootCause strips url.Error's "Post \"https://...\":" prefix; the URL is shown elsewhere.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// IsServerError reports a 5xx answer: the server failed, and may not next time.
// Statuses past 599 are no HTTP answer FunctionGraph gives, and are not retried.
func (e *Error) IsServerError() bool { return e.StatusCode >= 500 && e.StatusCode <= 599 }

// attemptCount writes "1 attempt" or "3 attempts".
func attemptCount(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// IsNotCancellable reports the API's answer for a request that is unknown
// or no longer running (FSS.0400 "Invalid RequestId").
func (e *Error) IsNotCancellable() bool {
	return e.Kind == KindAPI && e.StatusCode == 400 && e.Code == "FSS.0400"
}
