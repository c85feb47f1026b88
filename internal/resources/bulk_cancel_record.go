package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// The bulk resource's record: what became of each request ID. Applies
// converge on it: an ID it shows cancelled or ended is never sent again.

// bulkOutcome is what the record holds of each ID, sorted as fgs counts it.
type bulkOutcome = fgs.BulkOutcome

const (
	outcomeCancelled = fgs.OutcomeCancelled
	outcomeEnded     = fgs.OutcomeEnded
	outcomeFailed    = fgs.OutcomeFailed
)

// bulkEntry is one request ID's outcome; failure is its state object when failed.
type bulkEntry struct {
	id      string
	outcome bulkOutcome
	failure attr.Value
}

// bulkRecord is the record in a stable order: the prior order, then new IDs.
type bulkRecord struct {
	order []string
	byID  map[string]bulkEntry
}

func newBulkRecord() *bulkRecord { return &bulkRecord{byID: map[string]bulkEntry{}} }

func (r *bulkRecord) put(e bulkEntry) {
	if _, ok := r.byID[e.id]; !ok {
		r.order = append(r.order, e.id)
	}
	r.byID[e.id] = e
}

// done reports an ID known cancelled or ended: nothing more to send.
func (r *bulkRecord) done(id string) bool {
	e, ok := r.byID[id]
	return ok && e.outcome != outcomeFailed
}

func (r *bulkRecord) failedIDs() []string {
	var ids []string
	for _, id := range r.order {
		if r.byID[id].outcome == outcomeFailed {
			ids = append(ids, id)
		}
	}
	return ids
}

// keepOnly forgets every ID not in ids: a request ID removed from the configuration.
func (r *bulkRecord) keepOnly(ids []string) (forgotten int) {
	keep := make(map[string]bool, len(ids))
	for _, id := range ids {
		keep[id] = true
	}
	order := r.order[:0:0]
	for _, id := range r.order {
		if keep[id] {
			order = append(order, id)
			continue
		}
		delete(r.byID, id)
		forgotten++
	}
	r.order = order
	return forgotten
}

// bulkRecordFrom reads the record from the state's three lists.
func bulkRecordFrom(ctx context.Context, cancelled, ended, failed types.List, diags *diag.Diagnostics) *bulkRecord {
	r := newBulkRecord()
	for _, l := range []struct {
		list    types.List
		outcome bulkOutcome
	}{{cancelled, outcomeCancelled}, {ended, outcomeEnded}} {
		if l.list.IsNull() || l.list.IsUnknown() {
			continue
		}
		var ids []string
		diags.Append(l.list.ElementsAs(ctx, &ids, false)...)
		for _, id := range ids {
			r.put(bulkEntry{id: id, outcome: l.outcome})
		}
	}
	if !failed.IsNull() && !failed.IsUnknown() {
		for _, v := range failed.Elements() {
			obj, ok := v.(types.Object)
			if !ok {
				continue
			}
			id, _ := obj.Attributes()["request_id"].(types.String)
			r.put(bulkEntry{id: id.ValueString(), outcome: outcomeFailed, failure: obj})
		}
	}
	return r
}

// add records what a bulk run did; a result overrides an earlier outcome.
func (r *bulkRecord) add(results []fgs.BulkResult) {
	for _, res := range results {
		e := bulkEntry{id: res.Request.RequestID, outcome: res.Outcome()}
		if e.outcome == outcomeFailed {
			e.failure = failureObject(res)
		}
		r.put(e)
	}
}

func failureObject(r fgs.BulkResult) attr.Value {
	status, code, msg := int64(0), "", r.Err.Error()
	if fe, ok := fgs.AsError(r.Err); ok {
		status, code, msg = int64(fe.StatusCode), fe.Code, failureReason(r)
	}
	return types.ObjectValueMust(bulkFailureType.AttrTypes, map[string]attr.Value{
		"request_id": types.StringValue(r.Request.RequestID), "status_code": types.Int64Value(status),
		"error_code": types.StringValue(code), "message": types.StringValue(msg),
	})
}

// lists turns the record into the state's lists: cancelled, ended on their own, failed.
func (r *bulkRecord) lists() (cancelled, ended, failed types.List) {
	var c, e, f []attr.Value
	for _, id := range r.order {
		switch entry := r.byID[id]; entry.outcome {
		case outcomeCancelled:
			c = append(c, types.StringValue(id))
		case outcomeEnded:
			e = append(e, types.StringValue(id))
		default:
			f = append(f, entry.failure)
		}
	}
	return listOf(types.StringType, c), listOf(types.StringType, e), listOf(bulkFailureType, f)
}

// bulkSends is what an apply sets out to send: "2 to cancel, 1 to retry".
type bulkSends struct {
	toCancel, toRetry []string
}

func (s bulkSends) none() bool { return len(s.toCancel)+len(s.toRetry) == 0 }

func (s bulkSends) ids() []string { return append(append([]string{}, s.toCancel...), s.toRetry...) }

func (s bulkSends) String() string {
	var parts []string
	if len(s.toCancel) > 0 {
		parts = append(parts, fmt.Sprintf("%d to cancel", len(s.toCancel)))
	}
	if len(s.toRetry) > 0 {
		parts = append(parts, fmt.Sprintf("%d to retry", len(s.toRetry)))
	}
	if len(parts) == 0 {
		return sendsNothing
	}
	return strings.Join(parts, ", ")
}

const sendsNothing = "nothing"

// plannedSends compares the wanted request IDs with the record: IDs it does
// not hold are to cancel, IDs it holds as failed are to retry, and the rest
// are done. Without request IDs (wanted nil) only the failed are retried.
func (r *bulkRecord) plannedSends(wanted []string) bulkSends {
	if wanted == nil {
		return bulkSends{toRetry: r.failedIDs()}
	}
	var s bulkSends
	for _, id := range wanted {
		e, ok := r.byID[id]
		switch {
		case !ok:
			s.toCancel = append(s.toCancel, id)
		case e.outcome == outcomeFailed:
			s.toRetry = append(s.toRetry, id)
		}
	}
	return s
}

// addSendsWarning says at plan what an update will send, and what it will not
// send again: the diff alone shows the record becoming unknown.
func addSendsWarning(sends bulkSends, rec *bulkRecord, wanted []string, diags *diag.Diagnostics) {
	done := 0
	for _, id := range wanted {
		if rec.done(id) {
			done++
		}
	}
	if wanted == nil {
		done = len(rec.order) - len(sends.toRetry)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "This apply sends cancels for these request IDs only; %s the record shows cancelled or ended %s not sent again.",
		countOf(done, "request ID"), wasWere(done, "is", "are"))
	if len(sends.toCancel) > 0 {
		fmt.Fprintf(&b, "\n\nTo cancel (not in the record yet):\n%s", listed(sends.toCancel))
	}
	if len(sends.toRetry) > 0 {
		fmt.Fprintf(&b, "\n\nTo retry (failed before):\n%s", listed(sends.toRetry))
	}
	diags.AddWarning("Bulk Cancel Plan: "+titleCounts(sends), b.String())
}

// titleCounts is sends in Title Case: "2 to Cancel, 1 to Retry".
func titleCounts(s bulkSends) string {
	return strings.NewReplacer("to cancel", "to Cancel", "to retry", "to Retry").Replace(s.String())
}

// createdSendsText is what a create sent: "4 to cancel (1 RUNNING, 3 WAIT)",
// and how many a destroyed record had shown done.
func createdSendsText(sent, skipped int, listed map[string]int) string {
	s := bulkSends{toCancel: make([]string, sent)}.String()
	if listed != nil && sent > 0 {
		s += " (" + strings.TrimSuffix(strings.TrimSuffix(byStatusText(listed), " invocations"), " invocation") + " listed)"
	}
	if skipped > 0 {
		s += fmt.Sprintf(", %d already done by the replaced record", skipped)
	}
	return s
}

// orderBy puts the record in the order of ids; IDs not among them go last.
func (r *bulkRecord) orderBy(ids []string) {
	order := make([]string, 0, len(r.order))
	placed := make(map[string]bool, len(r.order))
	for _, id := range ids {
		if _, ok := r.byID[id]; ok && !placed[id] {
			placed[id] = true
			order = append(order, id)
		}
	}
	for _, id := range r.order {
		if !placed[id] {
			order = append(order, id)
		}
	}
	r.order = order
}

// listStrings reads a known list of strings; nil for a null one.
func listStrings(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	ids := []string{}
	diags.Append(l.ElementsAs(ctx, &ids, false)...)
	return ids
}

func hasUnknownElement(l types.List) bool {
	for _, v := range l.Elements() {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// sameIDs reports two known lists holding the same IDs, in any order.
func sameIDs(a, b types.List) bool {
	if a.IsNull() || b.IsNull() || a.IsUnknown() || b.IsUnknown() || len(a.Elements()) != len(b.Elements()) {
		return false
	}
	count := map[string]int{}
	for _, v := range a.Elements() {
		s, _ := v.(types.String)
		count[s.ValueString()]++
	}
	for _, v := range b.Elements() {
		s, _ := v.(types.String)
		count[s.ValueString()]--
		if count[s.ValueString()] < 0 {
			return false
		}
	}
	return true
}

// idList is a known list of request IDs, empty for none.
func idList(ids []string) types.List {
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	return listOf(types.StringType, elems)
}

// idsOf reads a list of request IDs; a null or unknown one holds none.
func idsOf(l types.List) []string {
	var ids []string
	for _, v := range l.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			ids = append(ids, s.ValueString())
		}
	}
	return ids
}
