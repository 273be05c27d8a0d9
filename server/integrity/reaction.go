package integrity

import (
	"context"
	"slices"
	"time"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/message"
	"zirkel/ent/reaction"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// Reaction is the integrity of reactions, declared in ent/schema/reaction.go: a message's
// reaction counts (Message.reaction_counts) follow every reaction that is added or removed.
func Reaction() []ent.Hook { return []ent.Hook{countReactions} }

// countReactions recounts the reactions of the messages a mutation touches. Each message's
// row is written first, which locks it on PostgreSQL (SQLite's transaction holds the whole
// database), so that concurrent reactions are counted one after the other.
func countReactions(next ent.Mutator) ent.Mutator {
	return hook.ReactionFunc(func(ctx context.Context, m *ent.ReactionMutation) (ent.Value, error) {
		sys := policy.System(ctx)
		var messages []gid.ID
		switch {
		case m.Op().Is(ent.OpCreate):
			id, _ := m.MessageID()
			messages = []gid.ID{id}
		case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
			ids, err := m.IDs(sys) // as the policy narrowed them
			if err != nil {
				return nil, err
			}
			if len(ids) == 0 {
				return next.Mutate(ctx, m)
			}
			if messages, err = m.Client().Message.Query().Where(message.HasReactionsWith(reaction.IDIn(ids...))).IDs(sys); err != nil {
				return nil, err
			}
		default:
			return next.Mutate(ctx, m) // a reaction's message, member and kind never change
		}
		slices.Sort(messages) // one lock order for every writer
		now := time.Now()
		for _, id := range messages {
			if err := m.Client().Message.UpdateOneID(id).SetUpdatedAt(now).Exec(sys); err != nil {
				return nil, err
			}
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		for _, id := range messages {
			if err := recountReactions(sys, m.Client(), id); err != nil {
				return nil, err
			}
		}
		return v, nil
	})
}

// recountReactions stores a message's reaction counts by kind.
func recountReactions(sys context.Context, c *ent.Client, messageID gid.ID) error {
	var rows []struct {
		Kind  reaction.Kind `json:"kind"`
		Count int           `json:"count"`
	}
	if err := c.Reaction.Query().Where(reaction.HasMessageWith(message.ID(messageID))).
		GroupBy(reaction.FieldKind).Aggregate(ent.Count()).Scan(sys, &rows); err != nil {
		return err
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[string(r.Kind)] = r.Count
	}
	return c.Message.UpdateOneID(messageID).SetReactionCounts(counts).Exec(sys)
}
