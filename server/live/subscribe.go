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

// subscribe joins the discussion's stream with a new subscription of the kind; prepare
// adjusts it before it can receive anything.
func (h *Hub) subscribe(ctx context.Context, discussionID gid.ID, kind string, prepare func(*sub)) (*sub, *stream, *ent.Discussion, error) {
	c, d, err := h.begin(ctx, discussionID)
	if err != nil {
		return nil, nil, nil, err
	}
	st, s, err := h.joinStream(ctx, d, func(st *stream) *sub {
		s := newSub(c, kind, st.allowed)
		if prepare != nil {
			prepare(s)
		}
		if s.direct == nil {
			s.ch = make(chan any, h.cfg.Buffer)
		}
		return s
	})
	if err != nil {
		return nil, nil, nil, err
	}
	c.addSub(s)
	return s, st, d, nil
}

// end removes a finished subscription; the subscription's goroutine calls it on its way out.
func (h *Hub) end(st *stream, s *sub) {
	s.conn.removeSub(s)
	h.leave(st, s)
}

// MessageAdded streams a discussion's new messages; with after, it first replays what came
// after that position, with no gap and no duplicate at the switch to live.
func (h *Hub) MessageAdded(ctx context.Context, discussionID gid.ID, after *int) (<-chan *MessageEvent, error) {
	if after == nil {
		return h.liveMessages(ctx, discussionID)
	}
	s, st, _, err := h.subscribe(ctx, discussionID, kindAdded, func(s *sub) {
		s.replaying.Store(true) // until the replay is done, overflow only means "catch up again"
	})
	if err != nil {
		return nil, err
	}
	lastSent := *after
	out := make(chan *MessageEvent)
	go func() {
		defer close(out)
		defer h.end(st, s)
		send := func(ev *MessageEvent) bool {
			select {
			case out <- ev:
				lastSent = ev.Cursor
				return true
			case <-ctx.Done():
				return false
			}
		}
		if !h.replay(ctx, s, discussionID, &lastSent, send) {
			return
		}
		s.replaying.Store(false)
		if s.missed.Load() { // dropped between the last replay round and the switch
			if !h.replay(ctx, s, discussionID, &lastSent, send) {
				return
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-s.ch:
				me, ok := ev.(*MessageEvent)
				if !ok {
					send(&MessageEvent{Err: errRevoked})
					return
				}
				if me.Cursor > lastSent && !send(me) {
					return
				}
			}
		}
	}()
	return render.Tap(ctx, out), nil
}

// liveMessages streams new messages only. The stream delivers them in order and each once,
// so gqlgen reads the subscription's channel directly.
func (h *Hub) liveMessages(ctx context.Context, discussionID gid.ID) (<-chan *MessageEvent, error) {
	s, st, _, err := h.subscribe(ctx, discussionID, kindAdded, func(s *sub) {
		s.direct = make(chan *MessageEvent, h.cfg.Buffer)
	})
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() {
		s.endDirect()
		h.end(st, s)
	})
	return render.Tap(ctx, s.direct), nil
}

// replay sends the stored messages after *lastSent, again as long as live events were
// dropped meanwhile; it returns false when the subscription ended.
func (h *Hub) replay(ctx context.Context, s *sub, discussionID gid.ID, lastSent *int, send func(*MessageEvent) bool) bool {
	for {
		s.missed.Store(false)
		for {
			page, err := h.client.Message.Query().
				Where(message.HasDiscussionWith(discussion.ID(discussionID)), message.PositionGT(*lastSent)).
				WithAuthor(func(q *ent.MemberQuery) { q.WithOrganisation() }).WithParent().
				Order(ent.Asc(message.FieldPosition)).Limit(replayPage).All(ctx)
			if err != nil {
				h.logger.Error("replaying messages", "discussion", discussionID, "err", err)
				return false
			}
			for _, m := range page {
				if !send(&MessageEvent{Cursor: m.Position, Msg: m}) {
					return false
				}
			}
			if len(page) < replayPage {
				break
			}
		}
		if !s.missed.Load() {
			return true
		}
	}
}

// MessageUpdated streams edits, deletions and reactions in a discussion.
func (h *Hub) MessageUpdated(ctx context.Context, discussionID gid.ID) (<-chan *MessageEvent, error) {
	s, st, _, err := h.subscribe(ctx, discussionID, kindUpdated, nil)
	if err != nil {
		return nil, err
	}
	return render.Tap(ctx, relay(ctx, s, func() { h.end(st, s) }, func() (*MessageEvent, bool) { return &MessageEvent{Err: errRevoked}, true })), nil
}

// Typing streams who is typing in a discussion.
func (h *Hub) Typing(ctx context.Context, discussionID gid.ID) (<-chan *TypingEvent, error) {
	s, st, _, err := h.subscribe(ctx, discussionID, kindTyping, nil)
	if err != nil {
		return nil, err
	}
	return relay(ctx, s, func() { h.end(st, s) }, func() (*TypingEvent, bool) { return nil, false }), nil
}

// Presence streams who is in a discussion now; the subscriber counts as present.
func (h *Hub) Presence(ctx context.Context, discussionID gid.ID) (<-chan []*ent.Member, error) {
	s, st, _, err := h.subscribe(ctx, discussionID, kindPresence, nil)
	if err != nil {
		return nil, err
	}
	me := s.conn.Viewer().MemberID
	st.mu.Lock()
	st.localPresent[me]++
	st.mu.Unlock()
	until := time.Now().Add(h.cfg.PresenceTTL).UnixMilli()
	h.publish(ctx, discussionSubject(discussionID), notice{Kind: kindPresence, DiscussionID: discussionID, MemberIDs: []gid.ID{me}, Until: until})
	st.queue <- notice{Kind: kindPresence} // send the current list to the newcomer too
	gone := func() {
		st.mu.Lock()
		st.localPresent[me]--
		if st.localPresent[me] <= 0 {
			delete(st.localPresent, me)
		}
		st.mu.Unlock()
		h.publish(context.Background(), discussionSubject(discussionID), notice{Kind: kindPresence, DiscussionID: discussionID, MemberIDs: []gid.ID{me}, Until: 1})
		h.end(st, s)
	}
	return relay(ctx, s, gone, func() ([]*ent.Member, bool) { return nil, false }), nil
}

// relay forwards a subscription's events until it ends, then calls done. When access is
// revoked, revoked gives a last event to send (ok) or none (the subscription just completes).
func relay[T any](ctx context.Context, s *sub, done func(), revoked func() (T, bool)) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		defer done()
		for {
			var ev any
			select {
			case <-ctx.Done():
				return
			case ev = <-s.ch:
			}
			v, ok := ev.(T)
			final := !ok
			if final {
				if v, ok = revoked(); !ok {
					return
				}
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
			if final {
				return
			}
		}
	}()
	return out
}
