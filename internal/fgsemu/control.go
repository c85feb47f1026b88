package fgsemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path"
	"strings"
	"time"
)

// Control API wire types, shared with cmd/fgsemu so both sides agree.
type (
	// InvokeRequest is the body of POST /_emulator/invoke.
	InvokeRequest struct {
		URN   string `json:"urn"`
		Count int    `json:"count,omitempty"` // 0 means 1
		// StartedAgo back-dates the invocations: running since that long ago.
		StartedAgo Duration `json:"started_ago,omitempty"`
	}
	// InvokeResponse answers POST /_emulator/invoke.
	InvokeResponse struct {
		RequestIDs []string `json:"request_ids"`
	}
	// InvocationsResponse answers GET /_emulator/invocations.
	InvocationsResponse struct {
		URN         string       `json:"urn"`
		Invocations []Invocation `json:"invocations"`
	}
	// LatencyRequest is the body of POST /_emulator/latency.
	LatencyRequest struct {
		Latency Duration `json:"latency"`
	}
	// TokenRequest is the body of POST /_emulator/tokens; a zero Expires never expires.
	TokenRequest struct {
		Token   string    `json:"token"`
		Expires time.Time `json:"expires,omitzero"`
	}
	// ControlError is how the control API reports a mistake.
	ControlError struct {
		Error string `json:"error"`
	}
)

const maxControlBody = 1 << 20

// controlRoute is one endpoint of the control API.
type controlRoute struct {
	pattern string // "METHOD /_emulator/name", as http.ServeMux reads it
	handle  func(e *Emulator, w http.ResponseWriter, r *http.Request)
}

// controlRoutes is the control API; cmd/fgsemu's help lists each (ControlEndpoints).
var controlRoutes = []controlRoute{
	{"GET /_emulator/stats", (*Emulator).serveStats},
	{"POST /_emulator/reset-stats", (*Emulator).serveResetStats},
	{"POST /_emulator/functions", (*Emulator).serveAddFunction},
	{"GET /_emulator/functions", (*Emulator).serveFunctions},
	{"POST /_emulator/invoke", (*Emulator).serveControlInvoke},
	{"GET /_emulator/invocations", (*Emulator).serveInvocations},
	{"POST /_emulator/faults", (*Emulator).serveAddFault},
	{"GET /_emulator/faults", (*Emulator).serveFaults},
	{"DELETE /_emulator/faults", (*Emulator).serveClearFaults},
	{"POST /_emulator/quotas", (*Emulator).serveSetQuota},
	{"GET /_emulator/quotas", (*Emulator).serveQuotas},
	{"DELETE /_emulator/quotas", (*Emulator).serveClearQuotas},
	{"POST /_emulator/latency", (*Emulator).serveSetLatency},
	{"POST /_emulator/tokens", (*Emulator).serveAddToken},
}

// ControlEndpoints lists the control API as "METHOD /_emulator/name", in the
// order it is served, so a help text can be checked against it.
func ControlEndpoints() []string {
	out := make([]string, len(controlRoutes))
	for i, rt := range controlRoutes {
		out[i] = rt.pattern
	}
	return out
}

// newControlMux routes the control API; anything else under /_emulator/
// gets a JSON 404 that names what was asked and what the path answers.
func (e *Emulator) newControlMux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range controlRoutes {
		mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) { rt.handle(e, w, r) })
	}
	mux.HandleFunc("/_emulator/", serveNoSuchControlEndpoint)
	return mux
}

// serveControl answers /_emulator/...: unauthenticated, so loopback clients only.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	if !isLoopbackRemote(r.RemoteAddr) {
		writeJSON(w, http.StatusForbidden, ControlError{"the control API answers loopback clients only"})
		return
	}
	if path.Clean(r.URL.Path) != r.URL.Path {
		// ServeMux would redirect to the cleaned path (it may leave /_emulator/); name the mistake instead.
		serveNoSuchControlEndpoint(w, r)
		return
	}
	e.control.ServeHTTP(w, r)
}

// serveNoSuchControlEndpoint answers a path or method the control API lacks.
func serveNoSuchControlEndpoint(w http.ResponseWriter, r *http.Request) {
	msg := "no such control endpoint: " + r.Method + " " + r.URL.Path
	var methods []string
	for _, rt := range controlRoutes {
		if method, p, _ := strings.Cut(rt.pattern, " "); p == r.URL.Path {
			methods = append(methods, method)
		}
	}
	if len(methods) > 0 {
		msg += " (" + r.URL.Path + " answers " + strings.Join(methods, ", ") + ")"
	}
	writeJSON(w, http.StatusNotFound, ControlError{msg})
}

func (e *Emulator) serveStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Stats())
}

func (e *Emulator) serveResetStats(w http.ResponseWriter, _ *http.Request) {
	e.ResetStats()
	writeJSON(w, http.StatusOK, e.Stats())
}

// serveAddFunction answers with the function as added (URN with its version).
func (e *Emulator) serveAddFunction(w http.ResponseWriter, r *http.Request) {
	var f Function
	if !decodeControl(w, r, &f) {
		return
	}
	if err := e.AddFunction(f); err != nil {
		writeJSON(w, http.StatusBadRequest, ControlError{err.Error()})
		return
	}
	fn, _ := e.lookup(f.URN)
	fn.mu.Lock()
	cfg := fn.cfg
	fn.mu.Unlock()
	writeJSON(w, http.StatusCreated, cfg)
}

func (e *Emulator) serveFunctions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.functionList())
}

// serveControlInvoke starts invocations without the API, so no API counter moves.
func (e *Emulator) serveControlInvoke(w http.ResponseWriter, r *http.Request) {
	var req InvokeRequest
	if !decodeControl(w, r, &req) {
		return
	}
	if req.Count == 0 {
		req.Count = 1
	}
	if req.Count < 0 || req.Count > 100000 {
		writeJSON(w, http.StatusBadRequest, ControlError{"count must be 1 to 100000"})
		return
	}
	var start time.Time
	if req.StartedAgo > 0 {
		start = e.now().Add(-time.Duration(req.StartedAgo))
	}
	ids, err := e.invokeStarted(req.URN, req.Count, start)
	if err != nil {
		writeJSON(w, http.StatusNotFound, ControlError{fmt.Sprintf("unknown function %q: add it first", req.URN)})
		return
	}
	writeJSON(w, http.StatusOK, InvokeResponse{ids})
}

// serveInvocations answers a function's invocations, or the one ?request_id= names.
func (e *Emulator) serveInvocations(w http.ResponseWriter, r *http.Request) {
	urn := r.URL.Query().Get("urn")
	if _, ok := e.lookup(urn); !ok {
		writeJSON(w, http.StatusNotFound, ControlError{fmt.Sprintf("unknown function %q", urn)})
		return
	}
	resp := InvocationsResponse{URN: urn}
	if id := r.URL.Query().Get("request_id"); id != "" {
		inv, ok := e.Invocation(urn, id)
		if !ok {
			writeJSON(w, http.StatusNotFound, ControlError{fmt.Sprintf("unknown request ID %q", id)})
			return
		}
		resp.Invocations = []Invocation{inv}
	} else {
		resp.Invocations = e.Invocations(urn)
	}
	writeJSON(w, http.StatusOK, resp)
}

func (e *Emulator) serveAddFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if !decodeControl(w, r, &f) {
		return
	}
	if err := e.InjectFault(f); err != nil {
		writeJSON(w, http.StatusBadRequest, ControlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, f)
}

func (e *Emulator) serveFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.faultList())
}

func (e *Emulator) serveClearFaults(w http.ResponseWriter, _ *http.Request) {
	e.ClearFaults()
	writeJSON(w, http.StatusOK, []Fault{})
}

// serveSetQuota takes {"op","limit","window"} (limit 0 removes it) and answers with the quotas in force.
func (e *Emulator) serveSetQuota(w http.ResponseWriter, r *http.Request) {
	var q Quota
	if !decodeControl(w, r, &q) {
		return
	}
	if err := e.SetQuota(q.Op, q.Limit, q.Window); err != nil {
		writeJSON(w, http.StatusBadRequest, ControlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, e.Quotas())
}

func (e *Emulator) serveQuotas(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Quotas())
}

func (e *Emulator) serveClearQuotas(w http.ResponseWriter, _ *http.Request) {
	e.ClearQuotas()
	writeJSON(w, http.StatusOK, []Quota{})
}

func (e *Emulator) serveSetLatency(w http.ResponseWriter, r *http.Request) {
	var req LatencyRequest
	if !decodeControl(w, r, &req) {
		return
	}
	if req.Latency < 0 {
		writeJSON(w, http.StatusBadRequest, ControlError{"latency must not be negative"})
		return
	}
	e.SetLatency(time.Duration(req.Latency))
	writeJSON(w, http.StatusOK, req)
}

// serveAddToken answers with the token's expiry only: a token is a secret.
func (e *Emulator) serveAddToken(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if !decodeControl(w, r, &req) {
		return
	}
	if req.Token == "" {
		writeJSON(w, http.StatusBadRequest, ControlError{"token must not be empty"})
		return
	}
	e.AddToken(req.Token, req.Expires)
	writeJSON(w, http.StatusCreated, struct {
		Expires time.Time `json:"expires,omitzero"`
	}{req.Expires})
}

// decodeControl reads a JSON body strictly, so a typo in a field name is an error, not a silent default.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := "invalid JSON body: " + err.Error()
		if errors.Is(err, io.EOF) {
			msg = "a JSON body is required"
		}
		writeJSON(w, http.StatusBadRequest, ControlError{msg})
		return false
	}
	return true
}

func isLoopbackRemote(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
