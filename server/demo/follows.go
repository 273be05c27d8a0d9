package demo

import (
	"context"
	"fmt"

	"zirkel/ent"
	"zirkel/ent/discussion"
	"zirkel/ent/follow"
)

// demoFollows are what the demo's administrator (the login of the README) follows: some
// discussions and a topic, so that the discussions' messages and the topic's discussions
// become notifications (and digest items) for them when the demo's transaction commits, as in a
// live community. The notifications are written by the event pipeline, not by the demo.
var demoFollows = struct {
	discussions []string // titles
	topics      []string // slugs
}{
	discussions: []string{
		"Welches Werkzeug nutzt ihr für Prozessmanagement?",
		"Was braucht man für Low Code? Governance vor der ersten App",
		"KI-Verordnung: Was bedeutet sie für unsere Pilotprojekte?",
	},
	topics: []string{"low-code", "ki"},
}

func (l *loader) loadFollows(ctx context.Context) error {
	admin, err := lookupOne("member", l.members, "admin")
	if err != nil {
		return err
	}
	var creates []*ent.FollowCreate
	for _, title := range demoFollows.discussions {
		id, err := l.client.Discussion.Query().Where(discussion.Title(title)).OnlyID(ctx)
		if err != nil {
			return fmt.Errorf("discussion %q: %w", title, err)
		}
		creates = append(creates, l.client.Follow.Create().SetMemberID(admin).SetTargetType(follow.TargetTypeDISCUSSION).SetTargetID(id))
	}
	topics, err := lookup("topic", l.topics, demoFollows.topics...)
	if err != nil {
		return err
	}
	for _, id := range topics {
		creates = append(creates, l.client.Follow.Create().SetMemberID(admin).SetTargetType(follow.TargetTypeTOPIC).SetTargetID(id))
	}
	return l.client.Follow.CreateBulk(creates...).Exec(ctx)
}
