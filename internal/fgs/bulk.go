package fgs

import (
	"context"
	"sync"
	"time"
)

// BulkOptions shape CancelMany.
type BulkOptions struct {
	// MaxConcurrency is the most cancels in flight at once; below 1 means 1.
	MaxConcurrency int
	// Progress, if set, hears the counts after each request is settled; calls never overlap.
	Progress func(BulkProgress)
}

// BulkProgress counts the settled requests of a bulk so far.
type BulkProgress struct {
	Total int
	// Cancelled are accepted now or found already cancelled.
	Cancelled int
	// Ended are requests that had ended on their own before the cancel: nothing to do.
	Ended  int
	Failed int
}

// Settled is how many requests have an outcome.
func (p BulkProgress) Settled() int { return p.Cancelled + p.Ended + p.Failed }

// BulkResult is one request's outcome: Err is nil when the request needs
// nothing more (see Result), and an *Error otherwise.
type BulkResult struct {
	Request CancelRequest
	Result  CancelResult
	Err     error
	// Sent is false when the bulk stopped (interrupt, deadline) before sending it.
	Sent bool
}

// BulkOutcome sorts a settled request; every count and record of a bulk
// goes by it.
type BulkOutcome int

const (
	// OutcomeCancelled: accepted now, or found already cancelled.
	OutcomeCancelled BulkOutcome = iota
	// OutcomeEnded: the invocation had ended on its own before the cancel; nothing to do.
	OutcomeEnded
	// OutcomeFailed: Err says why; the request may be sent again.
	OutcomeFailed
)

// Outcome sorts the result: failed, ended on its own, or cancelled.
func (r BulkResult) Outcome() BulkOutcome {
	switch {
	case r.Err != nil:
		return OutcomeFailed
	case !r.Result.Cancelled():
		return OutcomeEnded
	}
	return OutcomeCancelled
}

// Count adds one settled request to the counts.
func (p *BulkProgress) Count(r BulkResult) {
	switch r.Outcome() {
	case OutcomeFailed:
		p.Failed++
	case OutcomeEnded:
		p.Ended++
	default:
		p.Cancelled++
	}
}

// Tally counts the outcomes of a bulk's results.
func Tally(results []BulkResult) BulkProgress {
	p := BulkProgress{Total: len(results)}
	for _, r := range results {
		p.Count(r)
	}
	return p
}

// CancelMany cancels every request with at most opts.MaxConcurrency in
// flight. Results are in the order of reqs. Every request waits its turn at
// the process's shared pace, so a throttle or a Retry-After holds back every
// request, not only the one that got it. Once ctx ends nothing more is
// sent; what was not sent is a failure with Sent false.
func (c *Client) CancelMany(ctx context.Context, reqs []CancelRequest, opts BulkOptions) []BulkResult {
	workers := opts.MaxConcurrency
	if workers < 1 {
		workers = 1
	}
	if workers > len(reqs) {
		workers = len(reqs)
	}
	results := make([]BulkResult, len(reqs))
	tally := bulkTally{progress: BulkProgress{Total: len(reqs)}, report: opts.Progress}

	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = c.cancelOne(ctx, reqs[i])
				tally.add(results[i])
			}
		}()
	}
	sent := 0
feed:
	for ; sent < len(reqs); sent++ {
		select {
		case next <- sent:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for i := sent; i < len(reqs); i++ {
		results[i] = BulkResult{Request: reqs[i], Err: contextError(ctx, call{op: opCancel, urn: reqs[i].URN})}
		tally.add(results[i])
	}
	return results
}

func (c *Client) cancelOne(ctx context.Context, req CancelRequest) BulkResult {
	if ctx.Err() != nil {
		return BulkResult{Request: req, Err: contextError(ctx, call{op: opCancel, urn: req.URN})}
	}
	res, err := c.Cancel(ctx, req)
	return BulkResult{Request: req, Result: res, Err: err, Sent: true}
}

// bulkTally counts outcomes and reports them one at a time.
type bulkTally struct {
	mu       sync.Mutex
	progress BulkProgress
	report   func(BulkProgress)
}

func (t *bulkTally) add(r BulkResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.progress.Count(r)
	if t.report != nil {
		t.report(t.progress)
	}
}

// UnfinishedStatuses are the statuses an invocation a cancel can stop may
// have: queued (WAIT) or running.
var UnfinishedStatuses = []string{"WAIT", "RUNNING"}

// ListUnfinished lists the function's invocations with one of statuses
// (each of UnfinishedStatuses; nil means both) that started within [begin,
// end]; a zero begin is MaxInvocationAge ago, a zero end is now. Each request
// ID appears once, with the status it was listed with.
func (c *Client) ListUnfinished(ctx context.Context, urn URN, statuses []string, begin, end time.Time) ([]Invocation, error) {
	now := c.now()
	if begin.IsZero() {
		begin = now.Add(-MaxInvocationAge)
	}
	if end.IsZero() {
		end = now
	}
	if statuses == nil {
		statuses = UnfinishedStatuses
	}
	seen := map[string]bool{}
	var out []Invocation
	for _, status := range statuses {
		list, err := c.ListInvocations(ctx, urn, ListFilter{Status: status, Begin: begin, End: end})
		if err != nil {
			return nil, err
		}
		for _, inv := range list {
			if inv.Status == status && !seen[inv.RequestID] {
				seen[inv.RequestID] = true
				out = append(out, inv)
			}
		}
	}
	return out, nil
}

// WaitForStopMany polls the function's unfinished invocations (WAIT and
// RUNNING, MaxInvocationAge back) until none of ids is among them, and
// returns those still unfinished when ctx ends, with the error that ended it.
func (c *Client) WaitForStopMany(ctx context.Context, urn URN, ids []string, poll PollPolicy) ([]string, error) {
	backoff := poll.backoff()
	waiting := make(map[string]bool, len(ids))
	for _, id := range ids {
		waiting[id] = true
	}
	for {
		unfinished := map[string]bool{}
		for _, status := range UnfinishedStatuses {
			list, err := c.ListInvocations(ctx, urn, ListFilter{Status: status, Begin: c.now().Add(-MaxInvocationAge), End: c.now()})
			if err != nil {
				return membersInOrder(waiting, ids), err
			}
			for _, inv := range list {
				if waiting[inv.RequestID] && !IsFinalStatus(inv.Status) {
					unfinished[inv.RequestID] = true
				}
			}
		}
		waiting = unfinished
		if len(waiting) == 0 {
			return nil, nil
		}
		if err := c.sleep(ctx, backoff.next()); err != nil {
			return membersInOrder(waiting, ids), contextError(ctx, call{op: "wait for invocations to stop", urn: urn})
		}
	}
}

// membersInOrder lists the members of set in the order of ids.
func membersInOrder(set map[string]bool, ids []string) []string {
	out := make([]string, 0, len(set))
	for _, id := range ids {
		if set[id] {
			out = append(out, id)
		}
	}
	return out
}
