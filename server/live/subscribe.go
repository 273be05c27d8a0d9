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

// hooks adjust a subscription around its life in the stream.
type hooks struct {
	prepare func(*stream, *sub) // before it can receive anything (under the hub's lock)
	joined  func(*stream, *sub) // once it is in the stream, before it can end
	done    func(*stream, *sub) // once it has left
}

// subscribe joins the discussion's stream with a new subscription of the kind, whose events
// go out through out. When ctx ends (gqlgen stopped the subscription), it leaves.
func (h *Hub) subscribe(ctx context.Context, discussionID gid.ID, kind string, out outlet, hk hooks) (*sub, *stream, error) {
	c, d, err := h.begin(ctx, discussionID)
	if err != nil {
		return nil, nil, err
	}
	st, s, err := h.joinStream(ctx, d, func(st *stream) *sub {
		s := newSub(c, kind, st.allowed, out)
		if hk.prepare != nil {
			hk.prepare(st, s)
		}
		return s
	})
	if err != nil {
		return nil, nil, err
	}
	c.addSub(s)
	if hk.joined != nil {
		hk.joined(st, s)
	}
	if !s.allowed(c.Viewer()) { // the rights changed while it joined
		s.revoke()
	}
	context.AfterFunc(ctx, func() {
		s.stop()
		c.removeSub(s)
		h.leave(st, s)
		if hk.done != nil {
			hk.done(st, s)
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
	s, st, err := h.subscribe(ctx, discussionID, kindAdded, out, hooks{prepare: func(_ *stream, s *sub) {
		s.replaying = after != nil
	}})
	if err != nil {
		return nil, err
	}
	if after != nil {
		go h.replay(ctx, s, st, out, *after)
	}
	return render.Tap(ctx, out.ch), nil
}

// replay sends the stored messages after lastSent, then what arrived live meanwhile, until
// nothing is pending; then the subscription goes live. It owns the channel until then, and
// stops at once when the subscriber loses access.
func (h *Hub) replay(ctx context.Context, s *sub, st *stream, out chanOutlet[*MessageEvent], lastSent int) {
	lost := func() bool { return s.revokePending() || !s.allowed(s.conn.Viewer()) }
	send := func(ev *MessageEvent) bool {
		if lost() {
			return false
		}
		if !shown(s.conn.Viewer(), ev) { // hidden from this subscriber: skipped, not a gap
			lastSent = max(lastSent, ev.Cursor)
			return true
		}
		select {
		case out.ch <- ev:
			lastSent = ev.Cursor
			return true
		case <-ctx.Done():
			return false
		}
	}
	final := func(ev *MessageEvent) { // the last word, then the channel closes
		drain(out.ch)
		select {
		case out.ch <- ev:
		case <-ctx.Done():
		}
		s.endReplay(func() { close(out.ch) })
	}
	for {
		stored := h.replayStored(ctx, st, &lastSent, send)
		var pending []*MessageEvent
		missed := false
		if stored && !lost() {
			var live bool
			if pending, missed, live = s.caughtUp(lastSent); live {
				return
			}
		}
		switch {
		case ctx.Err() != nil:
			s.endReplay(func() {})
			return
		case lost():
			final(&MessageEvent{Err: errRevoked})
			return
		case !stored:
			final(&MessageEvent{Err: errReplayFailed})
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

// errReplayFailed ends a subscription whose replay could not be read from the database.
var errReplayFailed = &apperr.Error{Code: apperr.CodeInternal, Message: "could not load the missed messages: subscribe again with your cursor"}

// replayStored sends the stored messages after *lastSent, loaded as live ones are (see
// MessageShape); it returns false when the subscription ended or the database failed.
func (h *Hub) replayStored(ctx context.Context, st *stream, lastSent *int, send func(*MessageEvent) bool) bool {
	for {
		page, err := st.messages(ctx, func(q *ent.MessageQuery) {
			q.Where(message.PositionGT(*lastSent)).Limit(replayPage)
		})
		if err != nil {
			if ctx.Err() == nil {
				h.logger.Error("replaying messages", "discussion", st.id, "err", err)
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
	if _, _, err := h.subscribe(ctx, discussionID, kindUpdated, out, hooks{}); err != nil {
		return nil, err
	}
	return render.Tap(ctx, out.ch), nil
}

// Typing streams who is typing in a discussion.
func (h *Hub) Typing(ctx context.Context, discussionID gid.ID) (<-chan *TypingEvent, error) {
	out := newOutlet(h.cfg.Buffer, nothing[*TypingEvent])
	if _, _, err := h.subscribe(ctx, discussionID, kindTyping, out, hooks{}); err != nil {
		return nil, err
	}
	return render.Tap(ctx, out.ch), nil
}

// Presence streams who is in a discussion now; the subscriber counts as present.
func (h *Hub) Presence(ctx context.Context, discussionID gid.ID) (<-chan []*ent.Member, error) {
	out := newOutlet(h.cfg.Buffer, nothing[[]*ent.Member])
	announce := func(member gid.ID, until int64) {
		h.publish(context.Background(), discussionSubject(discussionID), notice{Kind: kindPresence, DiscussionID: discussionID, MemberIDs: []gid.ID{member}, Until: until})
	}
	count := func(st *stream, s *sub) {
		st.mu.Lock()
		st.localPresent[s.conn.Viewer().MemberID]++
		st.mu.Unlock()
	}
	arrived := func(st *stream, s *sub) {
		announce(s.conn.Viewer().MemberID, time.Now().Add(h.cfg.PresenceTTL).UnixMilli())
		st.queue <- notice{Kind: kindPresence} // send the current list to the newcomer too
	}
	left := func(st *stream, s *sub) {
		me := s.conn.Viewer().MemberID
		st.mu.Lock()
		if st.localPresent[me]--; st.localPresent[me] <= 0 {
			delete(st.localPresent, me)
		}
		st.mu.Unlock()
		announce(me, 1) // gone (after the arrival: hooks run in this order)
	}
	if _, _, err := h.subscribe(ctx, discussionID, kindPresence, out, hooks{prepare: count, joined: arrived, done: left}); err != nil {
		return nil, err
	}
	return out.ch, nil
}
