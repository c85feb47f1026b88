package fgsemu

import (
	"fmt"
	"testing"
	"time"
)

// Without a window the list looks at the last hour up to now, as the real
// API does; back-dated invocations (InvokeStartedAt, or started_ago on the
// control API) are found only by a window reaching back to them.
func TestListDefaultWindow(t *testing.T) {
	clock := newFakeClock()
	e, base := startEmulator(t, Options{Now: clock.Now})
	now := clock.Now()
	threeHours, err := e.InvokeStartedAt(testURN, now.Add(-3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var viaControl InvokeResponse
	call(t, "POST", base+"/_emulator/invoke", `{"urn":"`+testURN+`","started_ago":"2h"}`).json(t, &viaControl)
	recent, _ := e.Invoke(testURN)
	ts := func(t time.Time) string { return t.UTC().Format(apiTimeFormat) }
	list := func(query string) []string {
		var got listAnswer
		call(t, "GET", fnURL(base, testURN, "async-invocations")+query, "").json(t, &got)
		var ids []string
		for _, inv := range got.Invocations {
			ids = append(ids, fmt.Sprint(inv["request_id"]))
		}
		return ids
	}
	if got := list(""); fmt.Sprint(got) != fmt.Sprint([]string{recent}) {
		t.Fatalf("without a window: %v, want only %s", got, recent)
	}
	all := []string{threeHours, viaControl.RequestIDs[0], recent}
	if got := list("?query_begin_time=" + ts(now.Add(-4*time.Hour))); fmt.Sprint(got) != fmt.Sprint(all) {
		t.Fatalf("with a 4-hour window: %v, want %v", got, all)
	}
	if inv, _ := e.Invocation(testURN, threeHours); !inv.StartTime.Equal(now.Add(-3*time.Hour)) || inv.Status != StatusRunning {
		t.Fatalf("back-dated invocation %+v", inv)
	}
	clock.Advance(61 * time.Minute)
	if got := list(""); len(got) != 0 {
		t.Fatalf("an hour later, without a window: %v, want none", got)
	}
}
