package policy

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// PracticeRows matches the practices the viewer may see: see PracticeVisible.
func PracticeRows(v *viewer.Viewer) predicate.Practice { return PracticeVisible(v) }

// Practice: see PracticeRows. Members other than vendors write practices, with themselves
// among the authors; authors change their practices, admins too.
func Practice() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.PracticeQuery](PracticeRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous,
			privacy.PracticeMutationRuleFunc(func(ctx context.Context, m *ent.PracticeMutation) error {
				if circleID, ok := m.CircleID(); ok && !viewerOf(ctx).InCircle(circleID) {
					return privacy.Denyf("writing in a circle needs membership")
				}
				return privacy.Skip
			}),
			denyModerationByOthers, allowAdmins,
			privacy.PracticeMutationRuleFunc(func(ctx context.Context, m *ent.PracticeMutation) error {
				v := viewerOf(ctx)
				if v.IsVendor() {
					return privacy.Denyf("vendors do not write practices")
				}
				if circleID, ok := m.CircleID(); ok && !v.InCircle(circleID) {
					return privacy.Denyf("practices go only into circles the author belongs to")
				}
				if m.Op().Is(ent.OpCreate) {
					if slices.Contains(m.AuthorsIDs(), v.MemberID) {
						return privacy.Allow
					}
					return privacy.Denyf("the author must be among the authors")
				}
				id, ok := m.ID()
				if !ok {
					return privacy.Denyf("bulk changes of practices are not allowed")
				}
				own, err := m.Client().Practice.Query().
					Where(practice.ID(id), practice.HasAuthorsWith(member.ID(v.MemberID))).Exist(System(ctx))
				if err != nil {
					return err
				}
				if own && !m.Op().Is(ent.OpDeleteOne) {
					return privacy.Allow
				}
				return privacy.Denyf("only the authors change a practice")
			}),
		},
	}
}
