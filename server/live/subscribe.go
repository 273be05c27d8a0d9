package live

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/discussion"
	"zirkel/ent/message"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/render"
)

// replayPage is how many messages a replay loads at a time.
const replayPage = 100

// begin checks that the request is a websocket connection of a viewer who may see the
// discussion (through the privacy policies), and returns them.
func (h *Hub) begin(ctx context.Context, discussionID gid.ID) (*Conn, *ent.Discussion, error) {
	c := connFrom(ctx)
	if c == nil || c.Viewer() == nil {
		return nil, nil, &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "subscriptions need a logged-in websocket connection"}
	}
	d, err := h.client.Discussion.Query().Where(discussion.ID(discussionID)).WithCircle().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil, apperr.NotFound("discussionID")
	}
	return c, d, err
}

// subscribe joins the discussion's stream with a new subscription of the kind, whose events
// go out through out; prepare adjusts it before it can receive anything. When ctx ends (gqlgen
// stopped the subscription), the subscription leaves and then done runs.
func (h *Hub) subscribe(ctx context.Context, discussionID gid.ID, kind string, out outlet, prepare, done func(*stream, *sub)) (*sub, *stream, error) {
	c, d, err := h.begin(ctx, discussionID)
	if err != nil {
		return nil, nil, err
	}
	st, s, err := h.joinStream(ctx, d, func(st *stream) *sub {
		s := newSub(c, kind, st.allowed, out)
		if prepare != nil {
			prepare(st, s)
		}
		return s
	})
	if err != nil {
		return nil, nil, err
	}
	c.addSub(s)
	context.AfterFunc(ctx, func() {
		s.stop()
		c.removeSub(s)
		h.leave(st, s)
		if done != nil {
			done(st, s)
		}
	})
	return s, st, nil
}

// revokedMessage is what a message subscriber who lost access receives last.
func revokedMessage() (*MessageEvent, bool) { return &MessageEvent{Err: errRevoked}, true }

// nothing is the last event of kinds that just complete when access is lost.
func nothing[T any]() (T, bool) {
	var zero T
	return zero, false
}

// MessageAdded streams a discussion's new messages; with after, it first replays what came
// after that position, with no gap and no duplicate at the switch to live.
func (h *Hub) MessageAdded(ctx context.Context, discussionID gid.ID, after *int) (<-chan *MessageEvent, error) {
	out := newOutlet(h.cfg.Buffer, revokedMessage)
	s, _, err := h.subscribe(ctx, discussionID, kindAdded, out, func(_ *stream, s *sub) {
		s.replaying = after != nil
	}, nil)
	if err != nil {
		return nil, err
	}
	if after != nil {
		go h.replay(ctx, s, out, discussionID, *after)
	}
	return render.Tap(ctx, out.ch), nil
}

// replay sends the stored messages after lastSent, then what arrived live meanwhile, until
// nothing is pending; then the subscription goes live. It owns the channel until then, and
// stops at once when the subscriber loses access.
func (h *Hub) replay(ctx context.Context, s *sub, out chanOutlet[*MessageEvent], discussionID gid.ID, lastSent int) {
	send := func(ev *MessageEvent) bool {
		if s.revokePending() {
			return false
		}
		select {
		case out.ch <- ev:
			lastSent = ev.Cursor
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		stored := h.replayStored(ctx, discussionID, &lastSent, send)
		var pending []*MessageEvent
		missed := false
		if stored {
			var live bool
			if pending, missed, live = s.caughtUp(lastSent); live {
				return
			}
		}
		switch {
		case ctx.Err() != nil:
			s.endReplay(func() {})
			return
		case s.revokePending():
			select {
			case out.ch <- &MessageEvent{Err: errRevoked}:
			case <-ctx.Done():
			}
			s.endReplay(func() { close(out.ch) })
			return
		case !stored: // the database failed: end; the client resumes from its cursor
			s.endReplay(func() { close(out.ch) })
			return
		case missed:
			continue // the database has them all
		}
		for _, ev := range pending {
			if ev.Cursor > lastSent && !send(ev) {
				break // the next round sees why
			}
		}
	}
}

// replayStored sends the stored messages after *lastSent; it returns false when the
// subscription ended or the database failed.
func (h *Hub) replayStored(ctx context.Context, discussionID gid.ID, lastSent *int, send func(*MessageEvent) bool) bool {
	for {
		page, err := h.client.Message.Query().
			Where(message.HasDiscussionWith(discussion.ID(discussionID)), message.PositionGT(*lastSent)).
			WithAuthor(func(q *ent.MemberQuery) { q.WithOrganisation() }).WithParent().
			Order(ent.Asc(message.FieldPosition)).Limit(replayPage).All(ctx)
		if err != nil {
			if ctx.Err() == nil {
				h.logger.Error("replaying messages", "discussion", discussionID, "err", err)
			}
			return false
		}
		for _, m := range page {
			if !send(&MessageEvent{Cursor: m.Position, Msg: m}) {
				return false
			}
		}
		if len(page) < replayPage {
			return true
		}
	}
}

// MessageUpdated streams edits, deletions and reactions in a discussion.
func (h *Hub) MessageUpdated(ctx context.Context, discussionID gid.ID) (<-chan *MessageEvent, error) {
	out := newOutlet(h.cfg.Buffer, revokedMessage)
	if _, _, err := h.subscribe(ctx, discussionID, kindUpdated, out, nil, nil); err != nil {
		return nil, err
	}
	return render.Tap(ctx, out.ch), nil
}

// Typing streams who is typing in a discussion.
func (h *Hub) Typing(ctx context.Context, discussionID gid.ID) (<-chan *TypingEvent, error) {
	out := newOutlet(h.cfg.Buffer, nothing[*TypingEvent])
	if _, _, err := h.subscribe(ctx, discussionID, kindTyping, out, nil, nil); err != nil {
		return nil, err
	}
	return render.Tap(ctx, out.ch), nil
}

// Presence streams who is in a discussion now; the subscriber counts as present.
func (h *Hub) Presence(ctx context.Context, discussionID gid.ID) (<-chan []*ent.Member, error) {
	out := newOutlet(h.cfg.Buffer, nothing[[]*ent.Member])
	arrive := func(st *stream, s *sub) {
		st.mu.Lock()
		st.localPresent[s.conn.Viewer().MemberID]++
		st.mu.Unlock()
	}
	leave := func(st *stream, s *sub) {
		me := s.conn.Viewer().MemberID
		st.mu.Lock()
		if st.localPresent[me]--; st.localPresent[me] <= 0 {
			delete(st.localPresent, me)
		}
		st.mu.Unlock()
		h.publish(context.Background(), discussionSubject(discussionID), notice{Kind: kindPresence, DiscussionID: discussionID, MemberIDs: []gid.ID{me}, Until: 1})
	}
	s, st, err := h.subscribe(ctx, discussionID, kindPresence, out, arrive, leave)
	if err != nil {
		return nil, err
	}
	until := time.Now().Add(h.cfg.PresenceTTL).UnixMilli()
	h.publish(ctx, discussionSubject(discussionID), notice{Kind: kindPresence, DiscussionID: discussionID, MemberIDs: []gid.ID{s.conn.Viewer().MemberID}, Until: until})
	st.queue <- notice{Kind: kindPresence} // send the current list to the newcomer too
	return out.ch, nil
}
