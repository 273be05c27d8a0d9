package integrity

import (
	"context"
	"strings"
	"time"

	"zirkel/ent"
	"zirkel/ent/discussion"
	"zirkel/ent/hook"
	"zirkel/ent/message"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// Message is the integrity of messages, declared in ent/schema/message.go: bodies are not
// blank, a new message goes into an open discussion, replies to a message of the same
// discussion and takes the next position; a deleted message keeps no text and is not edited
// again; reaction counts are kept by the server (see Reaction).
func Message() []ent.Hook {
	return []ent.Hook{messageBody, messagePosition, messageEdit, moderationReason}
}

// messageBody refuses blank messages; only deletion empties a body.
func messageBody(next ent.Mutator) ent.Mutator {
	return hook.MessageFunc(func(ctx context.Context, m *ent.MessageMutation) (ent.Value, error) {
		body, setsBody := m.Body()
		_, deletes := m.DeletedAt()
		if setsBody && !deletes && strings.TrimSpace(body) == "" {
			return nil, apperr.Invalid("body", "must not be blank")
		}
		return next.Mutate(ctx, m)
	})
}

// messagePosition numbers a new message: the discussion's counter is raised first, which
// writes (on PostgreSQL: locks) the discussion's row, so concurrent posters are numbered one
// after the other and positions are gapless and unique. A locked discussion takes no new
// messages, and a reply's parent must be a message of the same discussion. Trusted code that
// gives the position itself imports history (the demo) and keeps the counter itself.
func messagePosition(next ent.Mutator) ent.Mutator {
	return hook.MessageFunc(func(ctx context.Context, m *ent.MessageMutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			return next.Mutate(ctx, m)
		}
		if _, given := m.Position(); given && trusted(ctx) {
			return next.Mutate(ctx, m)
		}
		sys := policy.System(ctx)
		discussionID, _ := m.DiscussionID()
		d, err := m.Client().Discussion.Get(sys, discussionID)
		if err != nil {
			return nil, err
		}
		if d.Status == discussion.StatusLOCKED {
			return nil, apperr.Forbidden("the discussion is locked")
		}
		if parentID, ok := m.ParentID(); ok {
			inThread, err := m.Client().Message.Query().
				Where(message.ID(parentID), message.HasDiscussionWith(discussion.ID(d.ID))).Exist(sys)
			if err != nil {
				return nil, err
			}
			if !inThread {
				return nil, apperr.Invalid("parentID", "is not a message of this discussion")
			}
		}
		now := time.Now()
		counted, err := m.Client().Discussion.UpdateOneID(d.ID).AddMessageCount(1).SetLastMessageAt(now).Save(sys)
		if err != nil {
			return nil, err
		}
		if counted.Status == discussion.StatusLOCKED { // locked while we waited for the row
			return nil, apperr.Forbidden("the discussion is locked")
		}
		m.SetPosition(counted.MessageCount)
		m.SetCreatedAt(now)
		return next.Mutate(ctx, m)
	})
}

// messageEdit keeps deletion final: a deleted message keeps no text, is not edited and is not
// restored; and only trusted code writes reaction counts.
func messageEdit(next ent.Mutator) ent.Mutator {
	return hook.MessageFunc(func(ctx context.Context, m *ent.MessageMutation) (ent.Value, error) {
		if _, sets := m.ReactionCounts(); (sets || m.ReactionCountsCleared()) && !trusted(ctx) {
			return nil, apperr.Forbidden("reaction counts are kept by the server")
		}
		if _, deletes := m.DeletedAt(); deletes {
			m.SetBody("")
		}
		if !m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
			return next.Mutate(ctx, m)
		}
		if !m.Op().Is(ent.OpUpdateOne) {
			if _, setsBody := m.Body(); (setsBody || m.DeletedAtCleared()) && !trusted(ctx) {
				return nil, apperr.Forbidden("messages are edited one at a time")
			}
			return next.Mutate(ctx, m)
		}
		_, setsBody := m.Body()
		_, deletes := m.DeletedAt()
		if (setsBody && !deletes) || m.DeletedAtCleared() {
			old, err := m.OldDeletedAt(policy.System(ctx))
			if err != nil {
				return nil, err
			}
			if old != nil {
				return nil, apperr.Invalid("id", "the message was deleted")
			}
		}
		return next.Mutate(ctx, m)
	})
}
