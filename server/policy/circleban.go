package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circleban"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/circlemembership"
	"zirkel/ent/discussion"
	"zirkel/ent/hook"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// Bans. A circle's moderators (and admins) ban a member from the circle with a reason: the
// ban ends the membership and declines pending requests to join (EndMembershipOnBan); while
// it lasts the member cannot join or be added, ask to join, start discussions or post in the
// circle (denyBanned in the policies of those types). A circle's moderators do not ban one
// another (admins do). Lifting the ban (deleting it) lets them ask again.

// CircleBanRows: the banned member reads their bans, the circle's moderators the circle's,
// admins all.
func CircleBanRows(v *viewer.Viewer) predicate.CircleBan {
	switch {
	case v == nil:
		return none[predicate.CircleBan]()
	case v.IsAdmin():
		return nil
	}
	return circleban.Or(
		circleban.HasMemberWith(member.ID(v.MemberID)),
		circleban.HasCircleWith(circle.IDIn(moderatedCircles(v)...)),
	)
}

// CircleBan: see CircleBanRows and above.
func CircleBan() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.CircleBanQuery](CircleBanRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, privacy.CircleBanMutationRuleFunc(banMutation)},
	}
}

func banMutation(ctx context.Context, m *ent.CircleBanMutation) error {
	v := viewerOf(ctx)
	if m.Op().Is(ent.OpCreate) {
		circleID, _ := m.CircleID()
		memberID, _ := m.MemberID()
		if by, _ := m.BannedByID(); by != v.MemberID {
			return privacy.Denyf("moderators ban in their own name")
		}
		if memberID == v.MemberID {
			return privacy.Denyf("moderators do not ban themselves")
		}
		if v.IsAdmin() {
			return privacy.Allow
		}
		if !v.ModeratesCircle(circleID) {
			return privacy.Denyf("only the circle's moderators and admins ban members from it")
		}
		fellow, err := m.Client().CircleMembership.Query().Where(circlemembership.HasCircleWith(circle.ID(circleID)),
			circlemembership.HasMemberWith(member.ID(memberID)), circlemembership.RoleEQ(circlemembership.RoleMODERATOR)).Exist(System(ctx))
		if err != nil {
			return err
		}
		if fellow {
			return privacy.Denyf("only admins ban a moderator of the circle")
		}
		return privacy.Allow
	}
	id, ok := m.ID()
	if !ok || !m.Op().Is(ent.OpDeleteOne) {
		return privacy.Denyf("bans are lifted one at a time and not changed")
	}
	circleID, err := m.Client().CircleBan.Query().Where(circleban.ID(id)).QueryCircle().OnlyID(System(ctx))
	if err != nil {
		return err
	}
	if v.IsAdmin() || v.ModeratesCircle(circleID) {
		return privacy.Allow
	}
	return privacy.Denyf("only the circle's moderators and admins lift bans")
}

// EndMembershipOnBan ends the banned member's membership of the circle and declines their
// pending requests to join it, with the ban's reason, in the ban's transaction and with the
// moderator's rights.
func EndMembershipOnBan(next ent.Mutator) ent.Mutator {
	return hook.CircleBanFunc(func(ctx context.Context, m *ent.CircleBanMutation) (ent.Value, error) {
		circleID, _ := m.CircleID()
		memberID, _ := m.MemberID()
		reason, _ := m.Reason()
		value, err := next.Mutate(ctx, m)
		if err != nil || !m.Op().Is(ent.OpCreate) {
			return value, err
		}
		c := m.Client()
		memberships, err := c.CircleMembership.Query().Where(circlemembership.HasCircleWith(circle.ID(circleID)),
			circlemembership.HasMemberWith(member.ID(memberID))).IDs(System(ctx))
		if err != nil {
			return nil, err
		}
		for _, id := range memberships {
			if err := c.CircleMembership.DeleteOneID(id).Exec(ctx); err != nil {
				return nil, err
			}
		}
		pending, err := c.CircleJoinRequest.Query().Where(circlejoinrequest.HasCircleWith(circle.ID(circleID)),
			circlejoinrequest.HasMemberWith(member.ID(memberID)), circlejoinrequest.StatusEQ(circlejoinrequest.StatusPENDING)).IDs(System(ctx))
		if err != nil {
			return nil, err
		}
		for _, id := range pending {
			if err := c.CircleJoinRequest.UpdateOneID(id).SetStatus(circlejoinrequest.StatusDECLINED).SetReason(reason).Exec(ctx); err != nil {
				return nil, err
			}
		}
		return value, nil
	})
}

// Banned tells whether the member is banned from the circle.
func Banned(ctx context.Context, c *ent.Client, circleID, memberID gid.ID) (bool, error) {
	if circleID == "" || memberID == "" {
		return false, nil
	}
	return c.CircleBan.Query().Where(circleban.HasCircleWith(circle.ID(circleID)),
		circleban.HasMemberWith(member.ID(memberID))).Exist(System(ctx))
}

// denyBanned refuses, to everyone, the mutations that would let a banned member into their
// circle or write there: a membership, a request to join, a discussion or a message.
var denyBanned = privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
	if !m.Op().Is(ent.OpCreate) {
		return privacy.Skip
	}
	var circleID, memberID gid.ID
	var c *ent.Client
	switch m := m.(type) {
	case *ent.CircleMembershipMutation:
		circleID, _ = m.CircleID()
		memberID, _ = m.MemberID()
		c = m.Client()
	case *ent.CircleJoinRequestMutation:
		circleID, _ = m.CircleID()
		memberID, _ = m.MemberID()
		c = m.Client()
	case *ent.DiscussionMutation:
		circleID, _ = m.CircleID()
		memberID, _ = m.AuthorID()
		c = m.Client()
	case *ent.MessageMutation:
		memberID, _ = m.AuthorID()
		c = m.Client()
		discussionID, _ := m.DiscussionID()
		id, err := c.Discussion.Query().Where(discussion.ID(discussionID)).QueryCircle().OnlyID(System(ctx))
		switch {
		case ent.IsNotFound(err):
			return privacy.Skip // outside circles (or no such discussion: the message rule says so)
		case err != nil:
			return err
		}
		circleID = id
	default:
		return privacy.Skip
	}
	banned, err := Banned(ctx, c, circleID, memberID)
	if err != nil {
		return err
	}
	if banned {
		return privacy.Denyf("the member is banned from this circle")
	}
	return privacy.Skip
})
