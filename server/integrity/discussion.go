package integrity

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/server/apperr"
)

// Discussion is the integrity of discussions, declared in ent/schema/discussion.go: the
// message counter and the time of the last message are kept by the server (see Message).
func Discussion() []ent.Hook { return []ent.Hook{discussionCounters, moderationReason} }

// discussionCounters leaves message_count and last_message_at to the server: the next
// message's position follows from the counter.
func discussionCounters(next ent.Mutator) ent.Mutator {
	return hook.DiscussionFunc(func(ctx context.Context, m *ent.DiscussionMutation) (ent.Value, error) {
		if trusted(ctx) {
			return next.Mutate(ctx, m)
		}
		_, addsCount := m.AddedMessageCount()
		count, setsCount := m.MessageCount()
		_, setsLast := m.LastMessageAt()
		fresh := m.Op().Is(ent.OpCreate) && (!setsCount || count == 0) // the default
		if addsCount || setsCount && !fresh || setsLast || m.LastMessageAtCleared() {
			return nil, apperr.Forbidden("message counts are kept by the server")
		}
		return next.Mutate(ctx, m)
	})
}
