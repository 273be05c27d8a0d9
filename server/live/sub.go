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
	ch        chan any
	allowed   func(*viewer.Viewer) bool
	replaying atomic.Bool
	missed    atomic.Bool
	revoked   sync.Once
}

// revokedNotice tells a subscription's goroutine that the viewer lost access.
type revokedNotice struct{}

func newSub(c *Conn, kind string, buffer int, allowed func(*viewer.Viewer) bool) *sub {
	return &sub{conn: c, kind: kind, ch: make(chan any, buffer), allowed: allowed}
}

// deliver hands an event over without blocking.
func (s *sub) deliver(ev any) {
	select {
	case s.ch <- ev:
	default:
		if s.replaying.Load() {
			s.missed.Store(true)
			return
		}
		s.conn.close(ClosePolicy, reasonSlowConsumer)
	}
}

// revoke ends the subscription with a FORBIDDEN error, once.
func (s *sub) revoke() {
	s.revoked.Do(func() {
		select {
		case s.ch <- revokedNotice{}:
		default:
			s.conn.close(ClosePolicy, reasonSlowConsumer)
		}
	})
}

// check delivers ev if the connection's viewer may still see it, and revokes otherwise.
func (s *sub) check(ev any) {
	if !s.allowed(s.conn.Viewer()) {
		s.revoke()
		return
	}
	s.deliver(ev)
}
