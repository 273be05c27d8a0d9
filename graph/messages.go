package graph

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/discussion"
	"zirkel/ent/message"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
	"zirkel/server/viewer"
)

// postMessage appends a message to a discussion the viewer can see. Its position, and that
// the discussion is open and a reply's parent in the same discussion, are the message's
// integrity (server/integrity/message.go).
func postMessage(ctx context.Context, c *ent.Client, input model.PostMessageInput) (*ent.Message, error) {
	d, err := c.Discussion.Query().Where(discussion.ID(input.DiscussionID)).Only(ctx)
	if err != nil {
		return nil, notFoundAs("discussionID", err)
	}
	m, err := c.Message.Create().
		SetDiscussionID(d.ID).
		SetAuthorID(viewer.FromContext(ctx).MemberID).
		SetNillableParentID(input.ParentID).
		SetBody(input.Body).
		Save(ctx)
	return m, err
}

// findMessage loads a message the viewer can see, with its discussion.
func findMessage(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Message, error) {
	m, err := c.Message.Query().Where(message.ID(id)).WithDiscussion().Only(ctx)
	return m, notFoundAs("id", err)
}

// editMessage replaces the text of a message (not of a deleted one: see
// server/integrity/message.go).
func editMessage(ctx context.Context, c *ent.Client, id gid.ID, body string) (*ent.Message, error) {
	m, err := findMessage(ctx, c, id)
	if err != nil {
		return nil, err
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
