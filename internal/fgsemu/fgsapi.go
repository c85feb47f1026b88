package fgsemu

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// apiTimeFormat is how the real API writes start_time and end_time (UTC).
const apiTimeFormat = "2006-01-02T15:04:05"

// DefaultListWindow is how far back the list API looks when no
// query_begin_time is given; without query_end_time it looks up to now.
const DefaultListWindow = time.Hour

// List page size bounds.
const (
	defaultListLimit = 100
	maxListLimit     = 500
)

var errFunctionNotFound = errorBody{"FSS.0404", "can not find function"}

// functionFor finds the function a route names; the URN's project must be the path's.
func (e *Emulator) functionFor(rt route) (*functionState, bool) {
	u, err := parseFunctionURN(rt.urn)
	if err != nil || u.project != rt.project {
		return nil, false
	}
	return e.lookup(rt.urn)
}

func (e *Emulator) serveInvoke(w http.ResponseWriter, rt route) {
	fn, ok := e.functionFor(rt)
	if !ok {
		writeJSON(w, http.StatusNotFound, errFunctionNotFound)
		return
	}
	ids := fn.invoke(e.now(), 1)
	writeJSON(w, http.StatusAccepted, struct {
		RequestID string `json:"request_id"`
	}{ids[0]})
}

// listedInvocation is one entry of the list answer, in the SDK's field names.
type listedInvocation struct {
	RequestID    string `json:"request_id"`
	Status       string `json:"status"`
	ErrorMessage string `json:"error_message,omitempty"`
	ErrorCode    int    `json:"error_code,omitempty"`
	StartTime    string `json:"start_time"`
	EndTime      string `json:"end_time,omitempty"`
}

type listResponse struct {
	Invocations []listedInvocation `json:"invocations"`
	Count       int                `json:"count"`
	NextMarker  int                `json:"next_marker"`
}

func toListed(inv Invocation) listedInvocation {
	l := listedInvocation{RequestID: inv.RequestID, Status: inv.Status, ErrorMessage: inv.ErrorMessage,
		ErrorCode: inv.ErrorCode, StartTime: inv.StartTime.UTC().Format(apiTimeFormat)}
	if !inv.EndTime.IsZero() {
		l.EndTime = inv.EndTime.UTC().Format(apiTimeFormat)
	}
	return l
}

func invalidParam(msg string) errorBody { return errorBody{"FSS.0400", msg} }

func (e *Emulator) serveList(w http.ResponseWriter, r *http.Request, rt route) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, invalidParam("Invalid query string"))
		return
	}
	marker, limit := 0, defaultListLimit
	if s := q.Get("marker"); s != "" {
		if marker, err = strconv.Atoi(s); err != nil || marker < 0 {
			writeJSON(w, http.StatusBadRequest, invalidParam("Invalid marker"))
			return
		}
	}
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > maxListLimit {
			writeJSON(w, http.StatusBadRequest, invalidParam("Invalid limit: must be 1 to 500"))
			return
		}
	}
	f := listFilter{requestID: q.Get("request_id"), status: q.Get("status")}
	switch f.status {
	case "", StatusWait, StatusRunning, StatusSuccess, StatusFail, StatusDiscard:
	default:
		writeJSON(w, http.StatusBadRequest, invalidParam("Invalid status"))
		return
	}
	if f.begin, err = parseQueryTime(q.Get("query_begin_time")); err != nil {
		writeJSON(w, http.StatusBadRequest, invalidParam("Invalid query_begin_time"))
		return
	}
	if f.end, err = parseQueryTime(q.Get("query_end_time")); err != nil {
		writeJSON(w, http.StatusBadRequest, invalidParam("Invalid query_end_time"))
		return
	}
	fn, ok := e.functionFor(rt)
	if !ok {
		writeJSON(w, http.StatusNotFound, errFunctionNotFound)
		return
	}
	now := e.now()
	// As the real API: without a window, the last hour up to now.
	if f.begin.IsZero() {
		f.begin = now.Add(-DefaultListWindow).Truncate(time.Second)
	}
	if f.end.IsZero() {
		f.end = now
	}
	page, count := fn.list(now, f, marker, limit)
	resp := listResponse{Invocations: make([]listedInvocation, len(page)), Count: count, NextMarker: marker + len(page)}
	for i, inv := range page {
		resp.Invocations[i] = toListed(inv)
	}
	writeJSON(w, http.StatusOK, resp)
}

// parseQueryTime accepts RFC 3339 or the API's own 2006-01-02T15:04:05 (UTC); "" is no bound.
func parseQueryTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(apiTimeFormat, s, time.UTC)
	if err != nil {
		return time.Time{}, errors.New("invalid time")
	}
	return t, nil
}

type cancelRequest struct {
	RequestID string  `json:"request_id"`
	Type      *string `json:"type"`
}

var errInvalidRequestID = invalidParam("Invalid RequestId")

func (e *Emulator) serveCancel(w http.ResponseWriter, rt route, body []byte) {
	var req cancelRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field == "type" {
			writeJSON(w, http.StatusBadRequest, invalidParam("Invalid type"))
			return
		}
		writeJSON(w, http.StatusBadRequest, errInvalidRequestID)
		return
	}
	if req.RequestID == "" {
		writeJSON(w, http.StatusBadRequest, errInvalidRequestID)
		return
	}
	if req.Type != nil && *req.Type != "force" && *req.Type != "recursive" {
		writeJSON(w, http.StatusBadRequest, invalidParam("Invalid type"))
		return
	}
	fn, ok := e.functionFor(rt)
	if !ok {
		writeJSON(w, http.StatusNotFound, errFunctionNotFound)
		return
	}
	if fn.cancel(e.now(), req.RequestID) != cancelAccepted {
		writeJSON(w, http.StatusBadRequest, errInvalidRequestID)
		return
	}
	e.counters.acceptedCancels.Add(1)
	writeJSON(w, http.StatusOK, nil)
}
