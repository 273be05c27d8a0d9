package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/registration"
	"zirkel/server/viewer"
)

// RegistrationRows: members see their own registrations, organisers those of their events,
// admins those of every event they may see.
func RegistrationRows(v *viewer.Viewer) predicate.Registration {
	switch {
	case v == nil:
		return none[predicate.Registration]()
	case v.IsAdmin():
		return registration.HasEventWith(EventVisible(v))
	}
	return registration.Or(
		registration.HasMemberWith(member.ID(v.MemberID)),
		registration.HasEventWith(event.HasOrganisersWith(member.ID(v.MemberID))),
	)
}

// Registration: see RegistrationRows. Members register and cancel as themselves; organisers mark attendance.
func Registration() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.RegistrationQuery](RegistrationRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.RegistrationMutationRuleFunc(func(ctx context.Context, m *ent.RegistrationMutation) error {
			v := viewerOf(ctx)
			if m.Op().Is(ent.OpCreate) {
				if memberID, _ := m.MemberID(); memberID == v.MemberID {
					return privacy.Allow
				}
				return privacy.Denyf("members register themselves")
			}
			id, ok := m.ID()
			if !ok {
				return privacy.Denyf("registrations are changed one at a time")
			}
			r, err := m.Client().Registration.Query().Where(registration.ID(id)).
				WithMember().WithEvent(func(q *ent.EventQuery) { q.WithOrganisers() }).Only(System(ctx))
			if err != nil {
				return err
			}
			status, _ := m.Status()
			if r.Edges.Member.ID == v.MemberID && status != registration.StatusATTENDED {
				return privacy.Allow
			}
			for _, o := range r.Edges.Event.Edges.Organisers {
				if o.ID == v.MemberID {
					return privacy.Allow
				}
			}
			return privacy.Denyf("only the member and the organisers change a registration")
		})},
	}
}
