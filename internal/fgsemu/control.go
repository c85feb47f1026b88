package fgsemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
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

// serveControl answers /_emulator/...: unauthenticated, so loopback clients only.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	if !isLoopbackRemote(r.RemoteAddr) {
		writeJSON(w, http.StatusForbidden, ControlError{"the control API answers loopback clients only"})
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/_emulator/")
	switch {
	case path == "stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.Stats())
	case path == "reset-stats" && r.Method == http.MethodPost:
		e.ResetStats()
		writeJSON(w, http.StatusOK, e.Stats())
	case path == "functions" && r.Method == http.MethodPost:
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
	case path == "functions" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.functionList())
	case path == "invoke" && r.Method == http.MethodPost:
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
	case path == "invocations" && r.Method == http.MethodGet:
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
	case path == "faults" && r.Method == http.MethodPost:
		var f Fault
		if !decodeControl(w, r, &f) {
			return
		}
		if err := e.InjectFault(f); err != nil {
			writeJSON(w, http.StatusBadRequest, ControlError{err.Error()})
			return
		}
		writeJSON(w, http.StatusCreated, f)
	case path == "faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.faultList())
	case path == "faults" && r.Method == http.MethodDelete:
		e.ClearFaults()
		writeJSON(w, http.StatusOK, []Fault{})
	case path == "quotas" && r.Method == http.MethodPost:
		e.serveSetQuota(w, r)
	case path == "quotas" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.Quotas())
	case path == "quotas" && r.Method == http.MethodDelete:
		e.ClearQuotas()
		writeJSON(w, http.StatusOK, []Quota{})
	case path == "latency" && r.Method == http.MethodPost:
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
	case path == "tokens" && r.Method == http.MethodPost:
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
	default:
		writeJSON(w, http.StatusNotFound, ControlError{"no such control endpoint: " + r.Method + " /_emulator/" + path})
	}
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

func (e *Emulator) functionList() []Function {
	e.mu.RLock()
	fns := make([]*functionState, 0, len(e.functions))
	for _, fn := range e.functions {
		fns = append(fns, fn)
	}
	e.mu.RUnlock()
	out := make([]Function, 0, len(fns))
	for _, fn := range fns {
		fn.mu.Lock()
		out = append(out, fn.cfg)
		fn.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

func (e *Emulator) faultList() []Fault {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	out := make([]Fault, len(e.faults))
	for i, f := range e.faults {
		out[i] = f.Fault
		if f.Times > 0 {
			out[i].Times = f.remaining
		}
	}
	return out
}
