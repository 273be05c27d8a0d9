// Package demo loads a realistic demo community into an empty database: the 400 German districts
// and the 16 Länder from official statistics, a few municipalities, vendors, a research institute
// and an association; a topic tree; about thirty fictional members; good-practice records;
// circles with memberships; discussions with messages; upcoming events with registrations; a KPI
// catalogue with benchmark values; a software landscape; and a competency inventory.
//
// The data is fixed (the same on every run) except for the ids, which ent generates, and the
// times, which are relative to the moment of loading so that the community looks recently active.
// Everything is written in one transaction through the ent client, so the write rules installed
// as hooks (see package integrity) apply as they do to every mutation.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// Load fills an empty database with the demo community and reports whether it did. A database
// that already holds an organisation is never touched: Load then returns false and no error.
// Everything is written in one transaction, so an error leaves the database as it was. A nil
// logger means slog.Default().
//
// Every demo member gets a local account with the given password hash (empty: no accounts).
// Loading is trusted server code: it runs with the privacy policies' system decision.
func Load(ctx context.Context, client *ent.Client, logger *slog.Logger, passwordHash string) (loaded bool, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	ctx = policy.System(ctx)
	tx, err := client.Tx(ctx)
	if err != nil {
		return false, fmt.Errorf("starting the demo transaction: %w", err)
	}
	finished := false // committed, or tried to: nothing left to roll back
	defer func() {
		if finished {
			return
		}
		if rbErr := tx.Rollback(); rbErr != nil {
			err = errors.Join(err, fmt.Errorf("rolling back the demo transaction: %w", rbErr))
		}
	}()
	// The check runs inside the transaction: on SQLite it holds the write lock from its start,
	// so two processes starting on the same empty database cannot both load; on PostgreSQL the
	// second of two concurrent loads fails on the unique keys and rolls back.
	exists, err := tx.Organisation.Query().Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("checking for existing organisations: %w", err)
	}
	if exists {
		logger.Info("demo data not loaded: the database already holds organisations")
		return false, nil
	}
	l := newLoader(tx.Client(), time.Now().UTC())
	if err := l.load(ctx); err != nil {
		return false, fmt.Errorf("loading demo data: %w", err)
	}
	if passwordHash != "" {
		if err := tx.Member.Update().SetPasswordHash(passwordHash).Exec(ctx); err != nil {
			return false, fmt.Errorf("giving demo members accounts: %w", err)
		}
	}
	finished = true
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("committing demo data: %w", err)
	}
	logger.Info("demo data loaded",
		"organisations", l.counts.organisations, "topics", len(l.topics), "members", len(l.members),
		"practices", l.counts.practices, "circles", len(l.circles),
		"discussions", l.counts.discussions, "messages", l.counts.messages,
		"events", l.counts.events, "registrations", l.counts.registrations,
		"indicators", len(l.indicators), "measurements", l.counts.measurements,
		"software_products", len(l.products), "software_usages", l.counts.usages,
		"competencies", l.counts.competencies)
	return true, nil
}

// loader writes the demo data and remembers the ids of what it wrote, by the keys that the data
// tables use to refer to each other.
type loader struct {
	client *ent.Client
	now    time.Time

	orgs    map[string]gid.ID // by district key (5 digits), "land-NN" or a name key
	topics  map[string]gid.ID // by slug
	members map[string]gid.ID // by member key
	circles map[string]gid.ID // by slug

	indicators map[string]gid.ID // by indicator key
	products   map[string]gid.ID // by product key

	counts struct {
		organisations, practices, discussions, messages           int
		events, registrations, measurements, usages, competencies int
	}
}

func newLoader(client *ent.Client, now time.Time) *loader {
	return &loader{
		client:  client,
		now:     now,
		orgs:    map[string]gid.ID{},
		topics:  map[string]gid.ID{},
		members: map[string]gid.ID{},
		circles: map[string]gid.ID{},

		indicators: map[string]gid.ID{},
		products:   map[string]gid.ID{},
	}
}

// load writes everything in the order of the references: each step only refers to what the
// steps before it wrote.
func (l *loader) load(ctx context.Context) error {
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"organisations", l.loadOrganisations},
		{"topics", l.loadTopics},
		{"members", l.loadMembers},
		{"circles", l.loadCircles},
		{"practices", l.loadPractices},
		{"discussions", l.loadDiscussions},
		{"follows", l.loadFollows},
		{"knowledge", l.loadKnowledge},
		{"invitations and join requests", l.loadConsent},
	}
	for _, s := range steps {
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("creating %s: %w", s.name, err)
		}
	}
	return nil
}

// lookup returns the ids of the given keys, failing on a key the data does not define.
func lookup(kind string, ids map[string]gid.ID, keys ...string) ([]gid.ID, error) {
	out := make([]gid.ID, 0, len(keys))
	for _, k := range keys {
		id, ok := ids[k]
		if !ok {
			return nil, fmt.Errorf("unknown %s %q", kind, k)
		}
		out = append(out, id)
	}
	return out, nil
}

// lookupOne is lookup for a single key.
func lookupOne(kind string, ids map[string]gid.ID, key string) (gid.ID, error) {
	out, err := lookup(kind, ids, key)
	if err != nil {
		return "", err
	}
	return out[0], nil
}

// daysAgo returns a moment the given number of days before the load, at the given hour (UTC)
// of that day, so that data written "three days ago" falls into office hours.
func (l *loader) daysAgo(days, atHour int) time.Time {
	midnight := l.now.Truncate(24*time.Hour).AddDate(0, 0, -days)
	return midnight.Add(time.Duration(atHour) * time.Hour)
}
