package wsx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// Close codes of the GraphQL websocket protocols.
const (
	CloseUnauthorized = 4401 // graphql-transport-ws: not authorised (or the session ended)
	CloseForbidden    = 4403 // connection_init refused
	CloseDuplicateID  = 4409 // graphql-transport-ws: a subscription id was reused
)

// Conn adapts a gorilla connection to gqlgen and guards the protocol.
type Conn struct {
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
func (w *Conn) NextReader() (int, io.Reader, error) {
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
func (w *Conn) guard(env envelope) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch env.Type {
	case "subscribe", "start":
		if w.active[env.ID] {
			if env.Type == "subscribe" { // graphql-transport-ws: close 4409
				msg := fmt.Sprintf("Subscriber for %s already exists", env.ID)
				w.CloseWith(CloseDuplicateID, msg)
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
func (w *Conn) writeError(env envelope, message string) error {
	payload := []map[string]any{{"message": message, "extensions": map[string]any{"code": "TOO_MANY_SUBSCRIPTIONS"}}}
	if env.Type == "start" { // graphql-ws: payload is one error object
		return w.write(map[string]any{"type": "error", "id": env.ID, "payload": payload[0]})
	}
	return w.write(map[string]any{"type": "error", "id": env.ID, "payload": payload})
}

// WriteJSON implements transport.WebsocketConn. It notices the end of subscriptions, to free
// their ids.
func (w *Conn) WriteJSON(v any) error {
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

func (w *Conn) write(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.writeRaw(data)
}

func (w *Conn) writeRaw(data []byte) error {
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	_ = w.c.SetWriteDeadline(time.Now().Add(writeWait))
	return w.c.WriteMessage(websocket.TextMessage, data)
}

// Ping sends a websocket ping (safe beside other writes: gorilla allows concurrent control
// frames); the peer's pong extends the read deadline.
func (w *Conn) Ping() {
	_ = w.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
}

// extendDeadline gives a live peer (it answered a ping) two more ping intervals.
func (w *Conn) extendDeadline() {
	if w.pingEvery > 0 {
		_ = w.c.SetReadDeadline(time.Now().Add(2*w.pingEvery + writeWait))
	}
}

// WriteClose implements transport.WebsocketConn.
func (w *Conn) WriteClose(code int, message string) error {
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	return w.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, message), time.Now().Add(time.Second))
}

// CloseWith sends a close frame and closes the connection.
func (w *Conn) CloseWith(code int, reason string) {
	_ = w.WriteClose(code, reason)
	_ = w.c.Close()
}

// Close implements transport.WebsocketConn.
func (w *Conn) Close() error { return w.c.Close() }

// Subprotocol implements transport.WebsocketConn.
func (w *Conn) Subprotocol() string { return w.c.Subprotocol() }

// SetReadLimit implements transport.WebsocketReadLimiter.
func (w *Conn) SetReadLimit(limit int64) { w.c.SetReadLimit(limit) }

// Conn does not implement transport.WebsocketReadDeadliner on purpose: gqlgen would clear
// the read deadline on a protocol pong, switching off the dead-peer detection of extendDeadline.
