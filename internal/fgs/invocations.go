package fgs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdktime"
	fgsv2 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2/model"
)

// Invocation is one asynchronous invocation as the API lists it.
type Invocation struct {
	RequestID    string
	Status       string
	ErrorCode    string
	ErrorMessage string
	// StartTime and EndTime are zero when the API gave none.
	StartTime time.Time
	EndTime   time.Time
}

// ListFilter narrows ListInvocations; zero fields do not filter.
type ListFilter struct {
	RequestID string
	Status    string
	Begin     time.Time
	End       time.Time
	OnRetry   func(RetryEvent)
}

// MaxInvocationAge is how long an invocation can have been running:
// FunctionGraph's default maximum execution duration per request (259,200 s).
// Without a window the list API looks at the last hour only, so the
// provider's own lookups reach back this far.
const MaxInvocationAge = 72 * time.Hour

const (
	opList = "list async invocations"
	// ListPageSize is what each list request asks for: the API's largest page.
	ListPageSize = 500
	// MaxListedInvocations bounds every listing, and so the memory it holds
	// (17 MB for 99,000 invocations, measured). A function runs at most its
	// instances times its requests per instance; FunctionGraph's quotas page
	// gives 1,000 instances per tenant (adjustable), and a function's "max
	// requests per instance" is 1 by default, 1,000 at most. This is 100 times
	// the instances at one request each, or all of them at 100 each, with room
	// for a queue of WAIT ones. Past it, a listing is a window to narrow (the
	// data source lists ended invocations too) or an API that pages forever.
	MaxListedInvocations = 100_000
)

// ListInvocations follows the pages of GET .../async-invocations to the end,
// or fails once they hold more than MaxListedInvocations.
func (c *Client) ListInvocations(ctx context.Context, urn URN, f ListFilter) ([]Invocation, error) {
	if err := f.validate(urn); err != nil {
		return nil, err
	}
	var all []Invocation
	for marker := 0; ; {
		resp, err := c.listPage(ctx, urn, f, marker)
		if err != nil {
			return nil, err
		}
		items := derefSlice(resp.Invocations)
		if len(all)+len(items) > MaxListedInvocations {
			return nil, &Error{Op: opList, URN: urn.String(), Kind: KindTooMany, Message: fmt.Sprintf(
				"FunctionGraph listed more than %s invocations (%s, %d pages), more than a function can have running or queued; "+
					"the listing was given up there rather than held in memory without bound", groupThousands(MaxListedInvocations), f.describe(), marker/ListPageSize+1)}
		}
		for _, it := range items {
			all = append(all, it.invocation(resp.mask))
		}
		if len(items) < ListPageSize || resp.NextMarker == nil {
			return all, nil
		}
		next := int(*resp.NextMarker)
		if resp.Count != nil && next >= int(*resp.Count) {
			return all, nil
		}
		if next <= marker {
			return nil, &Error{Op: opList, URN: urn.String(), Kind: KindBadResponse,
				Message: fmt.Sprintf("the API answered page marker %d with next marker %d, which would list the same page again", marker, next)}
		}
		marker = next
	}
}

// validate checks the URN and the filter before anything is sent.
func (f ListFilter) validate(urn URN) error {
	var err error
	switch {
	case urn.Validate() != nil:
		err = urn.Validate()
	case f.RequestID != "" && ValidateRequestID(f.RequestID) != nil:
		err = ValidateRequestID(f.RequestID)
	case f.Status != "" && !isStatus(f.Status):
		err = fmt.Errorf("status %q is not one of %s", f.Status, strings.Join(InvocationStatuses, ", "))
	}
	if err != nil {
		return &Error{Op: opList, URN: urn.String(), Kind: KindInvalidInput, Message: err.Error(), Err: err}
	}
	return nil
}

// describe says what a listing asked for, in words.
func (f ListFilter) describe() string {
	parts := []string{"any status"}
	if f.Status != "" {
		parts = []string{"status " + f.Status}
	}
	if f.RequestID != "" {
		parts = append(parts, "request ID "+f.RequestID)
	}
	switch {
	case !f.Begin.IsZero() && !f.End.IsZero():
		parts = append(parts, fmt.Sprintf("started %s to %s", f.Begin.UTC().Format(time.RFC3339), f.End.UTC().Format(time.RFC3339)))
	case !f.Begin.IsZero():
		parts = append(parts, "started since "+f.Begin.UTC().Format(time.RFC3339))
	case !f.End.IsZero():
		parts = append(parts, "started before "+f.End.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, ", ")
}

// groupThousands writes 100000 as "100,000".
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// listAnswer is the list API's answer. The SDK's own model reads start_time
// as UTC whatever its offset says, so times are taken as the strings sent.
type listAnswer struct {
	errorFields
	Invocations    *[]listedInvocation `json:"invocations,omitempty"`
	Count          *int32              `json:"count,omitempty"`
	NextMarker     *int32              `json:"next_marker,omitempty"`
	HttpStatusCode int                 `json:"-"` // the SDK sets a field of this name
	// mask hides the call's secrets in the invocations' text.
	mask *masker
}

type listedInvocation struct {
	RequestID    *string `json:"request_id,omitempty"`
	Status       *string `json:"status,omitempty"`
	ErrorMessage *string `json:"error_message,omitempty"`
	ErrorCode    *int32  `json:"error_code,omitempty"`
	StartTime    *string `json:"start_time,omitempty"`
	EndTime      *string `json:"end_time,omitempty"`
}

func (c *Client) listPage(ctx context.Context, urn URN, f ListFilter, marker int) (*listAnswer, error) {
	limit := strconv.Itoa(ListPageSize)
	m := strconv.Itoa(marker)
	sdkReq := &model.ListAsyncInvocationsRequest{FunctionUrn: urn.String(), Limit: &limit, Marker: &m}
	if f.RequestID != "" {
		sdkReq.RequestId = &f.RequestID
	}
	if f.Status != "" {
		sdkReq.Status = &f.Status
	}
	if !f.Begin.IsZero() {
		t := sdktime.SdkTime(f.Begin.UTC())
		sdkReq.QueryBeginTime = &t
	}
	if !f.End.IsZero() {
		t := sdktime.SdkTime(f.End.UTC())
		sdkReq.QueryEndTime = &t
	}
	res, err := c.do(ctx, call{
		op:      opList,
		urn:     urn,
		onRetry: f.OnRetry,
		send: func(hc *core.HcHttpClient, headers map[string]string) (any, error) {
			def := fgsv2.GenReqDefForListAsyncInvocations()
			def.Response = new(listAnswer)
			return hc.SyncInvokeWithExtraHeaders(sdkReq, def, newSDKExchange(), headers)
		},
	})
	if err != nil {
		return nil, err
	}
	resp, ok := res.value.(*listAnswer)
	if !ok || resp == nil || resp.Invocations == nil {
		// An answer without the list is not an empty list: it proves nothing ran.
		return nil, &Error{Op: opList, URN: urn.String(), Kind: KindBadResponse, RequestID: res.requestID, Attempts: res.attempts,
			Message: "the answer has no invocations list"}
	}
	resp.mask = res.mask
	return resp, nil
}

// GetInvocation looks one invocation up by its request ID, in a window
// reaching back MaxInvocationAge: any invocation that can still be running.
func (c *Client) GetInvocation(ctx context.Context, urn URN, requestID string) (Invocation, bool, error) {
	list, err := c.ListInvocations(ctx, urn, ListFilter{RequestID: requestID, Begin: c.LookbackBegin()})
	if err != nil {
		return Invocation{}, false, err
	}
	for _, inv := range list {
		if inv.RequestID == requestID {
			return inv, true, nil
		}
	}
	return Invocation{}, false, nil
}

// LookbackBegin is the start of a window that holds every invocation that
// can still be running: MaxInvocationAge before now, by the client's clock.
func (c *Client) LookbackBegin() time.Time { return c.now().Add(-MaxInvocationAge) }

const opInvoke = "invoke function asynchronously"

// InvokeAsync starts an asynchronous invocation and returns its request ID.
// Invoking twice runs the function twice, so only answers that prove the
// request was not run (429) are retried.
func (c *Client) InvokeAsync(ctx context.Context, urn URN, payload map[string]any) (string, error) {
	if err := urn.Validate(); err != nil {
		return "", &Error{Op: opInvoke, URN: urn.String(), Kind: KindInvalidInput, Message: err.Error(), Err: err}
	}
	sdkReq := &model.AsyncInvokeFunctionRequest{FunctionUrn: urn.String(), Body: payload}
	if sdkReq.Body == nil {
		sdkReq.Body = map[string]any{}
	}
	res, err := c.do(ctx, call{
		op:           opInvoke,
		urn:          urn,
		onlyOnReject: true,
		send: func(hc *core.HcHttpClient, headers map[string]string) (any, error) {
			return hc.SyncInvokeWithExtraHeaders(sdkReq, fgsv2.GenReqDefForAsyncInvokeFunction(), newSDKExchange(), headers)
		},
	})
	if err != nil {
		return "", err
	}
	resp, ok := res.value.(*model.AsyncInvokeFunctionResponse)
	if !ok || resp == nil || resp.RequestId == nil || *resp.RequestId == "" {
		return "", &Error{Op: opInvoke, URN: urn.String(), Kind: KindBadResponse, RequestID: res.requestID, Attempts: res.attempts,
			Message: "the answer had no request_id"}
	}
	return res.mask.text(*resp.RequestId, 256), nil
}

// invocation is the listed invocation with every string masked and
// printable, as a 200 answer can echo the request's secrets as well as an error can.
func (it listedInvocation) invocation(mask *masker) Invocation {
	inv := Invocation{
		RequestID:    mask.text(deref(it.RequestID), 256),
		Status:       mask.text(deref(it.Status), 32),
		ErrorMessage: mask.text(deref(it.ErrorMessage), 2000),
	}
	if it.ErrorCode != nil && *it.ErrorCode != 0 {
		inv.ErrorCode = strconv.Itoa(int(*it.ErrorCode))
	}
	inv.StartTime, _ = ParseAPITime(deref(it.StartTime))
	inv.EndTime, _ = ParseAPITime(deref(it.EndTime))
	return inv
}

// apiTimeLayouts are the shapes FunctionGraph has been seen to use for
// times: RFC 3339 with Z or an offset, and the API's own form without a zone,
// each with or without fractions of a second.
var apiTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// ParseAPITime reads a time as the API writes it, keeping its offset
// (+08:00 is eight hours ahead of UTC); without a zone it is UTC, as the API
// documents. The result is in UTC.
func ParseAPITime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range apiTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func isStatus(s string) bool {
	for _, v := range InvocationStatuses {
		if v == s {
			return true
		}
	}
	return false
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func derefSlice[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

// InvocationStatuses lists the statuses an async invocation can have.
var InvocationStatuses = []string{"WAIT", "RUNNING", "SUCCESS", "FAIL", "DISCARD"}

// IsFinalStatus reports whether an invocation with this status has ended.
func IsFinalStatus(status string) bool {
	return status == "SUCCESS" || status == "FAIL" || status == "DISCARD"
}

// CancelledErrorCode is the error code FunctionGraph gives an invocation
// stopped by a cancel ("function invocation canceled").
const CancelledErrorCode = "4208"

// IsCancelled reports whether the invocation ended because it was cancelled.
func (inv Invocation) IsCancelled() bool {
	return (inv.Status == "FAIL" || inv.Status == "DISCARD") && inv.ErrorCode == CancelledErrorCode
}

// ErrorText is the invocation's error as "code: message", or what there is of it.
func (inv Invocation) ErrorText() string {
	switch {
	case inv.ErrorCode != "" && inv.ErrorMessage != "":
		return inv.ErrorCode + ": " + inv.ErrorMessage
	case inv.ErrorMessage != "":
		return inv.ErrorMessage
	}
	return inv.ErrorCode
}

// Outcome is the status with the error, if any: "FAIL (4208: function invocation canceled)".
func (inv Invocation) Outcome() string {
	if e := inv.ErrorText(); e != "" {
		return inv.Status + " (" + e + ")"
	}
	return inv.Status
}
