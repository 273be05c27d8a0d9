package notify

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/notification"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/server/events"
	"zirkel/server/policy"
	"zirkel/server/schedule"
)

// Reminders: events starting within a day remind who is registered (EVENT_REMINDER), surveys
// closing within two days remind whom they are for (SURVEY, grouped apart as "closing"). Each
// reminder is written once per member and event or survey, however often Remind runs (it
// skips members who already have one, read or not), in one transaction.

// Lead times of the reminders.
const (
	EventLead  = 24 * time.Hour
	SurveyLead = 48 * time.Hour
)

// remindLock is the PostgreSQL advisory lock that lets one replica at a time write reminders.
const remindLock int64 = 0x5a69726b52656d64 // "ZirkRemd"

// closingSuffix tells "closes soon" apart from "new survey" in the group key.
const closingSuffix = ":closing"

// Remind writes the reminders due at now; the loop calls it with the clock, tests with theirs.
func (s *Service) Remind(ctx context.Context, client *ent.Client, now time.Time) error {
	ctx = events.Quiet(ctx) // its own writes cause no further events
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("starting reminders: %w", err)
	}
	// Replicas remind at the same moment: one at a time, each seeing what the one before
	// wrote. On PostgreSQL an advisory lock for the transaction; SQLite transactions here
	// begin IMMEDIATE, holding the one write lock from their start.
	if s.dialect == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", remindLock); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("locking reminders: %w", err)
		}
	}
	recipients, err := s.remind(ctx, tx.Client(), now)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing reminders: %w", err)
	}
	s.announce(context.WithoutCancel(ctx), recipients)
	return nil
}

func (s *Service) remind(ctx context.Context, tx *ent.Client, now time.Time) ([]gid.ID, error) {
	sys := policy.System(ctx)
	var drafts []draft
	evs, err := tx.Event.Query().Where(event.StartsAtGT(now), event.StartsAtLTE(now.Add(EventLead))).IDs(sys)
	if err != nil {
		return nil, err
	}
	for _, id := range evs {
		recipients, err := registrants(sys, tx, id)
		if err != nil {
			return nil, err
		}
		if recipients, err = notYet(sys, tx, EventReminder, id, "", recipients); err != nil {
			return nil, err
		}
		drafts = append(drafts, draft{kind: EventReminder, subjectType: "Event", subjectID: id, recipients: recipients})
	}
	svs, err := tx.Survey.Query().Where(survey.OpensAtLTE(now), survey.ClosesAtGT(now), survey.ClosesAtLTE(now.Add(SurveyLead))).IDs(sys)
	if err != nil {
		return nil, err
	}
	for _, id := range svs {
		recipients, err := surveyAudience(sys, tx, id)
		if err != nil {
			return nil, err
		}
		if recipients, err = notYet(sys, tx, Survey, id, closingSuffix, recipients); err != nil {
			return nil, err
		}
		drafts = append(drafts, draft{kind: Survey, subjectType: "Survey", subjectID: id, recipients: recipients, suffix: closingSuffix})
	}
	if len(drafts) == 0 {
		return nil, nil
	}
	return s.write(ctx, tx, drafts)
}

// notYet keeps the recipients who have no notification of the group yet (read or not).
func notYet(ctx context.Context, tx *ent.Client, kind notification.Kind, subject gid.ID, suffix string, recipients []gid.ID) ([]gid.ID, error) {
	keys := make([]string, 0, len(recipients))
	for _, r := range recipients {
		keys = append(keys, groupKey(r, kind, subject, suffix))
	}
	done := map[string]bool{}
	for start := 0; start < len(keys); start += chunk {
		got, err := tx.Notification.Query().Where(notification.GroupKeyIn(keys[start:min(start+chunk, len(keys))]...)).
			Select(notification.FieldGroupKey).Strings(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range got {
			done[k] = true
		}
	}
	var out []gid.ID
	for i, r := range recipients {
		if !done[keys[i]] {
			out = append(out, r)
		}
	}
	return out, nil
}

// RunReminders calls Remind every interval until ctx ends, each round under its own deadline.
func (s *Service) RunReminders(ctx context.Context, client *ent.Client, every time.Duration) {
	schedule.Every(ctx, every, false, func(ctx context.Context) {
		if err := s.Remind(ctx, client, s.now()); err != nil {
			s.logger.Error("writing reminders", "err", err)
		}
	})
}

// RemindEvery is how often the app looks for due reminders.
const RemindEvery = 10 * time.Minute
