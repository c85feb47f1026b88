package resources

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// recordOf is a record with a, b cancelled, c ended and f failed.
func recordOf() *bulkRecord {
	r := newBulkRecord()
	r.add([]fgs.BulkResult{
		{Request: fgs.CancelRequest{RequestID: "a"}, Sent: true},
		{Request: fgs.CancelRequest{RequestID: "b"}, Sent: true},
		{Request: fgs.CancelRequest{RequestID: "c"}, Result: fgs.CancelResult{AlreadyStopped: &fgs.Invocation{Status: "SUCCESS"}}, Sent: true},
		{Request: fgs.CancelRequest{RequestID: "f"}, Err: errors.New("refused"), Sent: true},
	})
	return r
}

// The plan's arithmetic: what is not in the record is to cancel, what
// failed is to retry, what is cancelled or ended is never sent.
func TestBulkRecordPlannedSends(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		wanted []string
		want   string
		ids    string
	}{
		{"same IDs", []string{"a", "b", "c", "f"}, "1 to retry", "[f]"},
		{"reordered", []string{"c", "b", "a"}, "nothing", "[]"},
		{"added", []string{"a", "b", "d", "e"}, "2 to cancel", "[d e]"},
		{"added and failed", []string{"f", "a", "d"}, "1 to cancel, 1 to retry", "[d f]"},
		{"removed", []string{"a"}, "nothing", "[]"},
		{"no request_ids: only the failed", nil, "1 to retry", "[f]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := recordOf().plannedSends(tt.wanted)
			if s.String() != tt.want || fmt.Sprint(append([]string{}, s.ids()...)) != tt.ids {
				t.Fatalf("sends %q %v, want %q %s", s, s.ids(), tt.want, tt.ids)
			}
		})
	}
}

// The record goes through the state's three lists and back unchanged, and
// a removed ID is forgotten.
func TestBulkRecordStateRoundTrip(t *testing.T) {
	t.Parallel()
	r := recordOf()
	c, e, f := r.lists()
	var diags diag.Diagnostics
	back := bulkRecordFrom(context.Background(), c, e, f, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	c2, e2, f2 := back.lists()
	if !c.Equal(c2) || !e.Equal(e2) || !f.Equal(f2) {
		t.Fatalf("round trip: %v %v %v, want %v %v %v", c2, e2, f2, c, e, f)
	}
	if !back.done("a") || !back.done("c") || back.done("f") || back.done("x") {
		t.Fatal("done: want a and c only")
	}
	if n := back.keepOnly([]string{"b", "f"}); n != 2 {
		t.Fatalf("forgot %d, want 2", n)
	}
	if got := fmt.Sprint(back.order); got != "[b f]" {
		t.Fatalf("order after forgetting: %s", got)
	}
}

// A provider remembers what a destroyed record showed done, so the
// replacement it creates next skips exactly those; failed ones are sent.
func TestDoneMemoryCarriesDoneOnly(t *testing.T) {
	t.Parallel()
	pd := &ProviderData{}
	pd.rememberDone("urn", recordOf())
	next := newBulkRecord()
	rest := pd.recallDone("urn", []string{"a", "c", "f", "new"}, next)
	if fmt.Sprint(rest) != "[f new]" || !next.done("a") || !next.done("c") {
		t.Fatalf("to send %v, carried %v", rest, next.order)
	}
	if rest := pd.recallDone("other urn", []string{"a"}, newBulkRecord()); fmt.Sprint(rest) != "[a]" {
		t.Fatalf("another function's IDs: %v", rest)
	}
	var none *ProviderData
	if rest := none.recallDone("urn", []string{"a"}, newBulkRecord()); fmt.Sprint(rest) != "[a]" {
		t.Fatal("an unconfigured provider must send everything")
	}
}

// Same IDs in any order; a different count or a null is not the same.
func TestSameIDs(t *testing.T) {
	t.Parallel()
	list := func(ids ...string) types.List {
		l, _ := types.ListValueFrom(context.Background(), types.StringType, ids)
		return l
	}
	tests := []struct {
		a, b types.List
		want bool
	}{
		{list("a", "b"), list("b", "a"), true},
		{list("a", "b"), list("a", "b", "c"), false},
		{list("a", "a"), list("a", "b"), false},
		{list("a"), types.ListNull(types.StringType), false},
	}
	for i, tt := range tests {
		if got := sameIDs(tt.a, tt.b); got != tt.want {
			t.Errorf("%d: sameIDs = %v, want %v", i, got, tt.want)
		}
	}
}

// Counts read right in the singular.
func TestBulkWordsSingular(t *testing.T) {
	t.Parallel()
	if got := byStatusText(map[string]int{"WAIT": 1}); got != "1 WAIT invocation" {
		t.Errorf("byStatusText = %q", got)
	}
	if got := byStatusText(map[string]int{"RUNNING": 1, "WAIT": 3}); got != "1 RUNNING and 3 WAIT invocations" {
		t.Errorf("byStatusText = %q", got)
	}
	if got := progressText(fgs.BulkProgress{Total: 2, Cancelled: 1, Ended: 1}); got != "1 of 2 cancelled, 1 had ended on its own, 0 failed" {
		t.Errorf("progressText = %q", got)
	}
	if got := createdSendsText(1, 2, nil); got != "1 to cancel, 2 already done by the replaced record" {
		t.Errorf("createdSendsText = %q", got)
	}
}
