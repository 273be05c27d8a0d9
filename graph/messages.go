package graph

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/discussion"
	"zirkel/ent/message"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// postMessage appends a message to an open discussion. The discussion's counter is raised in the
// same transaction, which serialises concurrent posters on the discussion row, so positions are
// gapless and unique.
func postMessage(ctx context.Context, c *ent.Client, input model.PostMessageInput) (*ent.Message, error) {
	d, err := c.Discussion.Query().Where(discussion.ID(input.DiscussionID)).Only(ctx)
	if err != nil {
		return nil, notFoundAs("discussionID", err)
	}
	if d.Status == discussion.StatusLOCKED {
		return nil, apperr.Forbidden("the discussion is locked")
	}
	if input.ParentID != nil {
		inThread, err := c.Message.Query().
			Where(message.ID(*input.ParentID), message.HasDiscussionWith(discussion.ID(d.ID))).
			Exist(ctx)
		if err != nil {
			return nil, err
		}
		if !inThread {
			return nil, apperr.Invalid("parentID", "is not a message of this discussion")
		}
	}
	now := time.Now()
	// The counter is server bookkeeping, not an edit of the discussion by the poster.
	counted, err := c.Discussion.UpdateOneID(d.ID).AddMessageCount(1).SetLastMessageAt(now).Save(policy.System(ctx))
	if err != nil {
		return nil, err
	}
	d.MessageCount = counted.MessageCount
	m, err := c.Message.Create().
		SetDiscussionID(d.ID).
		SetAuthorID(viewer.FromContext(ctx).MemberID).
		SetNillableParentID(input.ParentID).
		SetBody(input.Body).
		SetPosition(d.MessageCount).
		SetCreatedAt(now).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// findMessage loads a message the viewer can see, with its discussion.
func findMessage(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Message, error) {
	m, err := c.Message.Query().Where(message.ID(id)).WithDiscussion().Only(ctx)
	return m, notFoundAs("id", err)
}

// editMessage replaces the text of a message that has not been deleted.
func editMessage(ctx context.Context, c *ent.Client, id gid.ID, body string) (*ent.Message, error) {
	m, err := findMessage(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if m.DeletedAt != nil {
		return nil, apperr.Invalid("id", "the message was deleted")
	}
	return keepDiscussion(m)(m.Update().SetBody(body).SetEditedAt(time.Now()).Save(ctx))
}

// deleteMessage removes the text of a message; it keeps its position and its replies.
func deleteMessage(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Message, error) {
	m, err := findMessage(ctx, c, id)
	if err != nil {
		return nil, err
	}
	deletedAt := time.Now()
	if m.DeletedAt != nil {
		deletedAt = *m.DeletedAt // deleting again changes nothing, but is still checked
	}
	return keepDiscussion(m)(m.Update().SetBody("").SetDeletedAt(deletedAt).Save(ctx))
}

// keepDiscussion carries the loaded discussion over to the updated message.
func keepDiscussion(old *ent.Message) func(*ent.Message, error) (*ent.Message, error) {
	return func(m *ent.Message, err error) (*ent.Message, error) {
		if m != nil {
			m.Edges.Discussion = old.Edges.Discussion
		}
		return m, err
	}
}
