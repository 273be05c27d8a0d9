// Package mailkind names what Zirkel e-mails members about and how they want it delivered. It
// has no dependencies, so that the ent schema, the mail package and the notification code share
// one list.
package mailkind

import "time"

// Kinds are the kinds of notification a member may get by e-mail, each with its own delivery
// preference and its own unsubscribe link.
var Kinds = []string{
	"REPLY", "MENTION", "PRACTICE", "DISCUSSION", "COAUTHOR_REQUEST", "JOIN_DECISION",
	"WAITLIST", "EVENT_CHANGE", "EVENT_REMINDER", "SURVEY", "MODERATION",
}

// Digest is the kind of an outbox mail that groups a member's pending items of a period.
const Digest = "DIGEST"

// Deliveries are how a member wants mails of a kind: at once, in a daily or weekly digest, or
// not at all.
var Deliveries = []string{"IMMEDIATE", "DAILY", "WEEKLY", "OFF"}

// Default is the delivery of a kind for a member who has not chosen one: mentions and replies
// at once, the rest weekly (quiet defaults).
func Default(kind string) string {
	if kind == "MENTION" || kind == "REPLY" {
		return "IMMEDIATE"
	}
	return "WEEKLY"
}

// Entry is one item in an outbox mail: what happened, with a link to it. An immediate mail has
// one entry, a digest several.
type Entry struct {
	Kind  string    `json:"kind"`
	Title string    `json:"title"`
	Link  string    `json:"link"` // a path below the public base URL, e.g. /discussions/dis_…
	Lines []string  `json:"lines,omitempty"`
	At    time.Time `json:"at"`
}
