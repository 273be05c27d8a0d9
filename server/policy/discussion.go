package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

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
