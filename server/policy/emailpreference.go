package policy

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/emailpreference"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// EmailPreferenceRows matches the viewer's own e-mail preferences: nobody reads another
// member's.
func EmailPreferenceRows(v *viewer.Viewer) predicate.EmailPreference {
	if v == nil {
		return none[predicate.EmailPreference]()
	}
	return emailpreference.MemberID(v.MemberID)
}

// OutboxMailRows: no viewer reads the outbox (only the mail code, as System).
func OutboxMailRows(v *viewer.Viewer) predicate.OutboxMail { return nobody[predicate.OutboxMail](v) }

// unsubscribeKey is the context key of an unsubscribe grant.
type unsubscribeKey struct{}

// unsubscribeGrant is what a verified unsubscribe token allows: turning these kinds of this
// member's mails off.
type unsubscribeGrant struct {
	member gid.ID
	kinds  []string
}

// WithUnsubscribe returns a context that may set the given kinds of the member's e-mail
// preferences to OFF, and nothing else. Only the unsubscribe handler calls it, after checking
// the link's token (server/mail).
func WithUnsubscribe(ctx context.Context, member gid.ID, kinds []string) context.Context {
	return context.WithValue(ctx, unsubscribeKey{}, unsubscribeGrant{member: member, kinds: kinds})
}

// EmailPreference: see EmailPreferenceRows. Members set their own preferences; an unsubscribe
// grant (WithUnsubscribe) turns a kind off without login. Preferences are never deleted.
func EmailPreference() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.EmailPreferenceQuery](EmailPreferenceRows)},
		Mutation: privacy.MutationPolicy{
			privacy.EmailPreferenceMutationRuleFunc(func(ctx context.Context, m *ent.EmailPreferenceMutation) error {
				if g, ok := ctx.Value(unsubscribeKey{}).(unsubscribeGrant); ok {
					return unsubscribing(g, m)
				}
				v := viewerOf(ctx)
				switch {
				case v == nil:
					return privacy.Denyf("login required")
				case m.Op().Is(ent.OpCreate):
					if id, _ := m.MemberID(); id != v.MemberID {
						return privacy.Denyf("members set only their own e-mail preferences")
					}
					return privacy.Allow
				case m.Op().Is(ent.OpUpdate | ent.OpUpdateOne):
					m.Where(emailpreference.MemberID(v.MemberID))
					return privacy.Allow
				}
				return privacy.Denyf("e-mail preferences are not deleted")
			}),
		},
	}
}

// unsubscribing allows what an unsubscribe grant allows: creating or updating the member's
// preference of a granted kind, to OFF.
func unsubscribing(g unsubscribeGrant, m *ent.EmailPreferenceMutation) error {
	if d, ok := m.Delivery(); !ok || d != emailpreference.DeliveryOFF {
		return privacy.Denyf("an unsubscribe link only turns mails off")
	}
	switch {
	case m.Op().Is(ent.OpCreate):
		id, _ := m.MemberID()
		kind, _ := m.Kind()
		if id != g.member || !slices.Contains(g.kinds, string(kind)) {
			return privacy.Denyf("the unsubscribe link is for another member or kind")
		}
		return privacy.Allow
	case m.Op().Is(ent.OpUpdate | ent.OpUpdateOne):
		kinds := make([]emailpreference.Kind, len(g.kinds))
		for i, k := range g.kinds {
			kinds[i] = emailpreference.Kind(k)
		}
		m.Where(emailpreference.MemberID(g.member), emailpreference.KindIn(kinds...))
		return privacy.Allow
	}
	return privacy.Denyf("an unsubscribe link only turns mails off")
}
