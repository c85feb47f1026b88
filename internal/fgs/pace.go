package fgs

import (
	"crypto/sha256"
	"sync"
	"time"
)

// The pace: how fast requests go to one API of one endpoint with one
// credential. API Gateway counts calls per user and API in fixed windows
// (N per T) and answers 429 APIGW.0308 over it, naming N and T and sending
// no Retry-After. Every request of the process to the same place shares one
// pace, so a throttle slows every sender, not only the one that got it.
//
// With a stated quota the pace learns the window: it lets N through per
// window and, when the window's phase is unknown, probes with one request
// where a window most likely starts (a multiple of T since the epoch, or T
// after the oldest of the last N answers) before letting the rest go.
// Without one (another service's 429) it adapts: the rate halves on a
// throttle and grows again while none comes, until it is unlimited again.

// PaceStatus is how requests to one API are paced, for progress and errors.
type PaceStatus struct {
	// API is "cancel", "list" or "invoke".
	API string
	// Quota is the limit the server stated; zero when none was.
	Quota Quota
	// Rate is the pace in requests per second: the quota's average, the
	// adapted rate, or 0 when requests are not held back.
	Rate float64
	// Throttled counts the throttled answers (429) this pace has seen.
	Throttled int64
	// NextWindow is when requests held back by the quota may go next; zero when none are.
	NextWindow time.Time
	// Left is what the current window still lets through.
	Left int
}

// Describe is the quota as stated, or what the pace adapted to without one.
func (s PaceStatus) Describe() string {
	if s.Quota.Limit > 0 {
		return s.Quota.String()
	}
	return "no quota stated"
}

// TimeFor estimates how long n more requests take at this pace from now.
func (s PaceStatus) TimeFor(n int, now time.Time) time.Duration {
	if n <= 0 {
		return 0
	}
	if q := s.Quota; q.Limit > 0 {
		var d time.Duration
		if n > s.Left {
			wait := max(s.NextWindow.Sub(now), 0)
			windows := (n - s.Left + q.Limit - 1) / q.Limit
			d = wait + time.Duration(windows-1)*q.Window
		}
		return d
	}
	if s.Rate > 0 {
		return time.Duration(float64(n) / s.Rate * float64(time.Second))
	}
	return 0
}

// paceAPIs maps the operations that are paced to their API.
var paceAPIs = map[string]string{opCancel: "cancel", opList: "list", opInvoke: "invoke"}

type paceKey struct {
	endpoint string
	identity [sha256.Size]byte
	api      string
}

// paces holds one pace per endpoint, credential and API for the whole process.
var paces = struct {
	mu sync.Mutex
	m  map[paceKey]*pace
}{m: map[paceKey]*pace{}}

func sharedPace(k paceKey) *pace {
	paces.mu.Lock()
	defer paces.mu.Unlock()
	p := paces.m[k]
	if p == nil {
		p = newPace(k.api)
		paces.m[k] = p
	}
	return p
}

const (
	// answersKept bounds the answer times kept to bound a window's start.
	answersKept = 4096
	// minAdaptiveRate is the slowest an adapted pace goes, per second.
	minAdaptiveRate = 0.5
	// paceForgetAfter is how long an unused pace keeps what it learnt.
	paceForgetAfter = 10 * time.Minute
	// recoverAfter is how long without a throttle lets an adapted pace go unlimited again.
	recoverAfter = 30 * time.Second
	// minProbeGap is the shortest wait between probes of a window's start.
	minProbeGap = 10 * time.Millisecond
	// probeOutWait bounds a wait for a probe's answer before looking again.
	probeOutWait = time.Second
)

type windowPhase int

const (
	phaseFree    windowPhase = iota // no quota known
	phaseProbing                    // the window is spent or unknown: one probe at a time
	phaseOpen                       // a window is open: up to Limit go in it
)

// pace is one API's shared pace; every method is called with mu held.
type pace struct {
	mu   sync.Mutex
	api  string
	wake chan struct{} // closed when waiters should look again
	// gen changes whenever the window is opened or lost, so answers to
	// requests sent before do not move it again.
	gen uint64

	quota    Quota
	phase    windowPhase
	start    time.Time // phaseOpen: the window's start by this clock
	used     int       // phaseOpen: requests sent in it
	locked   bool      // phaseProbing: the window's start is predicted, not searched
	probeAt  time.Time // phaseProbing: when the next probe may go
	probeOut bool      // phaseProbing: a probe is in flight
	probeGap time.Duration
	likely   []time.Time // phaseProbing: likely window starts still to probe

	pauseUntil time.Time // a Retry-After

	rate           float64 // adapted, per second; 0 when not limited
	rateAtThrottle float64
	nextSlot       time.Time
	lastDecrease   time.Time
	lastIncrease   time.Time
	lastThrottle   time.Time

	answers   []time.Time // when requests that passed the gateway were answered, a ring
	answerPos int
	throttled int64
	lastUsed  time.Time
}

func newPace(api string) *pace {
	return &pace{api: api, wake: make(chan struct{})}
}

// ticket is one request's turn; its outcome is settled with it.
type ticket struct {
	gen    uint64
	probe  bool
	sentAt time.Time
}

// reserve takes a turn at now, or says how long to wait before asking
// again; a zero wait with ok false means until woken.
func (p *pace) reserve(now time.Time) (tk ticket, wait time.Duration, ok bool) {
	if !p.lastUsed.IsZero() && now.Sub(p.lastUsed) > paceForgetAfter && !p.probeOut {
		*p = pace{api: p.api, wake: p.wake, gen: p.gen + 1}
	}
	p.lastUsed = now
	if now.Before(p.pauseUntil) {
		return tk, p.pauseUntil.Sub(now), false
	}
	if p.rate > 0 && now.Before(p.nextSlot) {
		return tk, p.nextSlot.Sub(now), false
	}
	tk = ticket{gen: p.gen, sentAt: now}
	switch p.phase {
	case phaseOpen:
		if end := p.start.Add(p.quota.Window); !now.Before(end) {
			// A new window: its first request checks it is open before the rest go.
			// The start of the window now is in: whole windows on from the last one.
			p.enterProbing(now)
			p.locked, p.start, p.probeAt = true, now.Add(-now.Sub(p.start)%p.quota.Window), now
			return p.reserve(now)
		} else if p.used >= p.quota.Limit || !now.Before(end.Add(-2*windowMargin(p.quota.Window))) {
			// Spent, or too near its end: a request sent now could arrive in the next window.
			return tk, end.Sub(now), false
		}
		p.used++
	case phaseProbing:
		if p.probeOut {
			return tk, probeOutWait, false
		}
		if now.Before(p.probeAt) {
			return tk, p.probeAt.Sub(now), false
		}
		p.probeOut, tk.gen, tk.probe = true, p.gen, true
	}
	if p.rate > 0 {
		p.nextSlot = now.Add(time.Duration(float64(time.Second) / p.rate))
	}
	return tk, 0, true
}

// enterProbing starts a new generation in which one probe at a time goes.
func (p *pace) enterProbing(now time.Time) {
	p.phase, p.gen, p.probeOut, p.locked, p.likely = phaseProbing, p.gen+1, false, false, nil
	p.probeGap = max(p.quota.Window/16, minProbeGap)
	p.probeAt = now
	p.wakeAll()
}

// outcome is what one request's answer says about the pace.
type outcome int

const (
	outcomePassed    outcome = iota // answered, not throttled: it used up quota
	outcomeThrottled                // 429
	outcomeUnknown                  // no answer, or not sent
)

// settle records a request's answer, at now.
func (p *pace) settle(tk ticket, o outcome, q Quota, stated bool, retryAfter time.Duration, now time.Time) {
	switch o {
	case outcomePassed:
		p.passed(tk, now)
	case outcomeThrottled:
		p.throttle(tk, q, stated, retryAfter, now)
	default:
		if tk.probe && tk.gen == p.gen && p.phase == phaseProbing {
			p.probeOut, p.probeAt = false, now
			p.wakeAll()
		}
	}
}

func (p *pace) passed(tk ticket, now time.Time) {
	if p.answers == nil {
		p.answers = make([]time.Time, 0, 64)
	}
	if len(p.answers) < answersKept {
		p.answers = append(p.answers, now)
	} else {
		p.answers[p.answerPos] = now
		p.answerPos = (p.answerPos + 1) % answersKept
	}
	if tk.probe && tk.gen == p.gen && p.phase == phaseProbing {
		start := tk.sentAt
		if p.locked {
			start = p.start // the predicted start held: keep the phase
		}
		p.phase, p.gen, p.start, p.used, p.probeOut = phaseOpen, p.gen+1, start, 1, false
		p.wakeAll()
	}
	if p.rate > 0 && now.Sub(p.lastIncrease) >= time.Second && now.Sub(p.lastThrottle) >= time.Second {
		p.rate += max(minAdaptiveRate, p.rateAtThrottle/10)
		p.lastIncrease = now
		if now.Sub(p.lastThrottle) >= recoverAfter && p.rate >= 2*p.rateAtThrottle {
			p.rate = 0
		}
		p.wakeAll()
	}
}

func (p *pace) throttle(tk ticket, q Quota, stated bool, retryAfter time.Duration, now time.Time) {
	p.throttled++
	p.lastThrottle = now
	if retryAfter > 0 && now.Add(retryAfter).After(p.pauseUntil) {
		p.pauseUntil = now.Add(retryAfter)
	}
	if stated && q != p.quota {
		p.quota = q
		p.rate = 0 // the quota paces now
		p.lostWindow(now)
		return
	}
	if p.quota.Limit == 0 {
		if retryAfter <= 0 { // a Retry-After says when; no need to guess
			p.slowDown(now)
		}
		return
	}
	if tk.gen != p.gen || (!stated && retryAfter > 0) {
		// Sent before the window was found or lost, or another limit that
		// said when to come back: the window itself is not in question.
		if tk.probe && tk.gen == p.gen && p.phase == phaseProbing {
			// The probe learnt nothing of the window: another goes once the
			// pause ends, or every request would wait for this one for ever.
			p.probeOut = false
			p.wakeAll()
		}
		return
	}
	switch {
	case p.phase == phaseProbing && tk.probe:
		p.probeOut = false
		switch {
		case p.locked:
			// The window starts a little later than predicted.
			p.locked, p.probeGap = false, max(p.quota.Window/50, minProbeGap)
			p.probeAt = now.Add(p.probeGap)
		case len(p.likely) > 0:
			p.probeAt, p.likely = p.likely[0], p.likely[1:]
		default:
			p.probeAt = now.Add(p.probeGap)
			p.probeGap = min(2*p.probeGap, max(p.quota.Window/4, minProbeGap))
		}
		p.wakeAll()
	case p.phase != phaseProbing:
		p.lostWindow(now)
	}
}

// lostWindow starts searching for the next window's start: first where
// one most likely is, then at growing gaps.
func (p *pace) lostWindow(now time.Time) {
	p.enterProbing(now)
	w := p.quota.Window
	margin := windowMargin(w)
	var likely []time.Time
	// Gateways count in windows aligned to multiples of their length.
	epoch := now.Truncate(w).Add(w)
	likely = append(likely, epoch.Add(margin))
	// The window now spent holds the last Limit answers, so it began by the
	// oldest of them and ends within one length of it.
	if n := p.quota.Limit; n <= len(p.answers) {
		oldest := p.answers[(p.answerPos+len(p.answers)-n)%len(p.answers)]
		if end := oldest.Add(w); end.After(now) && end.Sub(epoch).Abs() > 2*margin {
			likely = append(likely, end.Add(margin))
		}
	}
	if len(likely) == 2 && likely[1].Before(likely[0]) {
		likely[0], likely[1] = likely[1], likely[0]
	}
	p.probeAt, p.likely = likely[0], likely[1:]
}

// windowMargin is how far past a likely window start a probe goes, for the
// clocks' skew and the request's way there.
func windowMargin(w time.Duration) time.Duration { return min(w/100, 20*time.Millisecond) }

// slowDown halves the adapted rate, at most once per interval of it.
func (p *pace) slowDown(now time.Time) {
	if p.rate == 0 {
		recent := 0
		for _, t := range p.answers {
			if now.Sub(t) <= time.Second {
				recent++
			}
		}
		p.rateAtThrottle = max(minAdaptiveRate, float64(recent))
		p.rate = max(minAdaptiveRate, p.rateAtThrottle/2)
	} else if gap := time.Duration(float64(time.Second) / p.rate); now.Sub(p.lastDecrease) >= max(gap, 100*time.Millisecond) {
		p.rate = max(minAdaptiveRate, p.rate/2)
	} else {
		return
	}
	p.lastDecrease, p.lastIncrease = now, now
	p.nextSlot = now.Add(time.Duration(float64(time.Second) / p.rate))
	p.wakeAll()
}

func (p *pace) wakeAll() {
	close(p.wake)
	p.wake = make(chan struct{})
}

// status describes the pace at now.
func (p *pace) status(now time.Time) PaceStatus {
	s := PaceStatus{API: p.api, Quota: p.quota, Rate: p.rate, Throttled: p.throttled}
	if p.quota.Limit > 0 {
		s.Rate = p.quota.PerSecond()
		switch p.phase {
		case phaseOpen:
			s.Left = max(p.quota.Limit-p.used, 0)
			s.NextWindow = p.start.Add(p.quota.Window)
		case phaseProbing:
			s.NextWindow = p.probeAt
		}
	} else if p.rate > 0 {
		s.NextWindow = p.nextSlot
	}
	if p.pauseUntil.After(now) && p.pauseUntil.After(s.NextWindow) {
		s.NextWindow = p.pauseUntil
	}
	return s
}
