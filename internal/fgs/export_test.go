package fgs

import (
	"context"
	"time"
)

// SetClock makes the client read the time from now: credential lifetimes
// and renewals follow it.
func SetClock(c *Client, now func() time.Time) { c.now = now }

// SetSleep makes the client wait between attempts with sleep.
func SetSleep(c *Client, sleep func(context.Context, time.Duration) error) { c.sleep = sleep }
