package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/discussion"
	"zirkel/ent/message"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// MessageRows matches the messages the viewer may see: see MessageVisible.
func MessageRows(v *viewer.Viewer) predicate.Message { return MessageVisible(v) }

// Message: see MessageRows. Members post as themselves into discussions they can see;
// authors edit and delete their messages; platform moderators and the circle's moderators
// delete (never edit) others' messages.
func Message() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.MessageQuery](MessageRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, denyBanned, denyModerationByOthers, privacy.MessageMutationRuleFunc(messageMutation)},
	}
}

func messageMutation(ctx context.Context, m *ent.MessageMutation) error {
	v := viewerOf(ctx)
	if m.Op().Is(ent.OpCreate) {
		author, _ := m.AuthorID()
		discussionID, _ := m.DiscussionID()
		if author != v.MemberID {
			return privacy.Denyf("the author must be the viewer")
		}
		// Queried with the viewer's rights: only a visible discussion is found.
		visible, err := m.Client().Discussion.Query().Where(discussion.ID(discussionID)).Exist(ctx)
		if err != nil || !visible {
			return privacy.Denyf("the discussion is not open to the viewer")
		}
		return privacy.Allow
	}
	id, ok := m.ID()
	if !ok || !m.Op().Is(ent.OpUpdateOne) {
		return privacy.Denyf("messages are changed one at a time")
	}
	msg, err := m.Client().Message.Query().Where(message.ID(id)).
		WithAuthor().WithDiscussion(func(q *ent.DiscussionQuery) { q.WithCircle() }).Only(System(ctx))
	if err != nil {
		return err
	}
	if msg.Edges.Author.ID == v.MemberID {
		return privacy.Allow
	}
	_, deletes := m.DeletedAt()
	circle := msg.Edges.Discussion.Edges.Circle
	if deletes && (v.IsModerator() || (circle != nil && v.ModeratesCircle(circle.ID))) {
		return privacy.Allow
	}
	return privacy.Denyf("only the author edits a message; moderators may delete it")
}
