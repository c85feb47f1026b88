package fgsemu

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// route is what a request path names. A known path with the wrong method
// keeps its op (so it is authenticated before the 404, and a changed method
// on a signed request is reported as a signature mismatch).
type route struct {
	op       string
	methodOK bool
	project  string
	urn      string
}

// routeOf maps a path to an operation; segments may arrive percent-encoded or raw.
func routeOf(r *http.Request) route {
	raw := r.URL.EscapedPath()
	if raw == "/v3.0/OS-CREDENTIAL/securitytokens" {
		return route{op: OpIAM, methodOK: r.Method == http.MethodPost}
	}
	parts := strings.Split(raw, "/")
	if len(parts) != 7 || parts[0] != "" || parts[1] != "v2" || parts[3] != "fgs" || parts[4] != "functions" {
		return route{op: OpOther}
	}
	project, err1 := pathUnescape(parts[2])
	urn, err2 := pathUnescape(parts[5])
	if err1 != nil || err2 != nil {
		return route{op: OpOther}
	}
	rt := route{project: project, urn: urn}
	switch parts[6] {
	case "invocations-async":
		rt.op, rt.methodOK = OpInvoke, r.Method == http.MethodPost
	case "async-invocations":
		rt.op, rt.methodOK = OpList, r.Method == http.MethodGet
	case "cancel":
		rt.op, rt.methodOK = OpCancel, r.Method == http.MethodPost
	default:
		rt.op = OpOther
	}
	return rt
}

// ServeHTTP answers the cloud API, the IAM call and the control API.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !e.enter() {
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"FSS.0503", "emulator is closed"})
		return
	}
	defer e.handlers.Done()
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	op := "control"
	defer func() {
		if p := recover(); p != nil {
			// A bug must not take the emulator down; say so instead.
			e.logf("fgsemu: internal error on %s %s: %v", r.Method, r.URL.Path, p)
			if sw.status == 0 {
				writeJSON(sw, http.StatusInternalServerError, errorBody{"FSS.0500", "emulator internal error"})
			}
		}
		status := sw.status
		if status == 0 {
			status = -1 // dropped without an answer
		}
		e.logf("%s %s %d op=%s %s", r.Method, r.URL.Path, status, op, time.Since(start).Round(time.Microsecond))
	}()

	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		e.serveControl(sw, r)
		return
	}
	rt := routeOf(r)
	op = rt.op
	defer e.observe(Answered)
	e.counters.requests.Add(1)
	e.counters.byOp[opIndex(op)].Add(1)
	if op == OpIAM {
		e.counters.iamCalls.Add(1)
	}
	e.observe(Arrived)
	if op == OpCancel {
		defer e.counters.cancelStarted()()
	}
	if !e.wait(r.Context(), time.Duration(e.latency.Load())) {
		dropConnection(sw)
		return
	}
	if f := e.matchFault(op); f != nil {
		e.counters.faultsApplied.Add(1)
		e.applyFault(sw, r, rt, f)
		return
	}
	e.serveAPI(sw, r, rt)
}

var errNoSuchAPI = errorBody{"APIGW.0101", "The API does not exist or has not been published in the environment"}

// serveAPI authenticates and answers one cloud or IAM request.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, rt route) {
	if rt.op == OpOther {
		writeJSON(w, http.StatusNotFound, errNoSuchAPI)
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if aerr := e.authenticate(r, body); aerr != nil {
		e.counters.authFailures.Add(1)
		writeJSON(w, http.StatusUnauthorized, errorBody{aerr.Code, aerr.Error()})
		return
	}
	if !rt.methodOK {
		writeJSON(w, http.StatusNotFound, errNoSuchAPI)
		return
	}
	if e.throttle(w, r, rt.op) {
		return
	}
	switch rt.op {
	case OpIAM:
		e.serveAssumeRole(w, body)
	case OpInvoke:
		e.serveInvoke(w, rt)
	case OpList:
		e.serveList(w, r, rt)
	case OpCancel:
		e.serveCancel(w, rt, body)
	}
}

// maxBody bounds request bodies; the real API's are tiny.
const maxBody = 1 << 20

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Body == nil {
		return nil, true
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{"FSS.0413", "request body too large"})
		} else {
			writeJSON(w, http.StatusBadRequest, errorBody{"FSS.0400", "could not read request body"})
		}
		return nil, false
	}
	return body, true
}
