package fgsemu

import (
	"container/heap"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// functionState holds one function's invocations. Their state is advanced
// lazily: every read or write first replays the events (natural ends,
// cancel stops) that fell due since the last access, in time order, so no
// goroutine or timer exists per invocation and nothing leaks.
type functionState struct {
	mu        sync.Mutex
	cfg       Function
	project   string
	invs      []*invocation // creation order
	byID      map[string]*invocation
	instances []*instance
	firstFree int           // no instance below this index has a free slot
	waiting   []*invocation // FIFO of WAIT invocations; entries no longer WAIT are skipped
	events    eventQueue
	seq       uint64
	clock     time.Time // the latest time the state was advanced to
}

type invocation struct {
	id          string
	created     time.Time
	status      string
	instance    int
	end         time.Time
	errCode     int
	errMsg      string
	cancels     int
	cancelReqs  int // every cancel request that reached it, accepted or refused
	stopPending bool
}

type instance struct {
	running []*invocation
}

type eventKind int

const (
	eventNaturalEnd eventKind = iota // an uncancelled invocation's RunFor has passed
	eventStop                        // a cancelled invocation's StopDelay has passed
)

type event struct {
	at   time.Time
	seq  uint64
	kind eventKind
	inv  *invocation
}

type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any) {
	ev, ok := x.(event)
	if !ok {
		return // heap.Push is only called with events
	}
	*q = append(*q, ev)
}
func (q *eventQueue) Pop() any {
	old := *q
	ev := old[len(old)-1]
	*q = old[:len(old)-1]
	return ev
}

func newFunctionState(cfg Function, project string) *functionState {
	return &functionState{cfg: cfg, project: project, byID: make(map[string]*invocation)}
}

// advance replays every event due at or before now. A clock that goes
// backwards is treated as standing still.
func (fn *functionState) advance(now time.Time) time.Time {
	if now.Before(fn.clock) {
		now = fn.clock
	}
	for len(fn.events) > 0 && !fn.events[0].at.After(now) {
		ev, ok := heap.Pop(&fn.events).(event)
		if !ok {
			break
		}
		switch ev.kind {
		case eventNaturalEnd:
			if ev.inv.status == StatusRunning {
				fn.finish(ev.inv, ev.at, StatusSuccess, 0, "")
				fn.placeWaiting(ev.at)
			}
		case eventStop:
			fn.stopInstanceOf(ev.inv, ev.at)
		}
	}
	fn.placeWaiting(now) // slots a settings change freed; cheap when nothing waits
	fn.clock = now
	return now
}

func (fn *functionState) schedule(at time.Time, kind eventKind, inv *invocation) {
	fn.seq++
	heap.Push(&fn.events, event{at: at, seq: fn.seq, kind: kind, inv: inv})
}

// freeInstance returns the first instance with a free slot, creating one if
// allowed, or -1 when every instance is full.
func (fn *functionState) freeInstance() int {
	for i := fn.firstFree; i < len(fn.instances); i++ {
		if len(fn.instances[i].running) < fn.cfg.Concurrency {
			fn.firstFree = i
			return i
		}
	}
	fn.firstFree = len(fn.instances)
	if fn.cfg.MaxInstances > 0 && len(fn.instances) >= fn.cfg.MaxInstances {
		return -1
	}
	fn.instances = append(fn.instances, &instance{})
	return len(fn.instances) - 1
}

// place starts inv at time at on a free slot; false if there is none.
func (fn *functionState) place(inv *invocation, at time.Time) bool {
	idx := fn.freeInstance()
	if idx < 0 {
		return false
	}
	inst := fn.instances[idx]
	inst.running = append(inst.running, inv)
	inv.status = StatusRunning
	inv.instance = idx
	if fn.cfg.RunFor > 0 {
		fn.schedule(at.Add(fn.cfg.RunFor), eventNaturalEnd, inv)
	}
	return true
}

// placeWaiting starts waiting invocations, oldest first, while slots are free.
func (fn *functionState) placeWaiting(at time.Time) {
	for len(fn.waiting) > 0 {
		inv := fn.waiting[0]
		if inv.status != StatusWait {
			fn.waiting = fn.waiting[1:]
			continue
		}
		if !fn.place(inv, at) {
			return
		}
		fn.waiting = fn.waiting[1:]
	}
	fn.waiting = nil // let the backing array go once drained
}

// finish ends a RUNNING invocation and frees its slot.
func (fn *functionState) finish(inv *invocation, at time.Time, status string, code int, msg string) {
	if inv.instance >= 0 && inv.instance < len(fn.instances) {
		inst := fn.instances[inv.instance]
		for i, r := range inst.running {
			if r == inv {
				last := len(inst.running) - 1
				inst.running[i] = inst.running[last]
				inst.running[last] = nil
				inst.running = inst.running[:last]
				break
			}
		}
		if inv.instance < fn.firstFree {
			fn.firstFree = inv.instance
		}
	}
	inv.status, inv.end, inv.errCode, inv.errMsg = status, at, code, msg
}

// stopInstanceOf ends inv and every other invocation running on its instance
// (the 1:N caveat of the cancel API), if inv is still running.
func (fn *functionState) stopInstanceOf(inv *invocation, at time.Time) {
	if inv.status != StatusRunning {
		return
	}
	victims := append([]*invocation(nil), fn.instances[inv.instance].running...)
	for _, v := range victims {
		fn.finish(v, at, StatusFail, CanceledErrorCode, CanceledErrorMessage)
	}
	fn.placeWaiting(at)
}

func (fn *functionState) invoke(now time.Time, n int) []string {
	return fn.invokeStarted(now, time.Time{}, n)
}

// invokeStarted is invoke with the invocations back-dated to start (zero:
// now), as if they had been running since; the list keeps creation order.
func (fn *functionState) invokeStarted(now, start time.Time, n int) []string {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	now = fn.advance(now)
	if start.IsZero() || start.After(now) {
		start = now
	}
	ids := make([]string, n)
	for i := range ids {
		inv := &invocation{id: newUUID(), created: start, status: StatusWait, instance: -1}
		fn.invs = append(fn.invs, inv)
		fn.byID[inv.id] = inv
		if len(fn.waiting) > 0 || !fn.place(inv, start) {
			fn.waiting = append(fn.waiting, inv)
		}
		ids[i] = inv.id
	}
	return ids
}

// cancelResult says what a cancel request did.
type cancelResult int

const (
	cancelAccepted cancelResult = iota
	cancelUnknown               // no such request ID
	cancelEnded                 // already SUCCESS, FAIL or DISCARD
)

func (fn *functionState) cancel(now time.Time, requestID string) cancelResult {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	now = fn.advance(now)
	inv, ok := fn.byID[requestID]
	if !ok {
		return cancelUnknown
	}
	inv.cancelReqs++
	switch inv.status {
	case StatusWait:
		inv.cancels++
		inv.status, inv.end, inv.errCode, inv.errMsg = StatusDiscard, now, CanceledErrorCode, CanceledErrorMessage
		return cancelAccepted
	case StatusRunning:
		inv.cancels++
		if fn.cfg.NeverStops || inv.stopPending {
			return cancelAccepted
		}
		inv.stopPending = true
		if fn.cfg.StopDelay <= 0 {
			fn.stopInstanceOf(inv, now)
		} else {
			fn.schedule(now.Add(fn.cfg.StopDelay), eventStop, inv)
		}
		return cancelAccepted
	default:
		return cancelEnded
	}
}

func (inv *invocation) snapshot() Invocation {
	return Invocation{
		RequestID: inv.id, Status: inv.status, ErrorMessage: inv.errMsg, ErrorCode: inv.errCode,
		StartTime: inv.created, EndTime: inv.end, Instance: inv.instance, Cancels: inv.cancels, CancelRequests: inv.cancelReqs,
	}
}

func (fn *functionState) get(now time.Time, requestID string) (Invocation, bool) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	fn.advance(now)
	inv, ok := fn.byID[requestID]
	if !ok {
		return Invocation{}, false
	}
	return inv.snapshot(), true
}

func (fn *functionState) all(now time.Time) []Invocation {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	fn.advance(now)
	out := make([]Invocation, len(fn.invs))
	for i, inv := range fn.invs {
		out[i] = inv.snapshot()
	}
	return out
}

// listFilter selects invocations for the list API; empty fields match all.
type listFilter struct {
	requestID  string
	status     string
	begin, end time.Time // on start time truncated to the second, inclusive
}

func (f listFilter) match(inv *invocation) bool {
	if f.requestID != "" && inv.id != f.requestID {
		return false
	}
	if f.status != "" && inv.status != f.status {
		return false
	}
	st := inv.created.Truncate(time.Second)
	if !f.begin.IsZero() && st.Before(f.begin) {
		return false
	}
	if !f.end.IsZero() && st.After(f.end) {
		return false
	}
	return true
}

// list returns the page [marker, marker+limit) of the matching invocations and their total count.
func (fn *functionState) list(now time.Time, f listFilter, marker, limit int) ([]Invocation, int) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	fn.advance(now)
	if f.requestID != "" {
		inv, ok := fn.byID[f.requestID]
		if !ok || !f.match(inv) {
			return nil, 0
		}
		if marker > 0 {
			return nil, 1
		}
		return []Invocation{inv.snapshot()}, 1
	}
	page := make([]Invocation, 0, min(limit, len(fn.invs)))
	count := 0
	for _, inv := range fn.invs {
		if !f.match(inv) {
			continue
		}
		if count >= marker && len(page) < limit {
			page = append(page, inv.snapshot())
		}
		count++
	}
	return page, count
}

// newUUID returns a random version 4 UUID, the shape of FunctionGraph request IDs.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// newTraceID returns 32 hex characters for the X-Request-Id header.
func newTraceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
