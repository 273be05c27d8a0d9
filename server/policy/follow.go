package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/follow"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// FollowTargets maps a follow's target type onto the ent type of the followed thing.
var FollowTargets = map[follow.TargetType]string{
	follow.TargetTypeTOPIC: "Topic", follow.TargetTypeCIRCLE: "Circle", follow.TargetTypeDISCUSSION: "Discussion",
	follow.TargetTypeMEMBER: "Member", follow.TargetTypeORGANISATION: "Organisation",
}

// FollowRows: a member reads only their own follows; admins read all (who follows a topic is
// otherwise a count only, see notify.FollowerCount).
func FollowRows(v *viewer.Viewer) predicate.Follow {
	switch {
	case v == nil:
		return none[predicate.Follow]()
	case v.IsAdmin():
		return nil
	}
	return follow.HasMemberWith(member.ID(v.MemberID))
}

// Follow: see FollowRows. Members follow, as themselves, only what they may read, and change
// or end only their own follows. (Automatic follows are written by server/notify under System.)
func Follow() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.FollowQuery](FollowRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, privacy.FollowMutationRuleFunc(followMutation)},
	}
}

func followMutation(ctx context.Context, m *ent.FollowMutation) error {
	v := viewerOf(ctx)
	if m.Op().Is(ent.OpCreate) {
		memberID, _ := m.MemberID()
		targetType, _ := m.TargetType()
		targetID, _ := m.TargetID()
		if memberID != v.MemberID {
			return privacy.Denyf("members follow only as themselves")
		}
		typeName, ok := FollowTargets[targetType]
		if !ok {
			return privacy.Denyf("unknown follow target")
		}
		// Queried with the viewer's rights: only what they may read can be followed.
		seen, err := Readable(ctx, m.Client(), typeName, []gid.ID{targetID})
		if err != nil {
			return err
		}
		if !seen[targetID] {
			return privacy.Denyf("members follow only what they may read")
		}
		return privacy.Allow
	}
	id, ok := m.ID()
	if !ok {
		return privacy.Denyf("follows are changed one at a time")
	}
	own, err := m.Client().Follow.Query().Where(follow.ID(id), follow.HasMemberWith(member.ID(v.MemberID))).Exist(System(ctx))
	if err != nil {
		return err
	}
	if own {
		return privacy.Allow
	}
	return privacy.Denyf("members change only their own follows")
}
