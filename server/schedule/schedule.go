// Package schedule runs Zirkel's periodic background work (purges past retention, due
// erasures, directory checks, reminders): one loop, so each job is only what it does.
package schedule

import (
	"context"
	"time"
)

// Every runs round each interval until ctx ends, each round under its own deadline (at most
// the interval, so a slow round never overlaps the next); with now set it also runs one round
// at once. A round reports its own errors.
func Every(ctx context.Context, interval time.Duration, now bool, round func(ctx context.Context)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	run := func() {
		rctx, cancel := context.WithTimeout(ctx, interval)
		defer cancel()
		round(rctx)
	}
	if now {
		run()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			run()
		}
	}
}
