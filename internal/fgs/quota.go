package fgs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Quota is a throttling limit as a 429 states it: Limit calls per Window.
type Quota struct {
	Limit  int
	Window time.Duration
}

// String is the quota as a person says it: "100 per minute", "20 per 10 seconds".
func (q Quota) String() string {
	if q.Limit <= 0 {
		return ""
	}
	unit := func(d time.Duration, name string) string {
		if n := q.Window / d; n != 1 {
			return fmt.Sprintf("%d per %d %ss", q.Limit, n, name)
		}
		return fmt.Sprintf("%d per %s", q.Limit, name)
	}
	switch {
	case q.Window%(24*time.Hour) == 0:
		return unit(24*time.Hour, "day")
	case q.Window%time.Hour == 0:
		return unit(time.Hour, "hour")
	case q.Window%time.Minute == 0:
		return unit(time.Minute, "minute")
	case q.Window%time.Second == 0:
		return unit(time.Second, "second")
	}
	return fmt.Sprintf("%d per %s", q.Limit, q.Window)
}

// PerSecond is the quota's average rate.
func (q Quota) PerSecond() float64 {
	if q.Limit <= 0 || q.Window <= 0 {
		return 0
	}
	return float64(q.Limit) / q.Window.Seconds()
}

// quotaPattern finds API Gateway's "limit:100,time:1 minute" in an error message.
var quotaPattern = regexp.MustCompile(`(?i)limit\s*:\s*(\d{1,9})\s*,\s*time\s*:\s*(\d{1,6})\s*(second|minute|hour|day)s?\b`)

// parseQuota reads the quota a throttling message states.
func parseQuota(msg string) (Quota, bool) {
	m := quotaPattern.FindStringSubmatch(msg)
	if m == nil {
		return Quota{}, false
	}
	limit, err1 := strconv.Atoi(m[1])
	n, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil || limit < 1 || n < 1 {
		return Quota{}, false
	}
	unit := map[string]time.Duration{"second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.ToLower(m[3])]
	return Quota{Limit: limit, Window: time.Duration(n) * unit}, true
}
