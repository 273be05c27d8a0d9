package live

import (
	"sync"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// sub is one subscription of one connection. The hub hands it events without ever waiting,
// straight into the channel gqlgen reads (no goroutine of ours in between): a subscriber whose
// buffer is full is disconnected (it resumes from its cursor). While a resumed subscription
// replays from the database, live events wait beside it and the replay decides what to send.
type sub struct {
	conn    *Conn
	kind    string
	allowed func(*viewer.Viewer) bool
	out     outlet

	mu        sync.Mutex
	ended     bool            // revoked or stopped: nothing more goes out
	replaying bool            // the replay goroutine owns the channel
	pending   []*MessageEvent // live events that arrived during the replay
	missed    bool            // pending overflowed: replay again
	revokeDue bool            // access was lost during the replay
	floor     int             // messages up to this cursor were sent by the replay
	buffer    int
}

func newSub(c *Conn, kind string, allowed func(*viewer.Viewer) bool, out outlet) *sub {
	return &sub{conn: c, kind: kind, allowed: allowed, out: out, buffer: c.hub.cfg.Buffer}
}

// outlet is the channel gqlgen reads a subscription's events from.
type outlet interface {
	// offer hands an event over without blocking; false when the buffer is full.
	offer(ev any) bool
	// revoke hands over the last event of a subscription that lost access (if its kind has
	// one) and closes the channel; false when the buffer is full.
	revoke() bool
}

// chanOutlet is an outlet for events of type T.
type chanOutlet[T any] struct {
	ch    chan T
	final func() (T, bool) // the last event for a revoked subscriber, if any
}

func newOutlet[T any](buffer int, final func() (T, bool)) chanOutlet[T] {
	return chanOutlet[T]{ch: make(chan T, buffer), final: final}
}

func (o chanOutlet[T]) offer(ev any) bool {
	v, ok := ev.(T)
	if !ok {
		return true
	}
	select {
	case o.ch <- v:
		return true
	default:
		return false
	}
}

func (o chanOutlet[T]) revoke() bool {
	defer close(o.ch) // gqlgen completes the subscription
	drain(o.ch)       // what is not out yet stays in
	if v, ok := o.final(); ok {
		select {
		case o.ch <- v:
		default:
			return false
		}
	}
	return true
}

// drain empties a channel without waiting.
func drain[T any](ch chan T) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// deliver hands an event over without blocking.
func (s *sub) deliver(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.ended:
	case s.replaying:
		if me, ok := ev.(*MessageEvent); ok && len(s.pending) < s.buffer {
			s.pending = append(s.pending, me)
		} else {
			s.missed = true
		}
	default:
		if me, ok := ev.(*MessageEvent); ok && me.Cursor <= s.floor {
			return // the replay sent it already
		}
		if !s.out.offer(ev) {
			s.conn.close(ClosePolicy, reasonSlowConsumer)
		}
	}
}

// revoke ends the subscription with a FORBIDDEN error, once.
func (s *sub) revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	if s.replaying {
		s.revokeDue = true
		return
	}
	s.ended = true
	if !s.out.revoke() {
		s.conn.close(ClosePolicy, reasonSlowConsumer)
	}
}

// stop ends the subscription without a word (gqlgen stopped reading).
func (s *sub) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
}

// check delivers ev if the connection's viewer may still see it, and revokes otherwise; a
// hidden message goes only to its author and the moderators of its place.
func (s *sub) check(ev any) {
	v := s.conn.Viewer()
	if !s.allowed(v) {
		s.revoke()
		return
	}
	if !shown(v, ev) {
		return
	}
	s.deliver(ev)
}

// shown tells whether the viewer may see a message event's message as far as hiding goes
// (the message is loaded with its author and its discussion's circle, see stream.messages).
func shown(v *viewer.Viewer, ev any) bool {
	me, ok := ev.(*MessageEvent)
	if !ok || me.Msg == nil || me.Msg.HiddenAt == nil {
		return true
	}
	var authorID, circleID gid.ID
	if a := me.Msg.Edges.Author; a != nil {
		authorID = a.ID
	}
	if d := me.Msg.Edges.Discussion; d != nil && d.Edges.Circle != nil {
		circleID = d.Edges.Circle.ID
	}
	return policy.HiddenShownTo(v, authorID, circleID)
}

// caughtUp is the replay's question after it sent everything up to lastSent: what arrived
// meanwhile. With nothing pending (and access kept) the subscription goes live: deliver sends
// from now on, skipping what the replay already sent, and live is true.
func (s *sub) caughtUp(lastSent int) (pending []*MessageEvent, missed, live bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pending, missed = s.pending, s.missed
	s.pending, s.missed = nil, false
	if len(pending) == 0 && !missed && !s.revokeDue {
		s.replaying, s.floor = false, lastSent
		return nil, false, true
	}
	return pending, missed, false
}

// revokePending tells the replay that the subscriber lost access meanwhile.
func (s *sub) revokePending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revokeDue
}

// endReplay ends a subscription from its replay goroutine, which owns the channel.
func (s *sub) endReplay(close func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended, s.replaying = true, false
	close()
}
