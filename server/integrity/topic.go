package integrity

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/schema/gid"
	"zirkel/ent/topic"
)

// Topic is the integrity of topics, declared in ent/schema/topic.go: no topic is its own
// ancestor.
func Topic() []ent.Hook { return []ent.Hook{topicParent} }

// topicParent refuses a topic that is its own ancestor.
func topicParent(next ent.Mutator) ent.Mutator {
	return hook.TopicFunc(func(ctx context.Context, m *ent.TopicMutation) (ent.Value, error) {
		err := noCycle(ctx, m, func(ctx context.Context, at gid.ID) (gid.ID, error) {
			return m.Client().Topic.Query().Where(topic.HasChildrenWith(topic.ID(at))).OnlyID(ctx)
		})
		if err != nil {
			return nil, err
		}
		return next.Mutate(ctx, m)
	})
}
