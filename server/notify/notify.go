// Package notify tells members what concerns them: it keeps follows and writes notifications
// from the event pipeline (server/events). Its InTx consumer (Service.Deliver) maps each
// transaction's changes to notifications, keeps only recipients who may read what a
// notification is about (their own read rules, checked in batches), groups unread ones of the
// same kind and subject into one with a count, and writes them with a constant number of
// statements however many recipients there are; each notification that starts a group (not
// one that only counts up an unread group) also goes to the e-mail outbox (mail.Enqueue) in the
// same transaction, where the member's preference decides: at once, digest, or off. Its
// AfterCommit consumer (Service.Published)
// hands the recipients to live subscribers of notificationAdded on every replica.
package notify

import (
	"log/slog"
	"time"

	"zirkel/ent/message"
	"zirkel/ent/notification"
	"zirkel/server/events"
	"zirkel/server/pubsub"
)

// Kinds of notification (shared with the e-mail preferences).
const (
	Reply           = notification.KindREPLY
	Mention         = notification.KindMENTION
	Practice        = notification.KindPRACTICE
	Discussion      = notification.KindDISCUSSION
	CoauthorRequest = notification.KindCOAUTHOR_REQUEST
	JoinDecision    = notification.KindJOIN_DECISION
	Waitlist        = notification.KindWAITLIST
	EventChange     = notification.KindEVENT_CHANGE
	EventReminder   = notification.KindEVENT_REMINDER
	Survey          = notification.KindSURVEY
	Moderation      = notification.KindMODERATION
)

// Service writes and delivers notifications; one per app.
type Service struct {
	broker  pubsub.Broker
	dialect string
	logger  *slog.Logger
	now     func() time.Time

	live *liveHub
}

// New returns the service for a database of the dialect ("sqlite3", "postgres"); broker
// carries live notices between replicas.
func New(dialect string, broker pubsub.Broker, logger *slog.Logger) (*Service, error) {
	s := &Service{dialect: dialect, broker: broker, logger: logger, now: time.Now}
	hub, err := newLiveHub(broker, logger)
	if err != nil {
		return nil, err
	}
	s.live = hub
	return s, nil
}

// Attach registers the service with the event pipeline: notifications are written inside
// each transaction, announced live after it commits, and a message's body before an edit is
// kept so that mentions the edit adds notify.
func (s *Service) Attach(p *events.Pipeline) {
	p.KeepBefore("Message", message.FieldBody)
	p.InTx("notify", s.Deliver)
	p.AfterCommit("notify", s.Published)
}

// Close stops the live side.
func (s *Service) Close() { s.live.close() }

// stamp is a time as stored: UTC, to the microsecond (PostgreSQL's precision), so that live
// cursors compare alike on both databases.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
