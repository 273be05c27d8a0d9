package graph

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

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

// registerForEvent registers the viewer for an event they can see; the registration's
// integrity decides between a place and the waitlist (server/integrity/registration.go).
func registerForEvent(ctx context.Context, c *ent.Client, eventID gid.ID) (*ent.Registration, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.Event.Get(ctx, eventID); err != nil {
		return nil, notFoundAs("eventID", err)
	}
	existing, err := c.Registration.Query().Where(registration.HasEventWith(event.ID(eventID)), registration.HasMemberWith(member.ID(v.MemberID))).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	if existing != nil && existing.Status != registration.StatusCANCELLED {
		return existing, nil
	}
	if existing != nil { // back again
		return c.Registration.UpdateOne(existing).SetStatus(registration.StatusREGISTERED).Save(ctx)
	}
	return c.Registration.Create().SetEventID(eventID).SetMemberID(v.MemberID).
		SetStatus(registration.StatusREGISTERED).SetRegisteredAt(time.Now()).Save(ctx)
}

// cancelRegistration cancels the viewer's registration; a freed place goes to the first on
// the waitlist (server/integrity/registration.go).
func cancelRegistration(ctx context.Context, c *ent.Client, eventID gid.ID) (*ent.Registration, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	mine, err := c.Registration.Query().Where(registration.HasEventWith(event.ID(eventID)), registration.HasMemberWith(member.ID(v.MemberID)),
		registration.StatusIn(registration.StatusREGISTERED, registration.StatusWAITLISTED)).Only(ctx)
	if err != nil {
		return nil, notFoundAs("eventID", err)
	}
	return c.Registration.UpdateOne(mine).SetStatus(registration.StatusCANCELLED).Save(ctx)
}

// markAttended records attendance (organisers, by the registration's policy; only of
// registered members, by its integrity).
func markAttended(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Registration, error) {
	r, err := c.Registration.Query().Where(registration.ID(id)).WithEvent().Only(ctx)
	if err != nil {
		return nil, notFoundAs("registrationID", err)
	}
	return c.Registration.UpdateOne(r).SetStatus(registration.StatusATTENDED).Save(ctx)
}
