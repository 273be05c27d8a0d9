package live

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/message"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyresponse"
	"zirkel/server/events"
	"zirkel/server/policy"
)

// accessFields are the member fields and edges that change what a member may see.
var accessFields = []string{"platform_role", "community_role", "status", "organisation"}

// Consume is the hub's consumer of the event pipeline (after commit): it turns committed
// changes into live notices for every replica. Nothing else publishes them.
func (h *Hub) Consume(ctx context.Context, changes []events.Change) {
	sys := policy.System(ctx)
	var (
		posted    []gid.ID // messages
		edited    = map[gid.ID]bool{}
		started   []gid.ID            // discussions
		access    = map[gid.ID]bool{} // members
		ended     []events.Change     // sessions
		moved     = map[gid.ID]bool{} // discussions whose circle changed
		circles   = map[gid.ID]bool{} // circles whose visibility changed
		surveys   = map[gid.ID]bool{} // surveys with a changed result
		responses []gid.ID            // survey responses
		roles     []gid.ID            // circle memberships whose role changed
	)
	for _, c := range changes {
		switch c.Type {
		case "Message":
			if c.Op == events.Created {
				posted = append(posted, c.ID)
			} else {
				edited[c.ID] = true
			}
		case "Discussion":
			if c.Op == events.Created {
				started = append(started, c.ID)
			} else if c.Op == events.Updated && c.Has("circle") {
				moved[c.ID] = true
			}
		case "Circle":
			if c.Op == events.Updated && c.Has("visibility") {
				circles[c.ID] = true
			}
		case "Member":
			if c.Op == events.Deleted || c.Has(accessFields...) {
				access[c.ID] = true
			}
		case "CircleMembership":
			if id, ok := c.Refs["member"]; ok {
				access[id] = true
			} else if c.Op == events.Updated {
				roles = append(roles, c.ID)
			}
		case "Session":
			if c.Op == events.Deleted || c.Has("revoked_at") {
				ended = append(ended, c)
			}
		case "Survey":
			if c.Op == events.Updated && c.Has("published_count", "opens_at", "closes_at") {
				surveys[c.ID] = true
			}
		case "SurveyResponse":
			responses = append(responses, c.ID)
		}
	}
	for _, id := range posted {
		delete(edited, id)
	}
	h.announcePosted(sys, posted)
	for id := range edited {
		h.announceEdited(sys, id)
	}
	h.announceStarted(sys, started)
	h.announceAccess(sys, access, roles)
	h.announceEnded(sys, ended)
	h.announceMeta(sys, moved, circles)
	h.announceSurveys(sys, surveys, responses)
}

func (h *Hub) logLookup(what string, err error) {
	if err != nil {
		h.logger.Error("live: reading a committed change", "what", what, "err", err)
	}
}

// announcePosted tells a discussion's subscribers and those following its topics or circle.
func (h *Hub) announcePosted(ctx context.Context, ids []gid.ID) {
	if len(ids) == 0 {
		return
	}
	msgs, err := h.client.Message.Query().Where(message.IDIn(ids...)).
		WithDiscussion(func(q *ent.DiscussionQuery) {
			q.WithCircle(func(q *ent.CircleQuery) { q.Select(circle.FieldID) }).WithTopics()
		}).All(ctx)
	h.logLookup("messages", err)
	for _, m := range msgs {
		d := m.Edges.Discussion
		if d == nil {
			continue
		}
		h.publish(ctx, discussionSubject(d.ID), notice{Kind: kindAdded, DiscussionID: d.ID, MessageID: m.ID, Position: m.Position})
		h.publish(ctx, subjectActivity, notice{Kind: kindPosted, DiscussionID: d.ID, CircleID: circleOf(d), TopicIDs: topicsOf(d)})
	}
}

// announceEdited tells a discussion's subscribers that a message was edited, deleted or
// reacted to.
func (h *Hub) announceEdited(ctx context.Context, id gid.ID) {
	d, err := h.client.Message.Query().Where(message.ID(id)).QueryDiscussion().OnlyID(ctx)
	if err != nil {
		h.logLookup("message", err)
		return
	}
	h.publish(ctx, discussionSubject(d), notice{Kind: kindUpdated, DiscussionID: d, MessageID: id})
}

// announceStarted tells those following a new discussion's topics or circle.
func (h *Hub) announceStarted(ctx context.Context, ids []gid.ID) {
	if len(ids) == 0 {
		return
	}
	ds, err := h.client.Discussion.Query().Where(discussion.IDIn(ids...)).
		WithCircle(func(q *ent.CircleQuery) { q.Select(circle.FieldID) }).WithTopics().All(ctx)
	h.logLookup("discussions", err)
	for _, d := range ds {
		h.publish(ctx, subjectActivity, notice{Kind: kindStarted, DiscussionID: d.ID, CircleID: circleOf(d), TopicIDs: topicsOf(d)})
	}
}

// announceAccess tells every replica to reload the rights of members whose role, status,
// organisation or circles changed; subscriptions they may no longer see end.
func (h *Hub) announceAccess(ctx context.Context, members map[gid.ID]bool, memberships []gid.ID) {
	if len(memberships) > 0 {
		refs, err := ent.UniqueEdgeIDs(ctx, h.client, "CircleMembership", memberships)
		h.logLookup("memberships", err)
		for _, r := range refs {
			members[r["member"]] = true
		}
	}
	for id := range members {
		if id != "" {
			h.publish(ctx, subjectAccess, notice{Kind: kindAccess, MemberID: id})
		}
	}
}

// announceEnded closes the connections of revoked or deleted sessions (with 4401).
func (h *Hub) announceEnded(ctx context.Context, sessions []events.Change) {
	var unknown []gid.ID
	for _, c := range sessions {
		if m, ok := c.Refs["member"]; ok {
			h.publish(ctx, subjectAccess, notice{Kind: kindEnded, MemberID: m, SessionID: c.ID})
		} else {
			unknown = append(unknown, c.ID)
		}
	}
	if len(unknown) == 0 {
		return
	}
	refs, err := ent.UniqueEdgeIDs(ctx, h.client, "Session", unknown)
	h.logLookup("sessions", err)
	for id, r := range refs {
		h.publish(ctx, subjectAccess, notice{Kind: kindEnded, MemberID: r["member"], SessionID: id})
	}
}

// announceMeta tells the subscribers of discussions that moved to another circle, or whose
// circle became closed or open, to re-read it: those who may no longer see it lose it.
func (h *Hub) announceMeta(ctx context.Context, discussions, circles map[gid.ID]bool) {
	if len(circles) > 0 {
		ids := make([]gid.ID, 0, len(circles))
		for id := range circles {
			ids = append(ids, id)
		}
		in, err := h.client.Discussion.Query().Where(discussion.HasCircleWith(circle.IDIn(ids...))).IDs(ctx)
		h.logLookup("discussions of circles", err)
		for _, id := range in {
			discussions[id] = true
		}
	}
	for id := range discussions {
		h.publish(ctx, discussionSubject(id), notice{Kind: kindMeta, DiscussionID: id})
	}
}

// announceSurveys tells those watching a survey's results. A response to an anonymous survey
// is announced only when it changes the published result (the survey's update), so that
// nobody learns when a particular member answered.
func (h *Hub) announceSurveys(ctx context.Context, surveys map[gid.ID]bool, responses []gid.ID) {
	if len(responses) > 0 {
		named, err := h.client.SurveyResponse.Query().
			Where(surveyresponse.IDIn(responses...)).
			QuerySurvey().Where(survey.Anonymous(false)).IDs(ctx)
		h.logLookup("survey responses", err)
		for _, id := range named {
			surveys[id] = true
		}
	}
	for id := range surveys {
		h.publish(ctx, subjectSurveyPrefix+string(id), notice{Kind: kindUpdated})
	}
}

func circleOf(d *ent.Discussion) gid.ID {
	if d.Edges.Circle != nil {
		return d.Edges.Circle.ID
	}
	return ""
}

func topicsOf(d *ent.Discussion) []gid.ID {
	ids := make([]gid.ID, len(d.Edges.Topics))
	for i, t := range d.Edges.Topics {
		ids[i] = t.ID
	}
	return ids
}
