package integrity

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/hook"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// Event is the integrity of events, declared in ent/schema/event.go: an event ends after it
// starts and closes registration before it ends; its registration counters are kept by the
// server (see Registration), and a place that a larger capacity frees goes to the waitlist.
func Event() []ent.Hook { return []ent.Hook{eventTimes, eventCounters} }

// eventTimes refuses events that end before they start or close registration after they end.
// An update is checked with the stored values it leaves as they are.
func eventTimes(next ent.Mutator) ent.Mutator {
	return hook.EventFunc(func(ctx context.Context, m *ent.EventMutation) (ent.Value, error) {
		starts, setsStarts := m.StartsAt()
		ends, setsEnds := m.EndsAt()
		deadline, setsDeadline := m.RegistrationDeadline()
		if !setsStarts && !setsEnds && !setsDeadline {
			return next.Mutate(ctx, m)
		}
		var stored *time.Time
		switch {
		case m.Op().Is(ent.OpUpdateOne):
			id, _ := m.ID()
			old, err := m.Client().Event.Get(policy.System(ctx), id)
			if err != nil {
				return nil, err
			}
			if !setsStarts {
				starts = old.StartsAt
			}
			if !setsEnds {
				ends = old.EndsAt
			}
			stored = old.RegistrationDeadline
		case !m.Op().Is(ent.OpCreate):
			return nil, apperr.Forbidden("events are rescheduled one at a time")
		}
		if !ends.After(starts) {
			return nil, apperr.Invalid("endsAt", "must be after startsAt")
		}
		if !setsDeadline && !m.RegistrationDeadlineCleared() && stored != nil {
			deadline, setsDeadline = *stored, true // the stored deadline must still fit new times
		}
		if setsDeadline && deadline.After(ends) {
			return nil, apperr.Invalid("registrationDeadline", "must be before the event ends")
		}
		return next.Mutate(ctx, m)
	})
}

// eventCounters leaves the registration counters to the server, and gives the places that a
// new capacity frees to the waitlist (see settleEvent).
func eventCounters(next ent.Mutator) ent.Mutator {
	return hook.EventFunc(func(ctx context.Context, m *ent.EventMutation) (ent.Value, error) {
		for _, f := range append(m.Fields(), m.AddedFields()...) {
			if f != event.FieldRegisteredCount && f != event.FieldWaitlistCount || trusted(ctx) {
				continue
			}
			if v, _ := m.Field(f); !m.Op().Is(ent.OpCreate) || v != 0 { // a new event starts at 0 (the default)
				return nil, apperr.Forbidden("registration counts are kept by the server")
			}
		}
		_, setsCapacity := m.Capacity()
		_, addsCapacity := m.AddedCapacity()
		resized := setsCapacity || addsCapacity || m.CapacityCleared()
		v, err := next.Mutate(ctx, m)
		if err != nil || !resized || !m.Op().Is(ent.OpUpdateOne) {
			return v, err
		}
		id, _ := m.ID()
		if err := settleEvent(ctx, m.Client(), id); err != nil {
			return nil, err
		}
		fresh, err := m.Client().Event.Get(policy.System(ctx), id)
		if err != nil {
			return nil, err
		}
		e := v.(*ent.Event) // with the counters as they are now
		e.RegisteredCount, e.WaitlistCount = fresh.RegisteredCount, fresh.WaitlistCount
		return e, nil
	})
}
