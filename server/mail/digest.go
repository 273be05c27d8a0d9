package mail

import (
	"context"
	"fmt"
	"time"

	"zirkel/ent"
	"zirkel/ent/outboxmail"
	"zirkel/ent/schema/gid"
	"zirkel/ent/schema/mailkind"
	"zirkel/server/events"
	"zirkel/server/policy"
)

// digestChunk is how many members' digests one transaction writes.
const digestChunk = 500

// PeriodStart is the start of the digest period that contains now: the day (DAILY) or the
// ISO week, from Monday (WEEKLY), in UTC. Items from before it go into a digest.
func PeriodStart(period string, now time.Time) time.Time {
	day := now.UTC().Truncate(24 * time.Hour)
	if period == "WEEKLY" {
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		day = day.AddDate(0, 0, -back)
	}
	return day
}

// BuildDigests turns the items waiting for a digest whose period has ended (before
// PeriodStart(now)) into one digest mail per member and period, and returns how many digests
// it wrote. It is safe on several replicas at once: items are taken with a conditional update,
// and a transaction that finds them taken by another replica writes nothing.
func BuildDigests(ctx context.Context, client *ent.Client, now time.Time) (int, error) {
	ctx = events.Quiet(policy.System(ctx)) // bookkeeping of the outbox is no event
	written := 0
	for _, period := range []outboxmail.Period{outboxmail.PeriodDAILY, outboxmail.PeriodWEEKLY} {
		items, err := client.OutboxMail.Query().
			Where(outboxmail.StatusEQ(outboxmail.StatusDIGEST_PENDING), outboxmail.PeriodEQ(period),
				outboxmail.CreatedAtLT(PeriodStart(string(period), now))).
			Order(ent.Asc(outboxmail.FieldMemberID), ent.Asc(outboxmail.FieldCreatedAt)).
			All(ctx)
		if err != nil {
			return written, fmt.Errorf("reading digest items: %w", err)
		}
		groups := groupByMember(items)
		for start := 0; start < len(groups); start += digestChunk {
			end := min(start+digestChunk, len(groups))
			n, err := writeDigests(ctx, client, period, groups[start:end])
			if err != nil {
				return written, err
			}
			written += n
		}
	}
	return written, nil
}

// group is one member's items of a period.
type group struct {
	member gid.ID
	items  []*ent.OutboxMail
}

func groupByMember(items []*ent.OutboxMail) []group {
	var out []group
	for _, it := range items {
		if len(out) == 0 || out[len(out)-1].member != it.MemberID {
			out = append(out, group{member: it.MemberID})
		}
		out[len(out)-1].items = append(out[len(out)-1].items, it)
	}
	return out
}

// writeDigests writes the digests of some members in one transaction: the digest mails, and
// the items marked DIGESTED (all of them, or the transaction is rolled back).
func writeDigests(ctx context.Context, client *ent.Client, period outboxmail.Period, groups []group) (int, error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return 0, fmt.Errorf("writing digests: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now().UTC()
	creates := make([]*ent.OutboxMailCreate, len(groups))
	var ids []gid.ID
	for i, g := range groups {
		var entries []mailkind.Entry
		for _, it := range g.items {
			entries = append(entries, it.Entries...)
			ids = append(ids, it.ID)
		}
		creates[i] = tx.OutboxMail.Create().SetMemberID(g.member).SetKind(outboxmail.KindDIGEST).
			SetStatus(outboxmail.StatusPENDING).SetPeriod(period).SetEntries(entries).
			SetCreatedAt(now).SetUpdatedAt(now).SetNextAttemptAt(now)
	}
	for start := 0; start < len(ids); start += insertChunk {
		end := min(start+insertChunk, len(ids))
		n, err := tx.OutboxMail.Update().
			Where(outboxmail.IDIn(ids[start:end]...), outboxmail.StatusEQ(outboxmail.StatusDIGEST_PENDING)).
			SetStatus(outboxmail.StatusDIGESTED).SetUpdatedAt(now).Save(ctx)
		if err != nil {
			return 0, fmt.Errorf("marking digest items: %w", err)
		}
		if n != end-start {
			return 0, nil // another replica took them meanwhile; it writes these digests
		}
	}
	if err := tx.OutboxMail.CreateBulk(creates...).Exec(ctx); err != nil {
		return 0, fmt.Errorf("writing digests: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("writing digests: %w", err)
	}
	return len(groups), nil
}
