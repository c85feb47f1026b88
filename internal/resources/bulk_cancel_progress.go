package resources

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// What a bulk cancel says while it runs and when it ends: the counts, at
// least once a second, and what a listing found.

// progressTicker reports the counts at least once a second while a bulk runs.
type progressTicker struct {
	mu    sync.Mutex
	last  fgs.BulkProgress
	done  chan struct{}
	wg    sync.WaitGroup
	watch *throttleWatch
}

const progressInterval = 500 * time.Millisecond

func (r bulkCancelRun) startTicker(watch *throttleWatch) *progressTicker {
	t := &progressTicker{done: make(chan struct{}), watch: watch}
	if r.progress == nil {
		return t
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(progressInterval)
		defer tick.Stop()
		for {
			select {
			case <-t.done:
				return
			case <-tick.C:
				t.mu.Lock()
				p := t.last
				t.mu.Unlock()
				r.report(progressText(p) + pacedText(t.watch, p))
			}
		}
	}()
	return t
}

func (t *progressTicker) set(p fgs.BulkProgress) {
	t.mu.Lock()
	t.last = p
	t.mu.Unlock()
}

func (t *progressTicker) stop() fgs.BulkProgress {
	close(t.done)
	t.wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// progressText is "312 of 1000 cancelled, 2 failed".
func progressText(p fgs.BulkProgress) string {
	s := fmt.Sprintf("%d of %d cancelled", p.Cancelled, p.Total)
	switch {
	case p.Ended == 1:
		s += ", 1 had ended on its own"
	case p.Ended > 1:
		s += fmt.Sprintf(", %d had ended on their own", p.Ended)
	}
	return s + fmt.Sprintf(", %d failed", p.Failed)
}

// byStatusText is "1 RUNNING and 3 WAIT invocations", "no invocation".
func byStatusText(listed map[string]int) string {
	var parts []string
	total := 0
	for _, status := range []string{"RUNNING", "WAIT"} {
		if n := listed[status]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, status))
			total += n
		}
	}
	switch total {
	case 0:
		return "no invocation"
	case 1:
		return parts[0] + " invocation"
	}
	return strings.Join(parts, " and ") + " invocations"
}
