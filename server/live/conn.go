package live

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// Close codes sent to clients, with reasons they can show.
const (
	CloseGoingAway      = 1001 // the replica shuts down: reconnect (to another) and resume
	ClosePolicy         = 1008 // the client fell too far behind: reconnect and resume
	CloseUnauthorized   = 4401 // the session ended: log in again
	CloseForbidden      = 4403 // connection_init refused (no or wrong token, too many connections)
	CloseDuplicateID    = 4409 // graphql-transport-ws: a subscription id was reused
	reasonGoingAway     = "server shutting down: reconnect and resume from your cursor"
	reasonSlowConsumer  = "too slow to keep up: reconnect and resume from your cursor"
	reasonSessionEnded  = "the session has ended: log in again"
	reasonLimitExceeded = "too many connections for this member"
)

// Conn is one websocket connection: who is on it and how to close it.
type Conn struct {
	hub       *Hub
	viewer    atomic.Pointer[viewer.Viewer]
	token     string // session token, to re-check the session
	sessionID gid.ID

	upgraded chan struct{} // closed once the socket is taken over from net/http

	mu     sync.Mutex
	ws     *wsConn
	subs   map[*sub]struct{}
	closed bool
}

type connKey struct{}

// connFrom returns the connection of a websocket request's context.
func connFrom(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}

// Viewer is the connection's current viewer (reloaded when their rights change).
func (c *Conn) Viewer() *viewer.Viewer { return c.viewer.Load() }

func (c *Conn) attach(ws *wsConn) {
	c.mu.Lock()
	c.ws = ws
	c.mu.Unlock()
	c.hub.track(c)
	close(c.upgraded)
}

func (c *Conn) addSub(s *sub) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subs[s] = struct{}{}
}

func (c *Conn) removeSub(s *sub) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.subs, s)
}

func (c *Conn) subscriptions() []*sub {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*sub, 0, len(c.subs))
	for s := range c.subs {
		out = append(out, s)
	}
	return out
}

// closeNow sends the close frame before returning.
func (c *Conn) closeNow(code int, reason string) {
	c.mu.Lock()
	ws, already := c.ws, c.closed
	c.closed = true
	c.mu.Unlock()
	if !already && ws != nil {
		ws.closeWith(code, reason)
	}
}

// close ends the connection with a close frame; it never blocks the caller for long.
func (c *Conn) close(code int, reason string) {
	c.mu.Lock()
	ws, already := c.ws, c.closed
	c.closed = true
	c.mu.Unlock()
	if already || ws == nil {
		return
	}
	go ws.closeWith(code, reason)
}

// ping sends a websocket ping; the pong extends the read deadline.
func (c *Conn) ping() {
	c.mu.Lock()
	ws := c.ws
	c.mu.Unlock()
	if ws != nil {
		ws.ping()
	}
}

// handoff is the ResponseWriter of an upgrade served away from net/http's goroutine: it
// forgets net/http's writer once the connection is hijacked, so that what hangs on it (the
// connection's buffers) can go.
type handoff struct {
	w http.ResponseWriter // nil once hijacked
}

// Header implements http.ResponseWriter.
func (h *handoff) Header() http.Header {
	if h.w == nil {
		return http.Header{}
	}
	return h.w.Header()
}

// Write implements http.ResponseWriter.
func (h *handoff) Write(p []byte) (int, error) {
	if h.w == nil {
		return 0, http.ErrHijacked
	}
	return h.w.Write(p)
}

// WriteHeader implements http.ResponseWriter.
func (h *handoff) WriteHeader(code int) {
	if h.w != nil {
		h.w.WriteHeader(code)
	}
}

// Hijack implements http.Hijacker.
func (h *handoff) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h.w == nil {
		return nil, nil, http.ErrHijacked
	}
	conn, rw, err := http.NewResponseController(h.w).Hijack()
	if err == nil {
		h.w = nil
	}
	return conn, rw, err
}
