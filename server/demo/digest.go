package demo

import (
	"context"

	"entgo.io/ent/dialect"

	"fmt"
	"time"

	"zirkel/ent"
	"zirkel/ent/outboxmail"
	"zirkel/server/mail"
	"zirkel/server/policy"
)

// Digests builds the demo community's digests at once: the items that loading the demo queued
// for daily and weekly digests are dated into the period before the current one (the demo's
// history happened "before"), then gathered into one digest per member and period as the
// sender would after the period ends. A new user so sees a digest (in Mailpit) right away,
// not next Monday.
func Digests(ctx context.Context, client *ent.Client, dialectName string, now time.Time) (int, error) {
	query := "UPDATE outbox_mails SET created_at = ? WHERE id = ?"
	if dialectName == dialect.Postgres {
		query = "UPDATE outbox_mails SET created_at = $1 WHERE id = $2"
	}
	// created_at is immutable in ent (TimeMixin): the demo loader, writing history, sets it
	// directly, as it stood.
	for _, p := range []outboxmail.Period{outboxmail.PeriodDAILY, outboxmail.PeriodWEEKLY} {
		before := mail.PeriodStart(string(p), now).Add(-time.Hour).UTC()
		rows, err := client.OutboxMail.Query().
			Where(outboxmail.StatusEQ(outboxmail.StatusDIGEST_PENDING), outboxmail.PeriodEQ(p)).
			IDs(policy.System(ctx))
		if err != nil {
			return 0, fmt.Errorf("listing the demo's digest items: %w", err)
		}
		for _, id := range rows {
			if _, err := client.ExecContext(ctx, query, before, id); err != nil {
				return 0, fmt.Errorf("dating the demo's digest items: %w", err)
			}
		}
	}
	return mail.BuildDigests(ctx, client, now)
}
