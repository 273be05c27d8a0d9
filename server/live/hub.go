package live

// Lock order of the live hub (verified against the code; keep it true when you change it).
//
// The mutexes:
//   - Hub.mu: the hub's maps (conns, byMember, streams, activity).
//   - stream.mu: one discussion's state (circle, last position, subs, presence).
//   - sub.mu: one subscription's replay state and whether it ended.
//   - Conn.mu: one connection's socket, subscriptions and closed flag.
//   - wsx.Conn.mu and wsx.Conn.writeMu: the transport's operation ids and its writes (package
//     wsx); neither is held while taking the other. gqlgen's own per-connection mutex is
//     taken before them (it writes under it); wsx never calls into gqlgen holding either.
//   - render.Renders.mu: the renderings of one event (a leaf).
//
// Who may take what while holding what:
//   - Hub.mu -> stream.mu: joinStream (also through the prepare hook, e.g. Presence's count)
//     and leave. joinStream holds Hub.mu while startStream subscribes to the broker and reads
//     the discussion: stream start-up is serialised on purpose (one stream per discussion).
//   - sub.mu -> Conn.mu: deliver and revoke close a slow or revoked subscriber's connection
//     (Conn.close), which hands the close frame to a goroutine: no wsx lock under sub.mu.
//   - Nothing else nests. In particular: stream.mu is never held while taking sub.mu or
//     Hub.mu (fanout, onActivity and recheck copy their subscribers out first, then call
//     check/deliver/revoke; sub.allowed takes stream.mu on its own); Hub.mu is never held
//     while taking sub.mu or Conn.mu (register, unregister and onAccess read the viewer
//     atomically); Conn.mu is released before the hub is told (attach -> track) and before
//     the socket is written (closeNow, ping). No lock is held across a blocking channel send
//     (Presence's arrival notice, replay) or a write to a socket, except wsx's own writeMu.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/live/wsx"
	"zirkel/server/pubsub"
	"zirkel/server/render"
	"zirkel/server/viewer"
)

// Sessions is what the hub needs of the login service.
type Sessions interface {
	// ViewerForToken returns the viewer of a live session, or an error when it has ended.
	ViewerForToken(ctx context.Context, token string) (*viewer.Viewer, error)
	// RequestToken is the token the HTTP middleware authenticated the request with.
	RequestToken(ctx context.Context) string
	// Detach returns a request's context for a connection that outlives the request (the
	// request's ends when its handler returns).
	Detach(ctx context.Context) context.Context
}

// Config holds the hub's limits.
type Config struct {
	Buffer            int           // events a subscriber may fall behind before it is dropped
	MaxConnsPerMember int           // websocket connections one member may hold
	MaxSubscriptions  int           // subscriptions per connection
	SessionCheckEvery time.Duration // how often a connection's session is re-checked
	PresenceTTL       time.Duration // how long presence lasts without a heartbeat
	TypingTTL         time.Duration // how long a typing indicator lasts
	LookupTimeout     time.Duration // deadline of looking a connection_init's session up
	WriteWait         time.Duration // how long a write may wait for a peer that does not read (zero: 10 s)
}

// DefaultConfig suits a community platform.
var DefaultConfig = Config{
	Buffer: 64, MaxConnsPerMember: 10, MaxSubscriptions: 50,
	SessionCheckEvery: 5 * time.Minute, PresenceTTL: 30 * time.Second, TypingTTL: 6 * time.Second,
	LookupTimeout: 5 * time.Second, WriteWait: 10 * time.Second,
}

// Hub is the live side of one replica.
type Hub struct {
	client   *ent.Client
	broker   pubsub.Broker
	sessions Sessions
	logger   *slog.Logger
	cfg      Config
	renders  render.Stats

	mu       sync.Mutex
	conns    map[*Conn]struct{}
	byMember map[gid.ID]map[*Conn]struct{}
	streams  map[gid.ID]*stream
	activity map[*activitySub]struct{}
	unsub    []func()
	done     chan struct{}
}

// NewHub starts the hub: it listens for activity and access changes from every replica.
func NewHub(client *ent.Client, broker pubsub.Broker, sessions Sessions, cfg Config, logger *slog.Logger) (*Hub, error) {
	h := &Hub{
		client: client, broker: broker, sessions: sessions, cfg: cfg, logger: logger,
		conns: map[*Conn]struct{}{}, byMember: map[gid.ID]map[*Conn]struct{}{},
		streams: map[gid.ID]*stream{}, activity: map[*activitySub]struct{}{}, done: make(chan struct{}),
	}
	// Activity and access notices need the database: they are handled on the hub's own
	// goroutine, not in the broker's (with the in-process broker, that is the publishing
	// mutation's), in order.
	work := make(chan func(), 4096)
	for subject, handle := range map[string]func(notice){subjectActivity: h.onActivity, subjectAccess: h.onAccess} {
		unsub, err := broker.Subscribe(subject, decoded(logger, func(n notice) {
			select {
			case work <- func() { handle(n) }:
			case <-h.done:
			}
		}))
		if err != nil {
			return nil, err
		}
		h.unsub = append(h.unsub, unsub)
	}
	go func() {
		for {
			select {
			case f := <-work:
				f()
			case <-h.done:
				return
			}
		}
	}()
	go h.everyConnection(cfg.SessionCheckEvery, h.recheck)
	go h.everyConnection(pingEvery, func(conns []*Conn) {
		for _, c := range conns {
			c.ping()
		}
	})
	return h, nil
}

// decoded turns a broker handler on bytes into one on notices.
func decoded(logger *slog.Logger, handle func(notice)) pubsub.Handler {
	return func(data []byte) {
		var n notice
		if err := json.Unmarshal(data, &n); err != nil {
			logger.Warn("dropping a malformed live notice", "err", err)
			return
		}
		handle(n)
	}
}

// Transport is gqlgen's websocket transport for this hub, rendering each message and typing
// event once per question (see MessageShape and TypingShape).
func (h *Hub) Transport(allowedOrigins []string) graphql.Transport {
	readLimit := int64(64 << 10)
	// Keep-alive and dead-peer detection are websocket pings from one goroutine for all
	// connections (see everyConnection), not a goroutine per connection: both protocols' clients
	// answer them, and a peer that stops answering hits its read deadline.
	ws := transport.Websocket{
		Implementation: wsx.NewUpgrader(wsx.Options{
			AllowedOrigins: allowedOrigins, MaxSubscriptions: h.cfg.MaxSubscriptions, PingEvery: pingEvery,
			InitTimeout: initTimeout, WriteWait: h.cfg.WriteWait,
			OnAccept: func(r *http.Request, ws *wsx.Conn) {
				if c := connFrom(r.Context()); c != nil {
					c.attach(ws)
				}
			},
		}),
		InitFunc:         h.init,
		PayloadReadLimit: &readLimit,
	}
	return render.Transport(ws, render.Options{
		Shapes:   map[string]render.Shape{"messageAdded": MessageShape, "messageUpdated": MessageShape, "typing": TypingShape},
		Audience: audience,
		Stats:    &h.renders,
	})
}

// Renderings tells how many message events were rendered for a shared question, and how many
// times such a rendering went to a further subscriber.
func (h *Hub) Renderings() (rendered, reused int64) {
	return h.renders.Rendered.Load(), h.renders.Reused.Load()
}

// audience tells apart the viewers who see different renderings of a shape.
func audience(ctx context.Context) string {
	if currentViewer(ctx).IsVendor() {
		return "vendor"
	}
	return "member"
}

// currentViewer is the viewer of a websocket's connection now (rights change while it is
// open: see recheck), else the request's.
func currentViewer(ctx context.Context) *viewer.Viewer {
	if c := connFrom(ctx); c != nil && c.Viewer() != nil {
		return c.Viewer()
	}
	return viewer.FromContext(ctx)
}

// CurrentViewer is a gqlgen operation middleware: operations on a websocket run as the
// connection's current viewer, not as the one it had at connection_init.
func (h *Hub) CurrentViewer(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if c := connFrom(ctx); c != nil && c.Viewer() != nil {
		ctx = viewer.NewContext(ctx, c.Viewer())
	}
	return next(ctx)
}

// Middleware gives each websocket request its Conn and forgets it when the socket closes.
// Once upgraded, the connection is served on a goroutine of its own and net/http's handler
// returns: its goroutine, buffers and request state would otherwise stay for as long as the
// socket is open (about 10 KiB per subscriber).
func (h *Hub) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		c := &Conn{hub: h, subs: map[*sub]struct{}{}, upgraded: make(chan struct{})}
		ctx := context.WithValue(h.sessions.Detach(r.Context()), connKey{}, c)
		hw, req, served := wsx.NewHandoff(w), r.WithContext(ctx), make(chan struct{})
		go func() {
			defer close(served)
			defer h.unregister(c)
			next.ServeHTTP(hw, req)
		}()
		select {
		case <-c.upgraded:
		case <-served: // refused before the upgrade: the answer is written
		}
	})
}

// init authenticates a connection from the connection_init payload ("authorization":
// "Bearer <token>", or "token"), or else from the cookie or header of the upgrade request.
func (h *Hub) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	c := connFrom(ctx)
	if c == nil {
		return ctx, nil, errors.New("no connection")
	}
	ctx, err := h.authenticate(ctx, c, payload)
	if err != nil {
		// Say why, in the protocol's words (graphql-transport-ws: close 4403).
		return wsx.Refuse(ctx, err)
	}
	return ctx, nil, nil
}

// authenticate finds the connection's viewer and registers the connection.
func (h *Hub) authenticate(ctx context.Context, c *Conn, payload transport.InitPayload) (context.Context, error) {
	token := strings.TrimSpace(strings.TrimPrefix(payload.Authorization(), "Bearer "))
	if t, ok := payload["token"].(string); ok && token == "" {
		token = t
	}
	v := viewer.FromContext(ctx)
	if token != "" {
		var err error
		timeout := h.cfg.LookupTimeout
		if timeout <= 0 {
			timeout = DefaultConfig.LookupTimeout
		}
		lookup, cancel := context.WithTimeout(ctx, timeout) // a stalled database holds no socket
		v, err = h.sessions.ViewerForToken(lookup, token)
		cancel()
		if err != nil {
			return ctx, errors.New("the session has ended or the token is wrong")
		}
	} else if v != nil {
		token = h.sessions.RequestToken(ctx)
	}
	if v == nil {
		return ctx, errors.New("login required: send a token in connection_init")
	}
	c.viewer.Store(v)
	c.token, c.sessionID = token, v.SessionID
	if err := h.register(c); err != nil {
		return ctx, err
	}
	return viewer.NewContext(ctx, v), nil
}

// track counts an upgraded connection, before it authenticates, so that Shutdown reaches it.
func (h *Hub) track(c *Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns[c] = struct{}{}
}

// register records an authenticated connection under its member, within the member's limit.
func (h *Hub) register(c *Conn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	member := c.Viewer().MemberID
	if len(h.byMember[member]) >= h.cfg.MaxConnsPerMember {
		return fmt.Errorf("%s (limit %d)", reasonLimitExceeded, h.cfg.MaxConnsPerMember)
	}
	if h.byMember[member] == nil {
		h.byMember[member] = map[*Conn]struct{}{}
	}
	h.byMember[member][c] = struct{}{}
	return nil
}

func (h *Hub) unregister(c *Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
	if v := c.Viewer(); v != nil {
		delete(h.byMember[v.MemberID], c)
		if len(h.byMember[v.MemberID]) == 0 {
			delete(h.byMember, v.MemberID)
		}
	}
}

// connections is a snapshot of the open connections.
func (h *Hub) connections() []*Conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	return conns
}

// Connections is the number of open, authenticated connections.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for c := range h.conns {
		if c.Viewer() != nil {
			n++
		}
	}
	return n
}

// Subscriptions is the number of running discussion subscriptions on this replica.
func (h *Hub) Subscriptions() int {
	h.mu.Lock()
	streams := make([]*stream, 0, len(h.streams))
	for _, st := range h.streams {
		streams = append(streams, st)
	}
	h.mu.Unlock()
	n := 0
	for _, st := range streams {
		st.mu.Lock()
		n += len(st.subs)
		st.mu.Unlock()
	}
	return n
}

// Shutdown closes every websocket with "going away", so clients reconnect to another replica
// and resume from their cursors; http.Server.Shutdown does not close hijacked connections.
func (h *Hub) Shutdown() {
	conns := h.connections()
	h.mu.Lock()
	streams := make([]*stream, 0, len(h.streams))
	for _, st := range h.streams {
		streams = append(streams, st)
	}
	h.mu.Unlock()
	// Close frames are sent before Shutdown returns: the process may exit right after.
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.closeNow(CloseGoingAway, reasonGoingAway)
		}()
	}
	wg.Wait()
	for _, st := range streams {
		st.halt()
	}
	select {
	case <-h.done:
	default:
		close(h.done)
	}
	for _, u := range h.unsub {
		u()
	}
}

// onAccess reloads the viewers of a member whose rights changed, or closes the connections
// of an ended session; subscriptions that lost access end with a FORBIDDEN error.
func (h *Hub) onAccess(n notice) {
	h.mu.Lock()
	var conns []*Conn
	for c := range h.byMember[n.MemberID] {
		if n.Kind == kindAccess || n.SessionID == "" || n.SessionID == c.sessionID {
			conns = append(conns, c)
		}
	}
	h.mu.Unlock()
	h.recheck(conns)
}

// recheck reloads the connections' viewers from their sessions (once per session, however
// many connections share it) and drops what they may no longer see.
func (h *Hub) recheck(conns []*Conn) {
	byToken := map[string][]*Conn{}
	for _, c := range conns {
		if c.Viewer() != nil { // else not authenticated yet: connection_init decides
			byToken[c.token] = append(byToken[c.token], c)
		}
	}
	for token, same := range byToken {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		v, err := h.sessions.ViewerForToken(ctx, token)
		cancel()
		for _, c := range same {
			if err != nil {
				c.close(CloseUnauthorized, reasonSessionEnded)
				continue
			}
			c.viewer.Store(v)
			for _, s := range c.subscriptions() {
				if !s.allowed(v) {
					s.revoke()
				}
			}
		}
	}
}

// everyConnection calls f with all connections each interval, until the hub shuts down:
// re-checking sessions (so that expired ones end their connections even without a notice)
// and pinging (so that dead peers are found), from one goroutine each for all connections.
func (h *Hub) everyConnection(every time.Duration, f func([]*Conn)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-tick.C:
			f(h.connections())
		}
	}
}

// pingEvery is how often every connection is pinged; a peer silent for two rounds is dropped.
const pingEvery = 15 * time.Second

// initTimeout is how long a new connection has to send connection_init.
const initTimeout = 5 * time.Second

// errRevoked is what a subscription that lost access receives.
var errRevoked = apperr.Forbidden("access revoked: you can no longer see this discussion")
