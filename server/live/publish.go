package live

import (
	"context"
	"time"

	"zirkel/ent/schema/gid"
)

// MemberTyping announces that a member types in a discussion, for TypingTTL.
func (h *Hub) MemberTyping(ctx context.Context, discussionID, memberID gid.ID) time.Time {
	until := time.Now().Add(h.cfg.TypingTTL)
	h.publish(ctx, discussionSubject(discussionID), notice{Kind: kindTyping, DiscussionID: discussionID, MemberID: memberID, Until: until.UnixMilli()})
	return until
}
