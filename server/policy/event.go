package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// EventVisible matches the events a member may see: those outside circles and those of their
// circles (a circle's event is only for its members, admins included). Anonymous visitors see
// none.
func EventVisible(v *viewer.Viewer) predicate.Event {
	if v == nil {
		return event.IDIn()
	}
	return event.Or(event.Not(event.HasCircle()), event.HasCircleWith(circle.IDIn(v.CircleIDs()...)))
}

// EventRows matches the events the viewer may see: see EventVisible (admins too: a circle's
// events are for its members).
func EventRows(v *viewer.Viewer) predicate.Event { return EventVisible(v) }

// Event: see EventRows. Admins, platform moderators and a circle's moderators create
// events (the creator becomes an organiser); organisers and admins change them.
func Event() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.EventQuery](EventRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.EventMutationRuleFunc(func(ctx context.Context, m *ent.EventMutation) error {
			v := viewerOf(ctx)
			if m.Op().Is(ent.OpCreate) {
				circleID, inCircle := m.CircleID()
				if v.IsModerator() && !inCircle || inCircle && v.ModeratesCircle(circleID) {
					return privacy.Allow
				}
				return privacy.Denyf("moderators organise events")
			}
			id, ok := m.ID()
			if !ok || m.Op().Is(ent.OpDeleteOne) {
				return privacy.Denyf("events are changed one at a time, not deleted")
			}
			organiser, err := m.Client().Event.Query().
				Where(event.ID(id), event.HasOrganisersWith(member.ID(v.MemberID))).Exist(System(ctx))
			if err != nil {
				return err
			}
			if organiser {
				return privacy.Allow
			}
			return privacy.Denyf("only organisers change an event")
		})},
	}
}

// MaySeeOnlineURL tells whether the viewer may see an online event's link: admins, its
// organisers and its registered members may.
func MaySeeOnlineURL(ctx context.Context, client *ent.Client, v *viewer.Viewer, eventID gid.ID) (bool, error) {
	may, err := OnlineURLAccess(ctx, client, v, []gid.ID{eventID})
	return may[eventID], err
}

// OnlineURLAccess tells for a page of events which links the viewer may see, in two queries
// whatever the page's size.
func OnlineURLAccess(ctx context.Context, client *ent.Client, v *viewer.Viewer, eventIDs []gid.ID) (map[gid.ID]bool, error) {
	may := map[gid.ID]bool{}
	if v == nil || len(eventIDs) == 0 {
		return may, nil
	}
	if v.IsAdmin() {
		for _, id := range eventIDs {
			may[id] = true
		}
		return may, nil
	}
	sys := System(ctx)
	organised, err := client.Event.Query().Where(event.IDIn(eventIDs...), event.HasOrganisersWith(member.ID(v.MemberID))).IDs(sys)
	if err != nil {
		return nil, err
	}
	registered, err := client.Registration.Query().Where(
		registration.HasEventWith(event.IDIn(eventIDs...)), registration.HasMemberWith(member.ID(v.MemberID)),
		registration.StatusIn(registration.StatusREGISTERED, registration.StatusATTENDED)).QueryEvent().IDs(sys)
	if err != nil {
		return nil, err
	}
	for _, id := range append(organised, registered...) {
		may[id] = true
	}
	return may, nil
}
