package apitest

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The two websocket subprotocols clients use.
const (
	TransportWS = "graphql-transport-ws" // the graphql-ws library
	LegacyWS    = "graphql-ws"           // subscriptions-transport-ws
)

// WS is a test client of the GraphQL websocket endpoint.
type WS struct {
	t     testing.TB
	c     *websocket.Conn
	Proto string
}

// WSMessage is one protocol message from the server.
type WSMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Payload json.RawMessage `json:"payload"`
}

// DialWS opens a websocket with the subprotocol, sends connection_init with the payload and
// waits for the acknowledgement. It returns the close error if the server refuses.
func (e *Env) DialWS(t testing.TB, proto string, header http.Header, initPayload map[string]any, opts ...func(*websocket.Dialer)) (*WS, error) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{proto}, HandshakeTimeout: 5 * time.Second}
	for _, o := range opts {
		o(&d)
	}
	c, res, err := d.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/graphql", header)
	if err != nil {
		if res != nil {
			return nil, errors.New(res.Status)
		}
		return nil, err
	}
	ws := &WS{t: t, c: c, Proto: proto}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.WriteJSON(map[string]any{"type": "connection_init", "payload": initPayload}); err != nil {
		return nil, err
	}
	for {
		m, err := ws.Read(5 * time.Second)
		if err != nil {
			return nil, err
		}
		switch m.Type {
		case "connection_ack":
			return ws, nil
		case "connection_error":
			return nil, errors.New(string(m.Payload))
		}
	}
}

// SmallReceiveBuffer makes the client's socket take little before the server must wait: a
// client that does not read then jams quickly, as a stuck browser tab would.
func SmallReceiveBuffer(d *websocket.Dialer) {
	d.NetDial = func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		return c, err
	}
}

// Session dials with the session's bearer token in connection_init.
func (s *Session) DialWS(t testing.TB, proto string, opts ...func(*websocket.Dialer)) *WS {
	t.Helper()
	ws, err := s.env.DialWS(t, proto, nil, map[string]any{"authorization": "Bearer " + s.Token}, opts...)
	if err != nil {
		t.Fatalf("dialing websocket: %v", err)
	}
	return ws
}

// Subscribe starts a subscription with the id.
func (w *WS) Subscribe(id, query string, vars map[string]any) error {
	typ := "subscribe"
	if w.Proto == LegacyWS {
		typ = "start"
	}
	return w.c.WriteJSON(map[string]any{"type": typ, "id": id, "payload": map[string]any{"query": query, "variables": vars}})
}

// Stop ends a subscription from the client side.
func (w *WS) Stop(id string) error {
	typ := "complete"
	if w.Proto == LegacyWS {
		typ = "stop"
	}
	return w.c.WriteJSON(map[string]any{"type": typ, "id": id})
}

// Read returns the next message that is not a keep-alive; pings are answered.
func (w *WS) Read(timeout time.Duration) (WSMessage, error) {
	for {
		_ = w.c.SetReadDeadline(time.Now().Add(timeout))
		var m WSMessage
		if err := w.c.ReadJSON(&m); err != nil {
			return m, err
		}
		switch m.Type {
		case "ka", "pong":
			continue
		case "ping":
			_ = w.c.WriteJSON(map[string]any{"type": "pong"})
			continue
		}
		return m, nil
	}
}

// Next returns the next data message for a subscription, failing the test on anything else.
func (w *WS) Next(id string) json.RawMessage {
	w.t.Helper()
	m, err := w.Read(10 * time.Second)
	if err != nil {
		w.t.Fatalf("reading subscription %s: %v", id, err)
	}
	if (m.Type != "next" && m.Type != "data") || m.ID != id {
		w.t.Fatalf("want data for %s, got %s %s %s", id, m.Type, m.ID, m.Payload)
	}
	return m.Payload
}

// CloseCode waits for the server to close the connection and returns code and reason.
func (w *WS) CloseCode(timeout time.Duration) (int, string) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		_, err := w.Read(time.Until(deadline))
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		if err != nil {
			return -1, err.Error()
		}
	}
	return 0, "still open"
}

// Conn is the underlying connection (for tests that misbehave on purpose).
func (w *WS) Conn() *websocket.Conn { return w.c }

// Close closes the connection.
func (w *WS) Close() { _ = w.c.Close() }
