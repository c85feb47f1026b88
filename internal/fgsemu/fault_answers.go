package fgsemu

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// applyFault answers a request the way the fault says.
func (e *Emulator) applyFault(w http.ResponseWriter, r *http.Request, rt route, f *Fault) {
	ctx := r.Context()
	if f.Hang {
		select {
		case <-ctx.Done():
		case <-e.done:
		}
		dropConnection(w)
		return
	}
	if !e.wait(ctx, f.Delay) {
		dropConnection(w)
		return
	}
	switch {
	case f.Drop != "":
		e.applyDrop(w, r, rt, f)
	case f.Malformed != "":
		e.writeMalformed(w, r, rt, f)
	case f.Status == 0 && f.Body == "" && f.RetryAfter == "":
		e.serveAPI(w, r, rt) // a pure delay
	default:
		writeFaultAnswer(w, f)
	}
}

// applyDrop closes the connection before an answer, after a real one was
// made and swallowed, or half-way through a body.
func (e *Emulator) applyDrop(w http.ResponseWriter, r *http.Request, rt route, f *Fault) {
	switch f.Drop {
	case DropAfter:
		e.serveAPI(newBufferedWriter(), r, rt)
	case DropMidBody:
		body := cannedBody(rt.op, f.Body)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		setAPIHeaders(w, "application/json")
		w.WriteHeader(statusOr(f.Status, http.StatusOK))
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
	}
	dropConnection(w)
}

// writeMalformed answers what no well-behaved API would: HTML, nothing, half
// a JSON body, a huge one, or a list page that never ends.
func (e *Emulator) writeMalformed(w http.ResponseWriter, r *http.Request, rt route, f *Fault) {
	switch f.Malformed {
	case MalformedHTML:
		page := "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1><p>The upstream server returned an invalid response.</p></body></html>\n"
		writeRaw(w, statusOr(f.Status, http.StatusOK), "text/html; charset=utf-8", []byte(page))
	case MalformedEmpty:
		writeRaw(w, statusOr(f.Status, http.StatusInternalServerError), "application/json", nil)
	case MalformedTruncated:
		body := cannedBody(rt.op, f.Body)
		writeRaw(w, statusOr(f.Status, http.StatusOK), "application/json", body[:len(body)/2])
	case MalformedHuge:
		e.writeHuge(w, r, statusOr(f.Status, http.StatusOK))
	case MalformedLoop, MalformedEndless:
		writeMadeUpPage(w, r, f.Malformed == MalformedEndless)
	}
}

// writeFaultAnswer answers the fault's status (500, or 429 with a
// Retry-After), its body or FunctionGraph's error shape.
func writeFaultAnswer(w http.ResponseWriter, f *Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
		if f.RetryAfter != "" {
			status = http.StatusTooManyRequests
		}
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		writeRaw(w, status, "application/json", []byte(f.Body))
		return
	}
	writeJSON(w, status, errorBody{fmt.Sprintf("FSS.%04d", status), "injected fault: " + strings.ToLower(http.StatusText(status))})
}

func statusOr(s, def int) int {
	if s == 0 {
		return def
	}
	return s
}

// cannedBody is a plausible answer for op, used where a fault cuts a body.
func cannedBody(op, override string) []byte {
	if override != "" {
		return []byte(override)
	}
	switch op {
	case OpList:
		return []byte(`{"invocations":[{"request_id":"` + newUUID() + `","status":"RUNNING","start_time":"` +
			time.Now().UTC().Format(apiTimeFormat) + `"}],"count":1,"next_marker":1}`)
	case OpInvoke:
		return []byte(`{"request_id":"` + newUUID() + `"}`)
	case OpIAM:
		return []byte(`{"credential":{"access":"TRUNCATEDACCESSKEY00","secret":"truncated","securitytoken":"truncated","expires_at":"2000-01-01T00:00:00.000000Z"}}`)
	case OpCancel:
		return []byte(`{"error_code":"FSS.0500","error_msg":"internal error"}`)
	default:
		return []byte(`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment"}`)
	}
}

// writeHuge streams a valid JSON object of HugeBodySize bytes from one small
// buffer, stopping when the client goes away or the emulator closes.
func (e *Emulator) writeHuge(w http.ResponseWriter, r *http.Request, status int) {
	const prefix, suffix = `{"invocations":[],"padding":"`, `"}`
	setAPIHeaders(w, "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(HugeBodySize))
	w.WriteHeader(status)
	if _, err := w.Write([]byte(prefix)); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte{'x'}, 32<<10)
	left := HugeBodySize - len(prefix) - len(suffix)
	for left > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-e.done:
			return
		default:
		}
		n := min(left, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		left -= n
	}
	_, _ = w.Write([]byte(suffix))
}

// writeMadeUpPage answers a full page of made-up RUNNING invocations whose
// next_marker is the marker asked for (a loop) or, moving on, the next page's
// (a list without end), with a count always past it: a client that trusts
// next_marker and count never ends.
func writeMadeUpPage(w http.ResponseWriter, r *http.Request, movesOn bool) {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	marker, err := strconv.Atoi(q.Get("marker"))
	if err != nil || marker < 0 {
		marker = 0
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > maxListLimit {
		limit = defaultListLimit
	}
	start := time.Now().UTC().Format(apiTimeFormat)
	resp := listResponse{Invocations: make([]listedInvocation, limit), Count: marker + limit + 1, NextMarker: marker}
	if movesOn {
		resp.NextMarker = marker + limit
	}
	for i := range resp.Invocations {
		resp.Invocations[i] = listedInvocation{
			RequestID: fmt.Sprintf("00000000-0000-4000-8000-%012d", marker+i),
			Status:    StatusRunning,
			StartTime: start,
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// bufferedWriter swallows an answer that a DropAfter fault will never send.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedWriter() *bufferedWriter { return &bufferedWriter{header: make(http.Header)} }

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(s int) {
	if b.status == 0 {
		b.status = s
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
