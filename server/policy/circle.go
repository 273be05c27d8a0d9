package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// CircleRows matches the circles the viewer may see: members see every circle (so they can ask
// to join a closed one), anonymous visitors none.
func CircleRows(v *viewer.Viewer) predicate.Circle {
	if v == nil {
		return none[predicate.Circle]()
	}
	return nil
}

// Circle: see CircleRows. (so they can ask to join a closed one); admins create and
// change circles, their moderators change them too.
func Circle() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.CircleQuery](CircleRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins,
			privacy.CircleMutationRuleFunc(func(ctx context.Context, m *ent.CircleMutation) error {
				if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) && viewerOf(ctx).ModeratesCircle(id) {
					return privacy.Allow
				}
				return privacy.Denyf("only admins and the circle's moderators change a circle")
			}),
		},
	}
}
