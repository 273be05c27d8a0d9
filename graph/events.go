package graph

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// checkEventTimes refuses events that end before they start or close registration after.
func checkEventTimes(starts, ends time.Time, deadline *time.Time) error {
	if !ends.After(starts) {
		return apperr.Invalid("endsAt", "must be after startsAt")
	}
	if deadline != nil && deadline.After(ends) {
		return apperr.Invalid("registrationDeadline", "must be before the event ends")
	}
	return nil
}

// onlineURL shows an online event's link to its registered members, organisers and admins.
func onlineURL(ctx context.Context, client *ent.Client, e *ent.Event) (*string, error) {
	if e.OnlineURL == "" {
		return nil, nil
	}
	var ok bool
	var err error
	if access, found := ctx.Value(onlineAccessKey{}).(*onlineAccess); found && access.checked[e.ID] {
		ok = access.may[e.ID] // answered for the whole page (see withOnlineAccess)
	} else {
		ok, err = policy.MaySeeOnlineURL(ctx, client, viewer.FromContext(ctx), e.ID)
	}
	if err != nil || !ok {
		return nil, err
	}
	return &e.OnlineURL, nil
}

// lockEvent loads a visible event and writes its row, which serialises registrations for it
// (a row lock on PostgreSQL; SQLite's transaction holds the database anyway).
func lockEvent(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Event, error) {
	e, err := c.Event.Get(ctx, id)
	if err != nil {
		return nil, notFoundAs("eventID", err)
	}
	return c.Event.UpdateOne(e).SetUpdatedAt(time.Now()).Save(policy.System(ctx)) // counters as they are under the lock
}

// registerForEvent registers the viewer while places are free and waitlists them after.
func registerForEvent(ctx context.Context, c *ent.Client, eventID gid.ID) (*ent.Registration, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	e, err := lockEvent(ctx, c, eventID)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if (e.RegistrationDeadline != nil && now.After(*e.RegistrationDeadline)) || now.After(e.EndsAt) {
		return nil, apperr.Invalid("eventID", "registration is closed")
	}
	existing, err := c.Registration.Query().Where(registration.HasEventWith(event.ID(e.ID)), registration.HasMemberWith(member.ID(v.MemberID))).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	if existing != nil && existing.Status != registration.StatusCANCELLED {
		return existing, nil
	}
	status := registration.StatusREGISTERED
	if e.Capacity != nil && e.RegisteredCount >= *e.Capacity {
		status = registration.StatusWAITLISTED
	}
	if err := adjustCounts(ctx, c, e, "", status); err != nil {
		return nil, err
	}
	if existing != nil { // back again: to the end of the waitlist, if there is one
		return c.Registration.UpdateOne(existing).SetStatus(status).SetRegisteredAt(now).Save(ctx)
	}
	return c.Registration.Create().SetEventID(e.ID).SetMemberID(v.MemberID).SetStatus(status).SetRegisteredAt(now).Save(ctx)
}

// cancelRegistration cancels the viewer's registration; a freed place goes to the first on
// the waitlist.
func cancelRegistration(ctx context.Context, c *ent.Client, eventID gid.ID) (*ent.Registration, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	e, err := lockEvent(ctx, c, eventID)
	if err != nil {
		return nil, err
	}
	mine, err := c.Registration.Query().Where(registration.HasEventWith(event.ID(e.ID)), registration.HasMemberWith(member.ID(v.MemberID)),
		registration.StatusIn(registration.StatusREGISTERED, registration.StatusWAITLISTED)).Only(ctx)
	if err != nil {
		return nil, notFoundAs("eventID", err)
	}
	cancelled, err := c.Registration.UpdateOne(mine).SetStatus(registration.StatusCANCELLED).Save(ctx)
	if err != nil {
		return nil, err
	}
	if err := adjustCounts(ctx, c, e, mine.Status, ""); err != nil {
		return nil, err
	}
	if mine.Status == registration.StatusREGISTERED {
		if err := promote(ctx, c, e); err != nil {
			return nil, err
		}
	}
	return cancelled, nil
}

// promote moves the first on the waitlist up.
func promote(ctx context.Context, c *ent.Client, e *ent.Event) error {
	sys := policy.System(ctx)
	next, err := c.Registration.Query().
		Where(registration.HasEventWith(event.ID(e.ID)), registration.StatusEQ(registration.StatusWAITLISTED)).
		Order(ent.Asc(registration.FieldRegisteredAt), ent.Asc(registration.FieldID)).First(sys)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := c.Registration.UpdateOne(next).SetStatus(registration.StatusREGISTERED).Exec(sys); err != nil {
		return err
	}
	return adjustCounts(ctx, c, e, registration.StatusWAITLISTED, registration.StatusREGISTERED)
}

// adjustCounts moves one registration from status from to status to in the event's counters.
func adjustCounts(ctx context.Context, c *ent.Client, e *ent.Event, from, to registration.Status) error {
	delta := func(s registration.Status) (int, int) {
		switch s {
		case registration.StatusREGISTERED, registration.StatusATTENDED:
			return 1, 0
		case registration.StatusWAITLISTED:
			return 0, 1
		}
		return 0, 0
	}
	r1, w1 := delta(from)
	r2, w2 := delta(to)
	return c.Event.UpdateOneID(e.ID).AddRegisteredCount(r2 - r1).AddWaitlistCount(w2 - w1).Exec(policy.System(ctx))
}

// markAttended records attendance (organisers; enforced by the registration policy).
func markAttended(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Registration, error) {
	r, err := c.Registration.Query().Where(registration.ID(id)).WithEvent().Only(ctx)
	if err != nil {
		return nil, notFoundAs("registrationID", err)
	}
	if r.Status != registration.StatusREGISTERED && r.Status != registration.StatusATTENDED {
		return nil, apperr.Invalid("registrationID", "only registered members can attend")
	}
	return c.Registration.UpdateOne(r).SetStatus(registration.StatusATTENDED).Save(ctx)
}
