package live

import (
	"sync"
	"sync/atomic"

	"zirkel/server/viewer"
)

// sub is one subscription of one connection. The hub hands it events without ever waiting:
// a subscriber whose buffer is full is disconnected (it resumes from its cursor), except while
// it replays from the database, when it only notes that it must catch up again.
type sub struct {
	conn      *Conn
	kind      string
	ch        chan any // events for the subscription's own goroutine
	allowed   func(*viewer.Viewer) bool
	replaying atomic.Bool
	missed    atomic.Bool
	revoked   sync.Once

	// direct, for live-only messageAdded, goes straight to gqlgen: no goroutine of ours
	// between hub and socket (one goroutine and one hand-over less per subscriber).
	direct chan *MessageEvent
	mu     sync.Mutex // guards ended, so that nothing is sent on a closed direct channel
	ended  bool
}

// revokedNotice tells a subscription's goroutine that the viewer lost access.
type revokedNotice struct{}

func newSub(c *Conn, kind string, allowed func(*viewer.Viewer) bool) *sub {
	return &sub{conn: c, kind: kind, allowed: allowed}
}

// offer hands an event over without blocking; false when the buffer is full.
func (s *sub) offer(ev any) bool {
	if s.direct == nil {
		select {
		case s.ch <- ev:
			return true
		default:
			return false
		}
	}
	me, ok := ev.(*MessageEvent)
	if !ok {
		me = &MessageEvent{Err: errRevoked}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return true
	}
	select {
	case s.direct <- me:
		return true
	default:
		return false
	}
}

// deliver hands an event over without blocking.
func (s *sub) deliver(ev any) {
	if s.offer(ev) {
		return
	}
	if s.replaying.Load() {
		s.missed.Store(true)
		return
	}
	s.conn.close(ClosePolicy, reasonSlowConsumer)
}

// revoke ends the subscription with a FORBIDDEN error, once.
func (s *sub) revoke() {
	s.revoked.Do(func() {
		if !s.offer(revokedNotice{}) {
			s.conn.close(ClosePolicy, reasonSlowConsumer)
		}
		s.endDirect() // gqlgen sends the error, then completes
	})
}

// endDirect closes a direct channel, once.
func (s *sub) endDirect() {
	if s.direct == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.ended = true
		close(s.direct)
	}
}

// check delivers ev if the connection's viewer may still see it, and revokes otherwise.
func (s *sub) check(ev any) {
	if !s.allowed(s.conn.Viewer()) {
		s.revoke()
		return
	}
	s.deliver(ev)
}
