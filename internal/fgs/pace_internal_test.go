package fgs

import (
	"container/heap"
	"testing"
	"time"
)

func TestParseQuota(t *testing.T) {
	cases := []struct {
		msg  string
		want Quota
		ok   bool
		text string
	}{
		{"The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute", Quota{100, time.Minute}, true, "100 per minute"},
		{"policy ip over ratelimit,limit:20,time:10 second", Quota{20, 10 * time.Second}, true, "20 per 10 seconds"},
		{"policy api over ratelimit, limit: 5 , time: 1 seconds", Quota{5, time.Second}, true, "5 per second"},
		{"LIMIT:2000,TIME:1 HOUR", Quota{2000, time.Hour}, true, "2000 per hour"},
		{"limit:7,time:2 day", Quota{7, 48 * time.Hour}, true, "7 per 2 days"},
		{"limit:90,time:90 second", Quota{90, 90 * time.Second}, true, "90 per 90 seconds"},
		{"throttled", Quota{}, false, ""},
		{"limit:0,time:1 minute", Quota{}, false, ""},
		{"limit:10,time:1 fortnight", Quota{}, false, ""},
		{"limit:99999999999,time:1 minute", Quota{}, false, ""},
	}
	for _, c := range cases {
		got, ok := parseQuota(c.msg)
		if got != c.want || ok != c.ok || got.String() != c.text {
			t.Errorf("parseQuota(%q) = %v, %v (%q); want %v, %v (%q)", c.msg, got, ok, got.String(), c.want, c.ok, c.text)
		}
	}
}

// fixedWindows is a server enforcing limit calls per window in fixed
// windows that start at offset past multiples of window, as API Gateway.
type fixedWindows struct {
	limit  int
	window time.Duration
	offset time.Duration
	n      map[int64]int
}

func (s *fixedWindows) admit(at time.Time) bool {
	w := int64(at.Sub(time.Unix(0, 0).Add(s.offset)) / s.window)
	if s.n[w] >= s.limit {
		return false
	}
	s.n[w]++
	return true
}

// simEvent is a worker's next step in simulated time.
type simEvent struct {
	at     time.Time
	worker int
	kind   int // 0 try to send, 1 answer
	tk     ticket
	ok     bool
	seq    int
}

type simQueue []simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// simResult is what a simulated bulk achieved.
type simResult struct {
	first, last time.Time // first request sent, last one accepted
	throttled   int
	sent        int
}

// simulate runs n requests through a pace with workers in flight at
// most, against admit, with a fixed round trip: a fake clock, no sleeping.
func simulate(t *testing.T, p *pace, start time.Time, n, workers int, rtt time.Duration, admit func(time.Time) bool, quota Quota) simResult {
	return simulateJitter(t, p, start, n, workers, rtt, 0, admit, quota)
}

// simulateJitter is simulate with each request reaching the server up to
// jitter late (a loaded machine, a slow network), spread evenly.
func simulateJitter(t *testing.T, p *pace, start time.Time, n, workers int, rtt, jitter time.Duration, admit func(time.Time) bool, quota Quota) simResult {
	t.Helper()
	var q simQueue
	seq := 0
	push := func(e simEvent) { seq++; e.seq = seq; heap.Push(&q, e) }
	for w := range workers {
		push(simEvent{at: start, worker: w})
	}
	waiting := map[int]bool{}
	left, done := n, 0
	var res simResult
	for q.Len() > 0 && done < n {
		e := heap.Pop(&q).(simEvent)
		if e.at.Sub(start) > 24*time.Hour {
			t.Fatalf("the simulation ran a day of simulated time: %d of %d done", done, n)
		}
		switch e.kind {
		case 0:
			if !waiting[e.worker] && e.seq < 0 {
				continue
			}
			delete(waiting, e.worker)
			if left == 0 {
				continue
			}
			tk, wait, ok := p.reserve(e.at)
			if !ok {
				waiting[e.worker] = true
				push(simEvent{at: e.at.Add(wait), worker: e.worker})
				continue
			}
			left--
			res.sent++
			if res.first.IsZero() {
				res.first = e.at
			}
			late := jitter * time.Duration(res.sent*7919%1000) / 1000
			push(simEvent{at: e.at.Add(rtt + late), worker: e.worker, kind: 1, tk: tk, ok: admit(e.at.Add(rtt/2 + late))})
		case 1:
			before := p.wake
			if e.ok {
				p.settle(e.tk, outcomePassed, Quota{}, false, 0, e.at)
				done++
				res.last = e.at
			} else {
				p.settle(e.tk, outcomeThrottled, quota, quota.Limit > 0, 0, e.at)
				res.throttled++
				left++ // sent again when the pace allows
			}
			if p.wake != before {
				for w := range waiting {
					push(simEvent{at: e.at, worker: w})
				}
			}
			push(simEvent{at: e.at, worker: e.worker})
		}
	}
	if done != n {
		t.Fatalf("%d of %d accepted", done, n)
	}
	return res
}

// floorOf is the time fixed windows need to let n through from first:
// the opening of the window in which the last of them can go.
func floorOf(first time.Time, n int, q Quota, offset time.Duration) time.Duration {
	windows := (n + q.Limit - 1) / q.Limit
	if windows <= 1 {
		return 0
	}
	base := time.Unix(0, 0).Add(offset)
	firstEnd := first.Add(q.Window - first.Sub(base)%q.Window)
	return firstEnd.Sub(first) + time.Duration(windows-2)*q.Window
}

// Under a stated quota, the pace finds the windows and fills each one:
// every request is accepted, within 1.15 × the windows' floor, with few
// throttled answers (the first window's overflow, and a probe or two).
func TestPaceFixedWindows(t *testing.T) {
	cases := []struct {
		name    string
		n       int
		quota   Quota
		workers int
		offset  time.Duration // of the windows from the epoch's multiples
		startIn time.Duration // how far into a window the bulk starts
		rtt     time.Duration
		// maxThrottled bounds the throttled answers; maxRatio the time over the floor.
		maxThrottled int
		maxRatio     float64
		jitter       time.Duration
	}{
		{"300 under 100 per 10 s, early in a window", 300, Quota{100, 10 * time.Second}, 20, 0, 300 * time.Millisecond, 2 * time.Millisecond, 30, 1.15, 0},
		{"300 under 100 per 10 s, late in a window", 300, Quota{100, 10 * time.Second}, 20, 0, 9500 * time.Millisecond, 2 * time.Millisecond, 30, 1.15, 0},
		{"1000 under 200 per 10 s", 1000, Quota{200, 10 * time.Second}, 20, 0, 4 * time.Second, 20 * time.Millisecond, 100, 1.15, 0},
		{"8 under 5 per minute", 8, Quota{5, time.Minute}, 10, 0, 20 * time.Second, 5 * time.Millisecond, 10, 1.15, 0},
		{"100 under 20 per 10 s, 10 at once", 100, Quota{20, 10 * time.Second}, 10, 0, time.Second, 20 * time.Millisecond, 10, 1.15, 0},
		{"windows from the first call", 300, Quota{100, 10 * time.Second}, 20, 7*time.Second + 123*time.Millisecond, 0, 2 * time.Millisecond, 30, 1.15, 0},
		{"windows at an unknown offset", 500, Quota{100, 10 * time.Second}, 20, 3700 * time.Millisecond, 1 * time.Second, 2 * time.Millisecond, 60, 1.3, 0},
		{"per-second windows", 100, Quota{10, time.Second}, 10, 0, 100 * time.Millisecond, 5 * time.Millisecond, 20, 1.15, 0},
		{"1000 under 200 per 10 s, requests up to 15 ms late", 1000, Quota{200, 10 * time.Second}, 20, 0, 4 * time.Second, 20 * time.Millisecond, 100, 1.15, 15 * time.Millisecond},
		{"1000 under 200 per 10 s, requests up to 150 ms late", 1000, Quota{200, 10 * time.Second}, 20, 0, 4 * time.Second, 20 * time.Millisecond, 100, 1.15, 150 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC).Truncate(c.quota.Window)
			start := base.Add(c.offset%c.quota.Window + c.startIn)
			srv := &fixedWindows{limit: c.quota.Limit, window: c.quota.Window, offset: c.offset, n: map[int64]int{}}
			p := newPace("cancel")
			r := simulateJitter(t, p, start, c.n, c.workers, c.rtt, c.jitter, srv.admit, c.quota)
			took := r.last.Sub(r.first)
			floor := floorOf(r.first, c.n, c.quota, c.offset)
			t.Logf("%s: took %s against a floor of %s (%.3f×), %d throttled of %d sent", c.name, took, floor, took.Seconds()/floor.Seconds(), r.throttled, r.sent)
			if r.throttled > c.maxThrottled {
				t.Errorf("%d throttled answers; want at most %d", r.throttled, c.maxThrottled)
			}
			if took.Seconds() > c.maxRatio*floor.Seconds()+c.rtt.Seconds() {
				t.Errorf("took %s; want at most %.2f × the floor of %s", took, c.maxRatio, floor)
			}
		})
	}
}

// smoothLimit is a server allowing rate calls per second, refusing with no
// quota stated (another service's 429).
type smoothLimit struct {
	rate float64
	next time.Time
}

func (s *smoothLimit) admit(at time.Time) bool {
	if at.Before(s.next) {
		return false
	}
	s.next = at.Add(time.Duration(float64(time.Second) / s.rate))
	return true
}

// Without a stated quota the pace adapts: it slows on throttles, every
// request still gets through, and it goes unlimited again once throttles stop.
func TestPaceAdaptive(t *testing.T) {
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	srv := &smoothLimit{rate: 20}
	p := newPace("cancel")
	r := simulate(t, p, start, 400, 10, 5*time.Millisecond, srv.admit, Quota{})
	t.Logf("400 at 20/s without a stated quota: %s, %d throttled, pace %.1f/s", r.last.Sub(r.first), r.throttled, p.rate)
	if p.rate <= 0 || p.rate > 40 {
		t.Errorf("adapted pace %.1f/s; want it slowed near the server's 20/s", p.rate)
	}
	if r.throttled > 400 {
		t.Errorf("%d throttled answers for 400 requests; want the pace to have slowed", r.throttled)
	}
	// Throttles stop: the pace grows back and lets go.
	now := r.last
	for i := 0; i < 600 && p.rate > 0; i++ {
		now = now.Add(time.Second)
		tk, _, ok := p.reserve(now)
		if ok {
			p.settle(tk, outcomePassed, Quota{}, false, 0, now.Add(time.Millisecond))
		}
	}
	if p.rate != 0 {
		t.Errorf("pace still %.1f/s after 10 minutes without a throttle; want unlimited", p.rate)
	}
}

// A Retry-After holds every request back for as long as it asks.
func TestPaceRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	p := newPace("cancel")
	tk, _, _ := p.reserve(now)
	p.settle(tk, outcomeThrottled, Quota{}, false, 3*time.Second, now)
	if _, wait, ok := p.reserve(now.Add(time.Second)); ok || wait != 2*time.Second {
		t.Fatalf("one second into a Retry-After of 3 s: ok %v, wait %s; want a wait of 2 s", ok, wait)
	}
	if _, _, ok := p.reserve(now.Add(3 * time.Second)); !ok {
		t.Fatal("a request was held back past the Retry-After")
	}
}

// A probe that gets no answer lets the next request probe at once; a pace
// unused for long forgets what it learnt.
func TestPaceProbeLostAndForgotten(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 5, 0, time.UTC)
	p := newPace("list")
	tk, _, _ := p.reserve(now)
	p.settle(tk, outcomeThrottled, Quota{5, time.Minute}, true, 0, now)
	next := now.Truncate(time.Minute).Add(time.Minute)
	if _, wait, ok := p.reserve(now); ok || now.Add(wait).Before(next) {
		t.Fatalf("after a 5 per minute throttle: ok %v, wait %s; want to wait for the next minute", ok, wait)
	}
	at := next.Add(time.Second)
	probe, _, ok := p.reserve(at)
	if !ok || !probe.probe {
		t.Fatalf("no probe at the next window: %+v %v", probe, ok)
	}
	if _, wait, ok := p.reserve(at); ok || wait != probeOutWait {
		t.Fatalf("a second request went while the probe was out: %v %s", ok, wait)
	}
	p.settle(probe, outcomeUnknown, Quota{}, false, 0, at)
	if tk, _, ok := p.reserve(at); !ok || !tk.probe {
		t.Fatal("the probe's lost answer did not let another request probe")
	}
	later := at.Add(paceForgetAfter + time.Minute)
	p.probeOut = false
	if _, _, ok := p.reserve(later); !ok || p.quota.Limit != 0 {
		t.Fatalf("after %s unused the pace still holds a quota of %v", paceForgetAfter, p.quota)
	}
}

// Two clients of one endpoint and credential share a pace; another
// credential or API gets its own.
func TestPaceShared(t *testing.T) {
	a, err := New(Config{Credentials: Credentials{AccessKey: "AK-shared-pace", SecretKey: "SK-shared-pace"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(Config{Credentials: Credentials{AccessKey: "AK-shared-pace", SecretKey: "SK-shared-pace"}, MaxRequestsPerSecond: 3})
	other, _ := New(Config{Credentials: Credentials{AccessKey: "AK-other-pace", SecretKey: "SK-other-pace"}})
	rt := route{endpoint: "https://functiongraph.test.example"}
	cancel, list := call{op: opCancel}, call{op: opList}
	if a.paceFor(cancel, rt) != b.paceFor(cancel, rt) {
		t.Error("two clients of one credential do not share the cancel pace")
	}
	if a.paceFor(cancel, rt) == a.paceFor(list, rt) || a.paceFor(cancel, rt) == other.paceFor(cancel, rt) {
		t.Error("a pace is shared across APIs or credentials")
	}
	if a.paceFor(call{op: opAssumeAgency, service: ServiceIAM}, rt) != nil {
		t.Error("IAM calls are paced")
	}
}

// The estimate of what n more requests take counts the window's rest first.
func TestPaceStatusTimeFor(t *testing.T) {
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	s := PaceStatus{Quota: Quota{100, time.Minute}, Left: 40, NextWindow: start.Add(time.Minute)}
	now := start.Add(30 * time.Second)
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{0, 0}, {40, 0}, {41, 30 * time.Second}, {140, 30 * time.Second}, {150, 90 * time.Second}} {
		if got := s.TimeFor(c.n, now); got != c.want {
			t.Errorf("TimeFor(%d) = %s, want %s", c.n, got, c.want)
		}
	}
	if got := (PaceStatus{Rate: 4}).TimeFor(10, now); got != 2500*time.Millisecond {
		t.Errorf("10 at 4/s: %s", got)
	}
}

// Another limit's 429 that says when to come back pauses everyone but
// keeps the learnt window open.
func TestPaceUnstatedThrottleKeepsWindow(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	p := newPace("cancel")
	p.quota, p.phase, p.start, p.used = Quota{10, time.Second}, phaseOpen, now, 1
	tk, _, _ := p.reserve(now)
	p.settle(tk, outcomeThrottled, Quota{}, false, 200*time.Millisecond, now)
	if p.phase != phaseOpen {
		t.Fatal("an unstated 429 with Retry-After closed the window")
	}
	if _, wait, ok := p.reserve(now.Add(100 * time.Millisecond)); ok || wait != 100*time.Millisecond {
		t.Fatalf("during the Retry-After: ok %v, wait %s", ok, wait)
	}
}

// A probe answered by another limit's 429 with Retry-After (no quota
// stated) learns nothing of the window, but frees the turn: the next probe
// goes once the pause ends, instead of every request waiting for the first.
func TestPaceProbeThrottledByAnotherLimit(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	p := newPace("cancel")
	tk, _, _ := p.reserve(now)
	p.settle(tk, outcomeThrottled, Quota{100, time.Second}, true, 0, now)
	at := now.Add(2 * time.Second)
	probe, _, ok := p.reserve(at)
	if !ok || !probe.probe {
		t.Fatalf("no probe in a later window: %+v %v", probe, ok)
	}
	p.settle(probe, outcomeThrottled, Quota{}, false, time.Second, at)
	if _, wait, ok := p.reserve(at); ok || wait != time.Second {
		t.Fatalf("during the Retry-After: ok %v, wait %s; want to wait 1s", ok, wait)
	}
	if next, _, ok := p.reserve(at.Add(time.Second)); !ok || !next.probe {
		t.Fatalf("after the Retry-After no probe went (ok %v): the throttled probe still held the turn", ok)
	}
}
