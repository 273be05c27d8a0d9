package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/reaction"
	"zirkel/server/viewer"
)

// ReactionRows matches the reactions on messages the viewer may see.
func ReactionRows(v *viewer.Viewer) predicate.Reaction {
	return reaction.HasMessageWith(MessageVisible(v))
}

// Reaction: members react, as themselves, to messages they can see; reactions are read only
// through the counts on messages.
func Reaction() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.ReactionQuery](ReactionRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, privacy.ReactionMutationRuleFunc(func(ctx context.Context, m *ent.ReactionMutation) error {
			if m.Op().Is(ent.OpCreate) {
				memberID, _ := m.MemberID()
				if memberID == viewerOf(ctx).MemberID {
					return privacy.Allow
				}
				return privacy.Denyf("members react as themselves")
			}
			// Removal is limited to the viewer's own reactions, whatever the caller asked.
			m.Where(reaction.HasMemberWith(member.ID(viewerOf(ctx).MemberID)))
			return privacy.Allow
		})},
	}
}
