package policy

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circlemembership"
	"zirkel/ent/discussion"
	"zirkel/ent/member"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
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

// DiscussionRows matches the discussions the viewer may see: see DiscussionVisible.
func DiscussionRows(v *viewer.Viewer) predicate.Discussion { return DiscussionVisible(v) }

// Discussion: see DiscussionRows. Members start discussions outside circles and in circles
// open to them; vendors only in circles they belong to. Authors, platform moderators and the
// circle's moderators change a discussion.
func Discussion() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.DiscussionQuery](DiscussionRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, denyBanned,
			privacy.DiscussionMutationRuleFunc(func(ctx context.Context, m *ent.DiscussionMutation) error {
				circleID, inCircle := m.CircleID()
				if !m.Op().Is(ent.OpCreate) || !inCircle {
					return privacy.Skip
				}
				return writeInCircle(ctx, m.Client(), circleID)
			}),
			denyModerationByOthers, allowAdmins,
			privacy.DiscussionMutationRuleFunc(discussionMutation),
		},
	}
}

// writeInCircle lets a viewer write in a circle they belong to and, unless they speak for a
// vendor, in an OPEN one; everyone else, admins included, is refused: admins act in circles
// they are not in through moderation, not as members.
func writeInCircle(ctx context.Context, c *ent.Client, circleID gid.ID) error {
	v := viewerOf(ctx)
	if v.InCircle(circleID) {
		return privacy.Skip
	}
	if !v.IsVendor() {
		open, err := c.Circle.Query().Where(circle.ID(circleID), circle.VisibilityEQ(circle.VisibilityOPEN)).Exist(System(ctx))
		if err != nil {
			return err
		}
		if open {
			return privacy.Skip
		}
	}
	return privacy.Denyf("writing in a circle needs membership")
}

func discussionMutation(ctx context.Context, m *ent.DiscussionMutation) error {
	v := viewerOf(ctx)
	if m.Op().Is(ent.OpCreate) {
		author, _ := m.AuthorID()
		circleID, inCircle := m.CircleID()
		switch {
		case author != v.MemberID:
			return privacy.Denyf("the author must be the viewer")
		case inCircle && v.InCircle(circleID):
			return privacy.Allow
		case v.IsVendor():
			return privacy.Denyf("vendors start discussions only in circles that invited them")
		case !inCircle:
			return privacy.Allow
		}
		open, err := m.Client().Circle.Query().Where(circle.ID(circleID), circleOpenTo(v)).Exist(System(ctx))
		if err != nil || !open {
			return privacy.Denyf("the circle is closed to the viewer")
		}
		return privacy.Allow
	}
	id, ok := m.ID()
	if !ok || m.Op().Is(ent.OpDeleteOne) {
		return privacy.Denyf("discussions are locked, not deleted")
	}
	d, err := m.Client().Discussion.Query().Where(discussion.ID(id)).WithAuthor().WithCircle().Only(System(ctx))
	if err != nil {
		return err
	}
	if v.IsModerator() || d.Edges.Author.ID == v.MemberID ||
		(d.Edges.Circle != nil && v.ModeratesCircle(d.Edges.Circle.ID)) {
		return privacy.Allow
	}
	return privacy.Denyf("only the author and moderators change a discussion")
}
