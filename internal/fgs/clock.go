package fgs

import (
	"context"
	"time"
)

// Everything in this package that reads the time or waits goes through the
// client's now and sleep, which tests replace with a fake clock.

// sleep waits for d or until the context ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
