package graph

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/reaction"
	"zirkel/ent/schema"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
	"zirkel/server/policy"
)

// react adds or removes the viewer's reaction and recounts the message's reactions. The
// message row is written first, which locks it (PostgreSQL; SQLite's transaction holds the
// database), so that concurrent reactions count right.
func react(ctx context.Context, c *ent.Client, messageID gid.ID, kind reaction.Kind, active bool) (*ent.Message, gid.ID, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, "", err
	}
	m, err := c.Message.Query().Where(message.ID(messageID)).WithDiscussion().Only(ctx)
	if err != nil {
		return nil, "", notFoundAs("messageID", err)
	}
	sys := policy.System(ctx)
	if err := c.Message.UpdateOne(m).SetUpdatedAt(time.Now()).Exec(sys); err != nil {
		return nil, "", err
	}
	mine := c.Reaction.Query().Where(reaction.HasMessageWith(message.ID(m.ID)), reaction.HasMemberWith(member.ID(v.MemberID)), reaction.KindEQ(kind))
	exists, err := mine.Exist(ctx)
	switch {
	case err != nil:
		return nil, "", err
	case active && !exists:
		err = c.Reaction.Create().SetMessageID(m.ID).SetMemberID(v.MemberID).SetKind(kind).Exec(ctx)
	case !active && exists:
		_, err = c.Reaction.Delete().Where(reaction.HasMessageWith(message.ID(m.ID)),
			reaction.HasMemberWith(member.ID(v.MemberID)), reaction.KindEQ(kind)).Exec(ctx)
	}
	if err != nil {
		return nil, "", err
	}
	var rows []struct {
		Kind  reaction.Kind `json:"kind"`
		Count int           `json:"count"`
	}
	if err := c.Reaction.Query().Where(reaction.HasMessageWith(message.ID(m.ID))).
		GroupBy(reaction.FieldKind).Aggregate(ent.Count()).Scan(sys, &rows); err != nil {
		return nil, "", err
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[string(r.Kind)] = r.Count
	}
	// The counts are bookkeeping, not an edit of someone's message.
	updated, err := c.Message.UpdateOne(m).SetReactionCounts(counts).Save(sys)
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
