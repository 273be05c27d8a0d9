// Package live delivers discussions as they happen: new messages, edits, reactions, activity,
// typing and presence, to websocket subscribers on every replica. Events travel between
// replicas through a pubsub.Broker as small notices (ids and positions); each replica loads a
// payload once and hands it to all its subscribers, checking each one's access in memory.
package live

import (
	"time"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
)

// MessageEvent is a message delivered live; Err is set when the subscriber lost access.
type MessageEvent struct {
	Cursor int
	Msg    *ent.Message
	Err    error
}

// Message is the message, or the reason the subscriber may no longer see it. (A method, not
// a resolver: gqlgen then renders it inline instead of in a goroutine per subscriber.)
func (e *MessageEvent) Message() (*ent.Message, error) { return e.Msg, e.Err }

// ActivityKind says what happened in a discussion.
type ActivityKind string

// Activity kinds.
const (
	ActivityDiscussionStarted ActivityKind = "DISCUSSION_STARTED"
	ActivityMessagePosted     ActivityKind = "MESSAGE_POSTED"
)

// IsValid reports whether the kind is known (gqlgen enum binding).
func (k ActivityKind) IsValid() bool {
	return k == ActivityDiscussionStarted || k == ActivityMessagePosted
}

// ActivityEvent is activity in a discussion; Err is set when the subscriber lost access.
type ActivityEvent struct {
	Kind ActivityKind
	D    *ent.Discussion
	Err  error
}

// Discussion is the discussion, or the reason the subscriber may no longer see it.
func (e *ActivityEvent) Discussion() (*ent.Discussion, error) { return e.D, e.Err }

// TypingEvent says that a member is typing until ExpiresAt.
type TypingEvent struct {
	Member    *ent.Member
	ExpiresAt time.Time
}

// notice is what travels through the broker.
type notice struct {
	Kind         string   `json:"k"`
	DiscussionID gid.ID   `json:"d,omitempty"`
	MessageID    gid.ID   `json:"m,omitempty"`
	Position     int      `json:"p,omitempty"`
	MemberID     gid.ID   `json:"u,omitempty"`
	MemberIDs    []gid.ID `json:"us,omitempty"`
	SessionID    gid.ID   `json:"s,omitempty"`
	CircleID     gid.ID   `json:"c,omitempty"`
	TopicIDs     []gid.ID `json:"t,omitempty"`
	Until        int64    `json:"x,omitempty"` // unix milliseconds
}

// Notice kinds.
const (
	kindAdded    = "added"
	kindUpdated  = "updated"
	kindTyping   = "typing"
	kindPresence = "presence"
	kindStarted  = "started"
	kindPosted   = "posted"
	kindAccess   = "access" // a member's rights changed: reload their viewer
	kindEnded    = "ended"  // a session ended
)

// Subjects.
const (
	subjectDiscussionPrefix = "zirkel.discussion."
	subjectActivity         = "zirkel.activity"
	subjectAccess           = "zirkel.access"
)

func discussionSubject(id gid.ID) string { return subjectDiscussionPrefix + string(id) }
