package live

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
)

// afterCommit runs f once the request's transaction has committed (never for a rollback), or
// at once when there is no transaction: subscribers must never see what was rolled back.
func afterCommit(ctx context.Context, f func()) {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		f()
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			if err == nil {
				f()
			}
			return err
		})
	})
}

// MessagePosted announces a new message (after commit) to its discussion's subscribers and
// to those following the discussion's topics or circle.
func (h *Hub) MessagePosted(ctx context.Context, m *ent.Message, discussionID, circleID gid.ID, topicIDs []gid.ID) {
	afterCommit(ctx, func() {
		bg := context.WithoutCancel(ctx)
		h.publish(bg, discussionSubject(discussionID), notice{Kind: kindAdded, DiscussionID: discussionID, MessageID: m.ID, Position: m.Position})
		h.publish(bg, subjectActivity, notice{Kind: kindPosted, DiscussionID: discussionID, CircleID: circleID, TopicIDs: topicIDs})
	})
}

// MessageChanged announces an edit, deletion or reaction (after commit).
func (h *Hub) MessageChanged(ctx context.Context, messageID, discussionID gid.ID) {
	afterCommit(ctx, func() {
		h.publish(context.WithoutCancel(ctx), discussionSubject(discussionID), notice{Kind: kindUpdated, DiscussionID: discussionID, MessageID: messageID})
	})
}

// DiscussionStarted announces a new discussion (after commit).
func (h *Hub) DiscussionStarted(ctx context.Context, discussionID, circleID gid.ID, topicIDs []gid.ID) {
	afterCommit(ctx, func() {
		h.publish(context.WithoutCancel(ctx), subjectActivity, notice{Kind: kindStarted, DiscussionID: discussionID, CircleID: circleID, TopicIDs: topicIDs})
	})
}

// MemberTyping announces that a member types in a discussion, for TypingTTL.
func (h *Hub) MemberTyping(ctx context.Context, discussionID, memberID gid.ID) time.Time {
	until := time.Now().Add(h.cfg.TypingTTL)
	h.publish(ctx, discussionSubject(discussionID), notice{Kind: kindTyping, DiscussionID: discussionID, MemberID: memberID, Until: until.UnixMilli()})
	return until
}

// AccessChanged tells every replica (after commit) to reload the member's rights, so that
// subscriptions they may no longer see end.
func (h *Hub) AccessChanged(ctx context.Context, memberID gid.ID) {
	afterCommit(ctx, func() {
		h.publish(context.WithoutCancel(ctx), subjectAccess, notice{Kind: kindAccess, MemberID: memberID})
	})
}

// SessionsEnded tells every replica that sessions of a member ended (one, or all when
// sessionID is empty); their websockets close with 4401.
func (h *Hub) SessionsEnded(ctx context.Context, memberID, sessionID gid.ID) {
	afterCommit(ctx, func() {
		h.publish(context.WithoutCancel(ctx), subjectAccess, notice{Kind: kindEnded, MemberID: memberID, SessionID: sessionID})
	})
}
