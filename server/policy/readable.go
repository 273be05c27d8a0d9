package policy

import (
	"context"
	"fmt"

	"zirkel/ent"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/circle"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/registration"
	"zirkel/ent/report"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/topic"
)

// Readable lists which of the ids of one type (by its ent name) the viewer of ctx may read,
// through the type's own privacy query rule (one query). Types that notifications and follows
// are about are known; any other type is an error (fail closed).
func Readable(ctx context.Context, c *ent.Client, typeName string, ids []gid.ID) (map[gid.ID]bool, error) {
	var found []gid.ID
	var err error
	switch typeName {
	case "Discussion":
		found, err = c.Discussion.Query().Where(discussion.IDIn(ids...)).IDs(ctx)
	case "Message":
		found, err = c.Message.Query().Where(message.IDIn(ids...)).IDs(ctx)
	case "Practice":
		found, err = c.Practice.Query().Where(practice.IDIn(ids...)).IDs(ctx)
	case "Event":
		found, err = c.Event.Query().Where(event.IDIn(ids...)).IDs(ctx)
	case "Survey":
		found, err = c.Survey.Query().Where(survey.IDIn(ids...)).IDs(ctx)
	case "Registration":
		found, err = c.Registration.Query().Where(registration.IDIn(ids...)).IDs(ctx)
	case "AuthorshipInvitation":
		found, err = c.AuthorshipInvitation.Query().Where(authorshipinvitation.IDIn(ids...)).IDs(ctx)
	case "CircleJoinRequest":
		found, err = c.CircleJoinRequest.Query().Where(circlejoinrequest.IDIn(ids...)).IDs(ctx)
	case "Circle":
		found, err = c.Circle.Query().Where(circle.IDIn(ids...)).IDs(ctx)
	case "Topic":
		found, err = c.Topic.Query().Where(topic.IDIn(ids...)).IDs(ctx)
	case "Organisation":
		found, err = c.Organisation.Query().Where(organisation.IDIn(ids...)).IDs(ctx)
	case "Member":
		found, err = c.Member.Query().Where(member.IDIn(ids...)).IDs(ctx)
	case "Report":
		found, err = c.Report.Query().Where(report.IDIn(ids...)).IDs(ctx)
	default:
		return nil, fmt.Errorf("checking reads: no reader for type %q", typeName)
	}
	if err != nil {
		return nil, fmt.Errorf("checking reads of %s: %w", typeName, err)
	}
	out := make(map[gid.ID]bool, len(found))
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}
