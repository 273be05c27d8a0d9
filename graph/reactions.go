package graph

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/predicate"
	"zirkel/ent/reaction"
	"zirkel/ent/schema"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
)

// react adds or removes the viewer's reaction; the message's counts follow
// (server/integrity/reaction.go).
func react(ctx context.Context, c *ent.Client, messageID gid.ID, kind reaction.Kind, active bool) (*ent.Message, gid.ID, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, "", err
	}
	m, err := c.Message.Query().Where(message.ID(messageID)).WithDiscussion().Only(ctx)
	if err != nil {
		return nil, "", notFoundAs("messageID", err)
	}
	mine := []predicate.Reaction{reaction.HasMessageWith(message.ID(m.ID)), reaction.HasMemberWith(member.ID(v.MemberID)), reaction.KindEQ(kind)}
	exists, err := c.Reaction.Query().Where(mine...).Exist(ctx)
	switch {
	case err != nil:
		return nil, "", err
	case active && !exists:
		err = c.Reaction.Create().SetMessageID(m.ID).SetMemberID(v.MemberID).SetKind(kind).Exec(ctx)
	case !active && exists:
		_, err = c.Reaction.Delete().Where(mine...).Exec(ctx)
	}
	if err != nil {
		return nil, "", err
	}
	updated, err := c.Message.Get(ctx, m.ID)
	if err != nil {
		return nil, "", err
	}
	return updated, m.Edges.Discussion.ID, nil
}

// reactionCounts lists a message's reactions in the order the kinds are offered.
func reactionCounts(m *ent.Message) []*model.ReactionCount {
	out := []*model.ReactionCount{}
	for _, k := range schema.ReactionKinds {
		if n := m.ReactionCounts[k]; n > 0 {
			out = append(out, &model.ReactionCount{Kind: reaction.Kind(k), Count: n})
		}
	}
	return out
}
