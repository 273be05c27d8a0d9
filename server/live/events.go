// Package live delivers discussions as they happen: new messages, edits, reactions, activity,
// typing and presence, to websocket subscribers on every replica. Events travel between
// replicas through a pubsub.Broker as small notices (ids and positions); each replica loads a
// payload once and hands it to all its subscribers, checking each one's access in memory.
package live

import (
	"maps"
	"time"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/server/render"
)

// MessageEvent is a message delivered live; Err is set when the subscriber lost access.
type MessageEvent struct {
	render.Renders // one rendering per question, shared by the subscribers who ask it
	Cursor         int
	Msg            *ent.Message
	Err            error
}

// Message is the message, or the reason the subscriber may no longer see it. (A method, not
// a resolver: gqlgen then renders it inline instead of in a goroutine per subscriber.)
func (e *MessageEvent) Message() (*ent.Message, error) { return e.Msg, e.Err }

// MessageShape is what subscribers of messageAdded and messageUpdated may select for a shared
// rendering: the fields the stream loads with every message (see stream.messages) whose value
// is the same for every viewer who may see the discussion. Member.email differs for vendors,
// so the audience (see Hub.Transport) tells vendors apart. Anything else is rendered per
// subscriber, with their own rights.
var MessageShape = render.Shape{
	"cursor": nil,
	"message": {
		"id": nil, "createdAt": nil, "updatedAt": nil, "body": nil, "position": nil, "editedAt": nil, "deletedAt": nil,
		"vendorLabel": nil, "reactions": {"kind": nil, "count": nil},
		"author": with(memberFields, "organisation", render.Shape{
			"id": nil, "createdAt": nil, "updatedAt": nil, "name": nil, "kind": nil, "ags": nil, "state": nil,
			"population": nil, "website": nil,
		}),
		"parent": {
			"id": nil, "createdAt": nil, "updatedAt": nil, "body": nil, "position": nil, "editedAt": nil, "deletedAt": nil,
		},
		"discussion": {
			"id": nil, "createdAt": nil, "updatedAt": nil, "title": nil, "status": nil, "pinned": nil,
			"messageCount": nil, "lastMessageAt": nil,
			"circle": {"id": nil, "createdAt": nil, "updatedAt": nil, "name": nil, "slug": nil, "description": nil, "visibility": nil},
		},
	},
}

// TypingShape is what typing subscribers may select for a shared rendering (the member is
// loaded alone, see stream.onTyping).
var TypingShape = render.Shape{"member": memberFields, "expiresAt": nil}

// memberFields are a member's own fields that every viewer sees alike (email: see the
// audience); lastLoginAt is left to per-subscriber rendering.
var memberFields = render.Shape{
	"id": nil, "createdAt": nil, "updatedAt": nil, "displayName": nil, "communityRole": nil, "jobTitle": nil,
	"bio": nil, "status": nil, "platformRole": nil, "email": nil,
}

// with is shape plus one more field.
func with(shape render.Shape, field string, child render.Shape) render.Shape {
	out := maps.Clone(shape)
	out[field] = child
	return out
}

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
	render.Renders // one rendering per question, shared by the subscribers who ask it
	Member         *ent.Member
	ExpiresAt      time.Time
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
	kindMeta     = "meta"   // a discussion's circle, or its circle's visibility, changed
)

// Subjects.
const (
	subjectDiscussionPrefix = "zirkel.discussion."
	subjectActivity         = "zirkel.activity"
	subjectAccess           = "zirkel.access"
)

func discussionSubject(id gid.ID) string { return subjectDiscussionPrefix + string(id) }
