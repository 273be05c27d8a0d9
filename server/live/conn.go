package live

import (
	"context"
	"sync"
	"sync/atomic"

	"zirkel/ent/schema/gid"
	"zirkel/server/live/wsx"
	"zirkel/server/viewer"
)

// Close codes sent to clients, with reasons they can show.
const (
	CloseGoingAway      = 1001                  // the replica shuts down: reconnect (to another) and resume
	ClosePolicy         = 1008                  // the client fell too far behind: reconnect and resume
	CloseUnauthorized   = wsx.CloseUnauthorized // the session ended: log in again
	CloseForbidden      = wsx.CloseForbidden    // connection_init refused (no or wrong token, too many connections)
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
	ws     *wsx.Conn
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

func (c *Conn) attach(ws *wsx.Conn) {
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
		ws.CloseWith(code, reason)
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
	go ws.CloseWith(code, reason)
}

// ping sends a websocket ping; the pong extends the read deadline.
func (c *Conn) ping() {
	c.mu.Lock()
	ws := c.ws
	c.mu.Unlock()
	if ws != nil {
		ws.Ping()
	}
}
