package integrity

import (
	"context"
	"slices"
	"time"

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/hook"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// Registration is the integrity of registrations, declared in ent/schema/registration.go:
// members register while registration is open; the server decides between a place and the
// waitlist, keeps the event's counters, and gives a freed place to the first on the waitlist.
func Registration() []ent.Hook { return []ent.Hook{registrationStatus} }

// registrationStatus decides a registration's status and keeps its event's counters. Every
// event it touches is locked first (its row written: a row lock on PostgreSQL, SQLite's
// transaction holds the database anyway), so concurrent registrations are decided one after
// the other.
//
//   - A new registration, or one that comes back after cancelling, gets a place while the
//     capacity allows and goes to the end of the waitlist after; registration must be open.
//   - Between REGISTERED and WAITLISTED only the server moves a registration (no one jumps the
//     queue); ATTENDED needs a place.
//   - Whenever a place frees (cancelled, removed, a larger capacity), the first on the
//     waitlist gets it.
//
// Trusted code (the demo loader) writes history as it was; the counters still follow.
func registrationStatus(next ent.Mutator) ent.Mutator {
	return hook.RegistrationFunc(func(ctx context.Context, m *ent.RegistrationMutation) (ent.Value, error) {
		sys := policy.System(ctx)
		events, err := registrationEvents(sys, m)
		if err != nil {
			return nil, err
		}
		for _, id := range events {
			if err := lockEvent(sys, m.Client(), id); err != nil {
				return nil, err
			}
		}
		if !trusted(ctx) {
			if err := decideStatus(sys, m); err != nil {
				return nil, err
			}
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		for _, id := range events {
			if err := settleEvent(ctx, m.Client(), id); err != nil {
				return nil, err
			}
		}
		return v, nil
	})
}

// registrationEvents are the events whose registrations a mutation changes, in lock order.
func registrationEvents(sys context.Context, m *ent.RegistrationMutation) ([]gid.ID, error) {
	if m.Op().Is(ent.OpCreate) {
		id, _ := m.EventID()
		return []gid.ID{id}, nil
	}
	ids, err := m.IDs(sys)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	events, err := m.Client().Registration.Query().Where(registration.IDIn(ids...)).QueryEvent().IDs(sys)
	slices.Sort(events)
	return events, err
}

// lockEvent writes an event's row (unchanged but for updated_at), which serialises the
// writers of its registrations.
func lockEvent(sys context.Context, c *ent.Client, id gid.ID) error {
	return c.Event.UpdateOneID(id).SetUpdatedAt(time.Now()).Exec(sys)
}

// decideStatus sets the status of a registration that a viewer creates or changes.
func decideStatus(sys context.Context, m *ent.RegistrationMutation) error {
	wanted, setsStatus := m.Status()
	if _, setsAt := m.RegisteredAt(); setsAt && !m.Op().Is(ent.OpCreate) {
		m.ResetRegisteredAt() // the waitlist's order: only admit sets it
	}
	switch {
	case m.Op().Is(ent.OpCreate):
		if wanted != registration.StatusREGISTERED && wanted != registration.StatusWAITLISTED {
			return apperr.Invalid("status", "a new registration is REGISTERED or WAITLISTED")
		}
		eventID, _ := m.EventID()
		return admit(sys, m, eventID)
	case !setsStatus:
		return nil
	case !m.Op().Is(ent.OpUpdateOne):
		return apperr.Forbidden("registrations change their status one at a time")
	}
	id, _ := m.ID()
	old, err := m.Client().Registration.Query().Where(registration.ID(id)).WithEvent().Only(sys)
	if err != nil {
		return err
	}
	active := func(s registration.Status) bool {
		return s == registration.StatusREGISTERED || s == registration.StatusWAITLISTED
	}
	switch {
	case wanted == old.Status:
	case wanted == registration.StatusATTENDED && old.Status != registration.StatusREGISTERED:
		return apperr.Invalid("registrationID", "only registered members can attend")
	case old.Status == registration.StatusCANCELLED && active(wanted):
		return admit(sys, m, old.Edges.Event.ID) // back again: to the end of the waitlist, if there is one
	case active(old.Status) && active(wanted):
		m.SetStatus(old.Status) // the server moves the waitlist (see settleEvent), no one else
	case old.Status == registration.StatusATTENDED && wanted != registration.StatusREGISTERED:
		return apperr.Invalid("status", "an attended registration only goes back to REGISTERED")
	}
	return nil
}

// admit gives a registration a place while the event has one and puts it on the waitlist
// after; registration must be open.
func admit(sys context.Context, m *ent.RegistrationMutation, eventID gid.ID) error {
	e, err := m.Client().Event.Get(sys, eventID)
	if err != nil {
		return err
	}
	if e.CancelledAt != nil {
		return apperr.Invalid("eventID", "the event is cancelled")
	}
	now := time.Now()
	if (e.RegistrationDeadline != nil && now.After(*e.RegistrationDeadline)) || now.After(e.EndsAt) {
		return apperr.Invalid("eventID", "registration is closed")
	}
	status := registration.StatusREGISTERED
	if e.Capacity != nil {
		taken, err := m.Client().Registration.Query().Where(registration.HasEventWith(event.ID(eventID)),
			registration.StatusIn(registration.StatusREGISTERED, registration.StatusATTENDED)).Count(sys)
		if err != nil {
			return err
		}
		if taken >= *e.Capacity {
			status = registration.StatusWAITLISTED
		}
	}
	m.SetStatus(status)
	m.SetRegisteredAt(now) // the waitlist's order: nobody chooses their place in it
	return nil
}

// settleEvent gives free places to the first on the waitlist (by registered_at, then id) and
// stores the event's counters as the registrations say. The caller holds the event's lock.
func settleEvent(ctx context.Context, c *ent.Client, eventID gid.ID) error {
	sys := policy.System(ctx)
	e, err := c.Event.Get(sys, eventID)
	if err != nil {
		return err
	}
	ofEvent := registration.HasEventWith(event.ID(eventID))
	taken, err := c.Registration.Query().Where(ofEvent,
		registration.StatusIn(registration.StatusREGISTERED, registration.StatusATTENDED)).Count(sys)
	if err != nil {
		return err
	}
	if !trusted(ctx) {
		free := -1 // unlimited
		if e.Capacity != nil {
			free = max(*e.Capacity-taken, 0)
		}
		q := c.Registration.Query().Where(ofEvent, registration.StatusEQ(registration.StatusWAITLISTED)).
			Order(ent.Asc(registration.FieldRegisteredAt), ent.Asc(registration.FieldID))
		if free >= 0 {
			q.Limit(free)
		}
		var next []gid.ID
		if free != 0 {
			if next, err = q.IDs(sys); err != nil {
				return err
			}
		}
		if len(next) > 0 {
			if err := c.Registration.Update().Where(registration.IDIn(next...)).
				SetStatus(registration.StatusREGISTERED).Exec(sys); err != nil {
				return err
			}
			taken += len(next)
		}
	}
	waiting, err := c.Registration.Query().Where(ofEvent, registration.StatusEQ(registration.StatusWAITLISTED)).Count(sys)
	if err != nil {
		return err
	}
	if e.RegisteredCount == taken && e.WaitlistCount == waiting {
		return nil
	}
	return c.Event.UpdateOneID(eventID).SetRegisteredCount(taken).SetWaitlistCount(waiting).Exec(sys)
}
