package wsx

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// defaultWriteWait bounds every write unless Options.WriteWait is set.
const defaultWriteWait = 10 * time.Second

// sendBuffer is the kernel send buffer of each websocket.
const sendBuffer = 64 << 10

// Options configure an Upgrader.
type Options struct {
	// AllowedOrigins are the browser origins allowed besides the server's own.
	AllowedOrigins []string
	// MaxSubscriptions is how many operations one connection may run at once.
	MaxSubscriptions int
	// PingEvery is how often the owner pings (see Conn.Ping); a peer silent for two rounds
	// hits its read deadline. Zero switches the read deadline off.
	PingEvery time.Duration
	// WriteWait bounds every write (zero: 10 s): a peer that does not read for that long is
	// dropped, not waited for; a frame cut short cannot be followed by a close frame, so such
	// a peer sees the connection end (1006).
	WriteWait time.Duration
	// InitTimeout is how long a client has to send connection_init (zero: for ever).
	InitTimeout time.Duration
	// OnAccept, if set, is called with every upgraded connection and its request.
	OnAccept func(r *http.Request, c *Conn)
}

// Upgrader is gqlgen's websocket implementation over gorilla/websocket. It checks the Origin
// against an allow-list; its connections guard the protocol (see Conn) and hold at most
// MaxSubscriptions operations. Give gqlgen's transport.Websocket no InitTimeout: the guard
// keeps it, closing as the protocols say.
type Upgrader struct {
	upgrader websocket.Upgrader
	opts     Options
}

// NewUpgrader returns the implementation.
func NewUpgrader(opts Options) *Upgrader {
	u := &Upgrader{opts: opts}
	u.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   512, // clients send small messages; larger ones take more reads
		WriteBufferSize:  1024,
		WriteBufferPool:  &sync.Pool{}, // idle connections hold no write buffer
		CheckOrigin:      u.checkOrigin,
	}
	return u
}

// checkOrigin allows clients without an Origin (not browsers), the server's own origin, and
// the allow-list. Everything else is refused: cookies would otherwise let any site subscribe.
func (u *Upgrader) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if slices.Contains(u.opts.AllowedOrigins, origin) {
		return true
	}
	parsed, err := url.Parse(origin)
	return err == nil && strings.EqualFold(parsed.Host, r.Host)
}

// Accept implements transport.WebsocketImplementation.
func (u *Upgrader) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	up := u.upgrader
	up.Subprotocols = opts.Subprotocols
	c, err := up.Upgrade(w, r, opts.ResponseHeader)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.NetConn().(*net.TCPConn); ok {
		// A fixed send buffer: a client that stops reading holds 64 KiB of kernel memory,
		// not megabytes, and falls behind (and is dropped) soon.
		_ = tc.SetWriteBuffer(sendBuffer)
	}
	ws := newConn(c, u.opts)
	c.SetPongHandler(func(string) error { ws.extendDeadline(); return nil })
	ws.extendDeadline()
	// The handshake is done and the middleware has read what it needs: gqlgen would keep the
	// request's headers (cookies, user agent, ...) for the life of the connection.
	r.Header = nil
	if u.opts.OnAccept != nil {
		u.opts.OnAccept(r, ws)
	}
	return ws, nil
}
