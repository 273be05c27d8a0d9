package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circlemembership"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// CircleMembershipRows matches the memberships the viewer may see: see MembershipVisible;
// admins see all, to manage them.
func CircleMembershipRows(v *viewer.Viewer) predicate.CircleMembership {
	if v.IsAdmin() {
		return nil
	}
	return MembershipVisible(v)
}

// CircleMembership: a member list is visible where the circle's content is. Admins and the
// circle's moderators add, change and remove members; anyone may join an OPEN circle as a
// member, and leave any circle.
func CircleMembership() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.CircleMembershipQuery](CircleMembershipRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, denyBanned, allowAdmins,
			privacy.CircleMembershipMutationRuleFunc(membershipMutation),
		},
	}
}

func membershipMutation(ctx context.Context, m *ent.CircleMembershipMutation) error {
	v := viewerOf(ctx)
	circleID, memberID, err := membershipTarget(ctx, m)
	if err != nil {
		return err
	}
	if v.ModeratesCircle(circleID) {
		return privacy.Allow
	}
	self := memberID == v.MemberID
	switch {
	case self && m.Op().Is(ent.OpDeleteOne):
		return privacy.Allow // leaving
	case self && m.Op().Is(ent.OpCreate):
		role, _ := m.Role()
		open, err := m.Client().Circle.Query().
			Where(circle.ID(circleID), circle.VisibilityEQ(circle.VisibilityOPEN)).Exist(System(ctx))
		if err != nil {
			return err
		}
		if open && role != circlemembership.RoleMODERATOR {
			return privacy.Allow // joining an open circle
		}
	}
	return privacy.Denyf("only admins and the circle's moderators manage its members")
}

// membershipTarget finds the circle and member a membership mutation is about.
func membershipTarget(ctx context.Context, m *ent.CircleMembershipMutation) (circleID, memberID gid.ID, err error) {
	if m.Op().Is(ent.OpCreate) {
		circleID, _ = m.CircleID()
		memberID, _ = m.MemberID()
		return circleID, memberID, nil
	}
	id, ok := m.ID()
	if !ok {
		return "", "", privacy.Denyf("bulk changes of memberships are not allowed")
	}
	ms, err := m.Client().CircleMembership.Query().Where(circlemembership.ID(id)).
		WithCircle().WithMember().Only(System(ctx))
	if err != nil {
		return "", "", err
	}
	return ms.Edges.Circle.ID, ms.Edges.Member.ID, nil
}
