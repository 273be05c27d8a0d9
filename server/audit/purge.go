package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"zirkel/ent"
	"zirkel/ent/auditentry"
	"zirkel/server/schedule"
)

// DefaultRetention is how long entries are kept unless configured otherwise: two years.
const DefaultRetention = 730 * 24 * time.Hour

// Purge deletes the entries written before the cutoff, from the start of the chain: it keeps
// every entry from the oldest one written at or after the cutoff (so a clock that went back
// never leaves a hole), and always the newest entry (so the chain goes on). The oldest
// remaining entry's previous hash becomes the chain's trusted anchor. A purge that deletes
// anything is itself recorded ("audit.purge", by the system, with the count and cutoff as its
// reason). It returns how many entries were deleted.
func Purge(ctx context.Context, client *ent.Client, cutoff time.Time) (int, error) {
	ctx = trusted(ctx)
	tx, err := client.Tx(ctx)
	if err != nil {
		return 0, fmt.Errorf("opening a transaction to purge the audit log: %w", err)
	}
	n, err := purge(ctx, tx.Client(), cutoff)
	if err != nil {
		_ = tx.Rollback()
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("committing the audit log's purge: %w", err)
	}
	return n, nil
}

func purge(ctx context.Context, c *ent.Client, cutoff time.Time) (int, error) {
	head, err := lockedHead(ctx, c)
	if err != nil || head == nil {
		return 0, err
	}
	keepFrom := head.Seq
	kept, err := c.AuditEntry.Query().Where(auditentry.AtGTE(cutoff)).
		Order(ent.Asc(auditentry.FieldSeq)).Limit(1).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("finding the audit entries to keep: %w", err)
	}
	if len(kept) > 0 && kept[0].Seq < keepFrom {
		keepFrom = kept[0].Seq
	}
	n, err := c.AuditEntry.Delete().Where(auditentry.SeqLT(keepFrom)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("purging the audit log: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	oldest, err := c.AuditEntry.Query().Where(auditentry.Seq(keepFrom)).Only(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the audit log's new anchor: %w", err)
	}
	err = appendTo(ctx, c, []Entry{{Action: ActionPurge, TargetType: targetAuditEntry, TargetID: oldest.ID,
		Reason: fmt.Sprintf("%d entries written before %s deleted (retention)", n, cutoff.UTC().Format(time.RFC3339))}})
	return n, err
}

// RunRetention purges entries older than retention now and then every period until ctx ends;
// each purge runs under its own deadline. It logs counts and errors only.
func RunRetention(ctx context.Context, client *ent.Client, retention, every time.Duration, logger *slog.Logger) {
	schedule.Every(ctx, every, true, func(rctx context.Context) {
		n, err := Purge(rctx, client, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("purging the audit log", "err", err)
		case n > 0:
			logger.Info("purged the audit log", "entries", n, "retention", retention.String())
		}
	})
}
