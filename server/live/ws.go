package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// writeWait bounds every write: a peer that does not read is dropped, not waited for.
const writeWait = 10 * time.Second

// sendBuffer is the kernel send buffer of each websocket.
const sendBuffer = 64 << 10

// Upgrader is gqlgen's websocket implementation over gorilla/websocket. It checks the Origin
// against an allow-list, and guards the protocol: duplicate subscription ids are refused as
// graphql-transport-ws says (close 4409), and a connection holds at most MaxSubscriptions.
type Upgrader struct {
	upgrader         websocket.Upgrader
	allowedOrigins   []string
	maxSubscriptions int
	pingEvery        time.Duration
}

// NewUpgrader returns the implementation; allowedOrigins are the browser origins besides the
// server's own.
func NewUpgrader(allowedOrigins []string, maxSubscriptions int, pingEvery time.Duration) *Upgrader {
	u := &Upgrader{allowedOrigins: allowedOrigins, maxSubscriptions: maxSubscriptions, pingEvery: pingEvery}
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
	if slices.Contains(u.allowedOrigins, origin) {
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
	ws := &wsConn{c: c, active: map[string]bool{}, max: u.maxSubscriptions, pingEvery: u.pingEvery}
	c.SetPongHandler(func(string) error { ws.extendDeadline(); return nil })
	ws.extendDeadline()
	// The handshake is done and the middleware has read what it needs: gqlgen would keep the
	// request's headers (cookies, user agent, ...) for the life of the connection.
	r.Header = nil
	if conn := connFrom(r.Context()); conn != nil {
		conn.attach(ws)
	}
	return ws, nil
}

// wsConn adapts a gorilla connection to gqlgen and guards the protocol.
type wsConn struct {
	c         *websocket.Conn
	writeMu   sync.Mutex
	mu        sync.Mutex
	active    map[string]bool
	max       int
	pingEvery time.Duration
}

// envelope is the part of a protocol message the guard reads.
type envelope struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// NextReader implements transport.WebsocketConn.
func (w *wsConn) NextReader() (int, io.Reader, error) {
	for {
		typ, r, err := w.c.NextReader()
		if err != nil {
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
				return 0, nil, transport.ErrWebsocketClosed
			}
			return 0, nil, err
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return 0, nil, err
		}
		var env envelope
		_ = json.Unmarshal(data, &env)
		pass, err := w.guard(env)
		if err != nil {
			return 0, nil, err
		}
		if pass {
			return typ, bytes.NewReader(data), nil
		}
	}
}

// guard tracks subscription ids; it says whether to pass the message on.
func (w *wsConn) guard(env envelope) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch env.Type {
	case "subscribe", "start":
		if w.active[env.ID] {
			if env.Type == "subscribe" { // graphql-transport-ws: close 4409
				msg := fmt.Sprintf("Subscriber for %s already exists", env.ID)
				w.closeWith(CloseDuplicateID, msg)
				return false, errors.New(msg)
			}
			return false, w.writeError(env, "a subscription with this id is running")
		}
		if len(w.active) >= w.max {
			return false, w.writeError(env, fmt.Sprintf("at most %d subscriptions per connection", w.max))
		}
		w.active[env.ID] = true
	case "complete", "stop":
		delete(w.active, env.ID)
	}
	return true, nil
}

// writeError answers one subscription with an error in the negotiated protocol.
func (w *wsConn) writeError(env envelope, message string) error {
	payload := []map[string]any{{"message": message, "extensions": map[string]any{"code": "TOO_MANY_SUBSCRIPTIONS"}}}
	if env.Type == "start" { // graphql-ws: payload is one error object
		return w.write(map[string]any{"type": "error", "id": env.ID, "payload": payload[0]})
	}
	return w.write(map[string]any{"type": "error", "id": env.ID, "payload": payload})
}

// WriteJSON implements transport.WebsocketConn. It notices the end of subscriptions, to free
// their ids.
func (w *wsConn) WriteJSON(v any) error {
	buf := framePool.Get().(*[]byte)
	defer putFrame(buf)
	data, env, ok := frame((*buf)[:0], v)
	*buf = data
	if !ok {
		var err error
		if data, err = json.Marshal(v); err != nil {
			return err
		}
		_ = json.Unmarshal(data, &env)
	}
	if env.Type == "complete" {
		w.mu.Lock()
		delete(w.active, env.ID)
		w.mu.Unlock()
	}
	return w.writeRaw(data)
}

var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

// messageFields are the indices of the Type, ID and Payload fields of a gqlgen protocol
// message type; ok is false for other types.
type messageFields struct {
	typ, id, payload int
	ok               bool
}

// fieldsByType caches messageFields by reflect.Type (gqlgen has two message types).
var fieldsByType sync.Map

func fieldsOf(t reflect.Type) messageFields {
	if f, ok := fieldsByType.Load(t); ok {
		return f.(messageFields)
	}
	var f messageFields
	typ, okT := t.FieldByName("Type")
	id, okI := t.FieldByName("ID")
	payload, okP := t.FieldByName("Payload")
	if okT && okI && okP && len(typ.Index) == 1 && len(id.Index) == 1 && len(payload.Index) == 1 &&
		typ.Type.Kind() == reflect.String && id.Type.Kind() == reflect.String && payload.Type == rawMessageType {
		f = messageFields{typ: typ.Index[0], id: id.Index[0], payload: payload.Index[0], ok: true}
	}
	fieldsByType.Store(t, f)
	return f
}

// frame encodes gqlgen's protocol messages (type, id, payload) by hand. Their payload is
// JSON already; encoding/json would validate and compact it again for every subscriber, the
// largest cost of a delivery after the write itself.
func frame(buf []byte, v any) ([]byte, envelope, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil, envelope{}, false
	}
	rv = rv.Elem()
	f := fieldsOf(rv.Type())
	if !f.ok {
		return nil, envelope{}, false
	}
	env := envelope{Type: rv.Field(f.typ).String(), ID: rv.Field(f.id).String()}
	raw := rv.Field(f.payload).Bytes()
	buf = appendJSONString(append(buf, `{"type":`...), env.Type)
	if env.ID != "" {
		buf = appendJSONString(append(buf, `,"id":`...), env.ID)
	}
	if len(raw) > 0 {
		buf = append(append(buf, `,"payload":`...), raw...)
	}
	return append(buf, '}'), env, true
}

// framePool recycles frame buffers: a delivery to thousands of subscribers would otherwise
// leave one behind per subscriber for the garbage collector.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func putFrame(b *[]byte) {
	if cap(*b) <= 64<<10 {
		framePool.Put(b)
	}
}

// appendJSONString appends s as a JSON string.
func appendJSONString(buf []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			quoted, _ := json.Marshal(s)
			return append(buf, quoted...)
		}
	}
	return append(append(append(buf, '"'), s...), '"')
}

func (w *wsConn) write(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.writeRaw(data)
}

func (w *wsConn) writeRaw(data []byte) error {
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	_ = w.c.SetWriteDeadline(time.Now().Add(writeWait))
	return w.c.WriteMessage(websocket.TextMessage, data)
}

// ping sends a websocket ping (safe beside other writes: gorilla allows concurrent control frames).
func (w *wsConn) ping() {
	_ = w.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
}

// extendDeadline gives a live peer (it answered a ping) two more ping intervals.
func (w *wsConn) extendDeadline() {
	if w.pingEvery > 0 {
		_ = w.c.SetReadDeadline(time.Now().Add(2*w.pingEvery + writeWait))
	}
}

// WriteClose implements transport.WebsocketConn.
func (w *wsConn) WriteClose(code int, message string) error {
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	return w.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, message), time.Now().Add(time.Second))
}

// closeWith sends a close frame and closes the connection.
func (w *wsConn) closeWith(code int, reason string) {
	_ = w.WriteClose(code, reason)
	_ = w.c.Close()
}

// Close implements transport.WebsocketConn.
func (w *wsConn) Close() error { return w.c.Close() }

// Subprotocol implements transport.WebsocketConn.
func (w *wsConn) Subprotocol() string { return w.c.Subprotocol() }

// SetReadLimit implements transport.WebsocketReadLimiter.
func (w *wsConn) SetReadLimit(limit int64) { w.c.SetReadLimit(limit) }

// wsConn does not implement transport.WebsocketReadDeadliner on purpose: gqlgen would clear
// the read deadline on a protocol pong, switching off the dead-peer detection of extendDeadline.
