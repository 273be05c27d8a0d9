package app

import (
	"context"
	"time"

	"zirkel/server/schedule"
)

// RunErasure is the scheduler of account deletions: every period it checks the directories
// for members they no longer know (scheduling their deletion after the grace period, erasing
// them when the period has ended, or undoing that when they are back), then erases the
// accounts whose requested deletion is due. It returns when ctx ends. main runs it beside the
// server.
func (a *App) RunErasure(ctx context.Context, every time.Duration) {
	schedule.Every(ctx, every, false, a.EraseOnce)
}

// EraseOnce is one round of the scheduler (see RunErasure); errors are logged, and one that
// stops the directory check does not stop the erasure of what is due.
func (a *App) EraseOnce(ctx context.Context) {
	if err := a.Auth.CheckDirectoryMembers(ctx, a.Privacy.DirectoryPresence); err != nil {
		a.logger.ErrorContext(ctx, "checking directories for removed members", "err", err)
	}
	erased, err := a.Privacy.EraseDue(ctx)
	if err != nil {
		a.logger.ErrorContext(ctx, "erasing accounts due for deletion", "err", err)
	}
	if erased > 0 {
		a.logger.InfoContext(ctx, "erased accounts whose grace period ended", "accounts", erased)
	}
}
