package fgsemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// errorBody is FunctionGraph's (and API Gateway's) error shape.
type errorBody struct {
	Code    string `json:"error_code"`
	Message string `json:"error_msg"`
}

// setAPIHeaders marks every answer as the real API does.
func setAPIHeaders(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	if h.Get("X-Request-Id") == "" {
		h.Set("X-Request-Id", newTraceID())
	}
}

// writeJSON answers with status and v as JSON (v == nil writes "null").
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error_code":"FSS.0500","error_msg":"emulator could not encode its answer"}`)
	}
	writeRaw(w, status, "application/json", b)
}

// writeRaw answers with a body of known length.
func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	setAPIHeaders(w, contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// dropConnection closes the client's connection without an answer. Where the
// connection cannot be taken over (HTTP/2, a recorder) it answers nothing,
// which the server turns into an empty 200.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// statusWriter remembers the status for the request log; Unwrap keeps
// hijacking and flushing available through http.ResponseController.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func pathUnescape(s string) (string, error) { return url.PathUnescape(s) }
