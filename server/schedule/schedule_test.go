package schedule_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"zirkel/server/schedule"
)

// TestEveryRunsRoundsUntilCancelled: a first round at once when asked, later rounds on the
// ticker, each with a deadline, and no round after the context ends.
func TestEveryRunsRoundsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var rounds atomic.Int32
	done := make(chan struct{})
	go func() {
		schedule.Every(ctx, 10*time.Millisecond, true, func(rctx context.Context) {
			if _, ok := rctx.Deadline(); !ok {
				t.Error("a round without a deadline")
			}
			if rounds.Add(1) == 3 {
				cancel()
			}
		})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Every did not return after its context ended")
	}
	if n := rounds.Load(); n != 3 {
		t.Fatalf("want 3 rounds, got %d", n)
	}
}
