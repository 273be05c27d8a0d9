package live

import (
	"context"
	"slices"
	"time"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// activitySub follows the discussions of one topic or one circle.
type activitySub struct {
	*sub
	topicID, circleID gid.ID
}

// Activity streams new discussions and messages in the discussions of a topic or a circle.
func (h *Hub) Activity(ctx context.Context, topicID, circleID *gid.ID) (<-chan *ActivityEvent, error) {
	c := connFrom(ctx)
	if c == nil || c.Viewer() == nil {
		return nil, &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "subscriptions need a logged-in websocket connection"}
	}
	if (topicID == nil) == (circleID == nil) {
		return nil, apperr.Invalid("topicID", "give either topicID or circleID")
	}
	as := &activitySub{}
	allowed := func(v *viewer.Viewer) bool { return v != nil }
	if circleID != nil {
		// Through the privacy policies: a circle the viewer cannot see is not found.
		ci, err := h.client.Circle.Get(ctx, *circleID)
		if err != nil {
			return nil, apperr.NotFound("circleID")
		}
		open := ci.Visibility == circle.VisibilityOPEN
		if !policy.DiscussionOpenTo(c.Viewer(), ci.ID, open) {
			return nil, apperr.NotFound("circleID")
		}
		as.circleID = ci.ID
		allowed = func(v *viewer.Viewer) bool { return policy.DiscussionOpenTo(v, ci.ID, open) }
	} else {
		t, err := h.client.Topic.Get(ctx, *topicID)
		if err != nil {
			return nil, apperr.NotFound("topicID")
		}
		as.topicID = t.ID
	}
	out := newOutlet(h.cfg.Buffer, func() (*ActivityEvent, bool) { return &ActivityEvent{Err: errRevoked}, true })
	as.sub = newSub(c, "activity", allowed, out)
	h.mu.Lock()
	h.activity[as] = struct{}{}
	h.mu.Unlock()
	c.addSub(as.sub)
	context.AfterFunc(ctx, func() {
		as.stop()
		c.removeSub(as.sub)
		h.mu.Lock()
		delete(h.activity, as)
		h.mu.Unlock()
	})
	return out.ch, nil
}

// onActivity loads the discussion once and hands it to every matching subscriber that may
// see it.
func (h *Hub) onActivity(n notice) {
	h.mu.Lock()
	var subs []*activitySub
	for as := range h.activity {
		if (as.circleID != "" && as.circleID == n.CircleID) || (as.topicID != "" && slices.Contains(n.TopicIDs, as.topicID)) {
			subs = append(subs, as)
		}
	}
	h.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(policy.System(context.Background()), 10*time.Second)
	defer cancel()
	d, err := h.client.Discussion.Query().Where(discussion.ID(n.DiscussionID)).WithCircle().WithAuthor().Only(ctx)
	if err != nil {
		h.logger.Error("loading discussion activity", "discussion", n.DiscussionID, "err", err)
		return
	}
	kind := ActivityMessagePosted
	if n.Kind == kindStarted {
		kind = ActivityDiscussionStarted
	}
	ev := &ActivityEvent{Kind: kind, D: d}
	circleID, open := discussionCircle(d)
	for _, as := range subs {
		if !as.allowed(as.conn.Viewer()) {
			as.revoke()
			continue
		}
		if policy.DiscussionOpenTo(as.conn.Viewer(), circleID, open) && discussionShown(as.conn.Viewer(), d, circleID) {
			as.deliver(ev)
		}
	}
}

// discussionShown tells whether the viewer may see the discussion as far as hiding goes (its
// author loaded).
func discussionShown(v *viewer.Viewer, d *ent.Discussion, circleID gid.ID) bool {
	if d.HiddenAt == nil {
		return true
	}
	var authorID gid.ID
	if a := d.Edges.Author; a != nil {
		authorID = a.ID
	}
	return policy.HiddenShownTo(v, authorID, circleID)
}

func discussionCircle(d *ent.Discussion) (gid.ID, bool) {
	if c := d.Edges.Circle; c != nil {
		return c.ID, c.Visibility == circle.VisibilityOPEN
	}
	return "", false
}
