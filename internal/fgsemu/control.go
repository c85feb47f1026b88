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

// controlHandler answers one control call with a status and a value to write
// as JSON, or with an error: a *controlError carries its status, any other
// error is a 400.
type controlHandler func(e *Emulator, r *http.Request) (int, any, error)

// controlError is a mistake answered with a status other than 400.
type controlError struct {
	status int
	msg    string
}

func (c *controlError) Error() string { return c.msg }

// controlRoute is one endpoint of the control API.
type controlRoute struct {
	pattern string // "METHOD /_emulator/name", as http.ServeMux reads it
	handle  controlHandler
}

// controlRoutes is the control API; cmd/fgsemu's help lists each (ControlEndpoints).
var controlRoutes = []controlRoute{
	{"GET /_emulator/stats", answer((*Emulator).Stats)},
	{"POST /_emulator/reset-stats", answer((*Emulator).resetAndReadStats)},
	{"POST /_emulator/functions", withBody((*Emulator).addFunction)},
	{"GET /_emulator/functions", answer((*Emulator).functionList)},
	{"POST /_emulator/invoke", withBody((*Emulator).controlInvoke)},
	{"GET /_emulator/invocations", (*Emulator).controlInvocations},
	{"POST /_emulator/faults", withBody((*Emulator).addFault)},
	{"GET /_emulator/faults", answer((*Emulator).faultList)},
	{"DELETE /_emulator/faults", answer((*Emulator).clearFaultList)},
	{"POST /_emulator/quotas", withBody((*Emulator).setQuota)},
	{"GET /_emulator/quotas", answer((*Emulator).Quotas)},
	{"DELETE /_emulator/quotas", answer((*Emulator).clearQuotaList)},
	{"POST /_emulator/latency", withBody((*Emulator).setLatency)},
	{"POST /_emulator/tokens", withBody((*Emulator).addToken)},
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

// answer serves what read returns, with 200.
func answer[T any](read func(*Emulator) T) controlHandler {
	return func(e *Emulator, _ *http.Request) (int, any, error) { return http.StatusOK, read(e), nil }
}

// withBody decodes the JSON body strictly into a T and applies it.
func withBody[T any](apply func(*Emulator, T) (int, any, error)) controlHandler {
	return func(e *Emulator, r *http.Request) (int, any, error) {
		var v T
		if err := decodeControl(r, &v); err != nil {
			return 0, nil, err
		}
		return apply(e, v)
	}
}

// newControlMux routes the control API; anything else under /_emulator/
// gets a JSON 404 that names what was asked and what the path answers.
func (e *Emulator) newControlMux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range controlRoutes {
		mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			status, v, err := rt.handle(e, r)
			if err != nil {
				status, v = http.StatusBadRequest, ControlError{err.Error()}
				var ce *controlError
				if errors.As(err, &ce) {
					status = ce.status
				}
			}
			writeJSON(w, status, v)
		})
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

// decodeControl reads a JSON body strictly, so a typo in a field name is an error, not a silent default.
func decodeControl(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("a JSON body is required")
		}
		return errors.New("invalid JSON body: " + err.Error())
	}
	return nil
}

func (e *Emulator) resetAndReadStats() Stats {
	e.ResetStats()
	return e.Stats()
}

// addFunction answers with the function as added (URN with its version).
func (e *Emulator) addFunction(f Function) (int, any, error) {
	if err := e.AddFunction(f); err != nil {
		return 0, nil, err
	}
	fn, _ := e.lookup(f.URN)
	fn.mu.Lock()
	cfg := fn.cfg
	fn.mu.Unlock()
	return http.StatusCreated, cfg, nil
}

// controlInvoke starts invocations without the API, so no API counter moves.
func (e *Emulator) controlInvoke(req InvokeRequest) (int, any, error) {
	if req.Count == 0 {
		req.Count = 1
	}
	if req.Count < 0 || req.Count > 100000 {
		return 0, nil, errors.New("count must be 1 to 100000")
	}
	var start time.Time
	if req.StartedAgo > 0 {
		start = e.now().Add(-time.Duration(req.StartedAgo))
	}
	ids, err := e.invokeStarted(req.URN, req.Count, start)
	if err != nil {
		return 0, nil, &controlError{http.StatusNotFound, fmt.Sprintf("unknown function %q: add it first", req.URN)}
	}
	return http.StatusOK, InvokeResponse{ids}, nil
}

// controlInvocations answers ?urn='s invocations, or the one ?request_id= names.
func (e *Emulator) controlInvocations(r *http.Request) (int, any, error) {
	urn := r.URL.Query().Get("urn")
	if _, ok := e.lookup(urn); !ok {
		return 0, nil, &controlError{http.StatusNotFound, fmt.Sprintf("unknown function %q", urn)}
	}
	resp := InvocationsResponse{URN: urn}
	if id := r.URL.Query().Get("request_id"); id != "" {
		inv, ok := e.Invocation(urn, id)
		if !ok {
			return 0, nil, &controlError{http.StatusNotFound, fmt.Sprintf("unknown request ID %q", id)}
		}
		resp.Invocations = []Invocation{inv}
	} else {
		resp.Invocations = e.Invocations(urn)
	}
	return http.StatusOK, resp, nil
}

func (e *Emulator) addFault(f Fault) (int, any, error) {
	if err := e.InjectFault(f); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, f, nil
}

func (e *Emulator) clearFaultList() []Fault {
	e.ClearFaults()
	return []Fault{}
}

// setQuota takes {"op","limit","window"} (limit 0 removes it) and answers with the quotas in force.
func (e *Emulator) setQuota(q Quota) (int, any, error) {
	if err := e.SetQuota(q.Op, q.Limit, q.Window); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.Quotas(), nil
}

func (e *Emulator) clearQuotaList() []Quota {
	e.ClearQuotas()
	return []Quota{}
}

func (e *Emulator) setLatency(req LatencyRequest) (int, any, error) {
	if req.Latency < 0 {
		return 0, nil, errors.New("latency must not be negative")
	}
	e.SetLatency(time.Duration(req.Latency))
	return http.StatusOK, req, nil
}

// addToken answers with the token's expiry only: a token is a secret.
func (e *Emulator) addToken(req TokenRequest) (int, any, error) {
	if req.Token == "" {
		return 0, nil, errors.New("token must not be empty")
	}
	e.AddToken(req.Token, req.Expires)
	return http.StatusCreated, struct {
		Expires time.Time `json:"expires,omitzero"`
	}{req.Expires}, nil
}

func isLoopbackRemote(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
