package live_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"zirkel/server/apitest"
)

// raw is a websocket client that sends whatever frames a test gives it, to provoke the
// protocol errors a well-behaved client library never makes.
type raw struct {
	t     testing.TB
	c     *websocket.Conn
	proto string
}

// frame is one websocket message a test sends.
type frame struct {
	data   string
	binary bool
}

// text and binary make frames.
func text(s string) frame   { return frame{data: s} }
func binary(s string) frame { return frame{data: s, binary: true} }

// dialRaw opens a websocket with the subprotocol and sends nothing.
func dialRaw(t testing.TB, env *apitest.Env, proto string) *raw {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{proto}, HandshakeTimeout: 5 * time.Second}
	c, _, err := d.Dial("ws"+strings.TrimPrefix(env.URL, "http")+"/graphql", nil)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &raw{t: t, c: c, proto: proto}
}

// send writes frames.
func (r *raw) send(frames ...frame) {
	r.t.Helper()
	for _, f := range frames {
		typ := websocket.TextMessage
		if f.binary {
			typ = websocket.BinaryMessage
		}
		if err := r.c.WriteMessage(typ, []byte(f.data)); err != nil {
			r.t.Fatalf("sending %q: %v", f.data, err)
		}
	}
}

// login sends connection_init with the token and waits for connection_ack.
func (r *raw) login(token string) {
	r.t.Helper()
	r.send(text(`{"type":"connection_init","payload":{"authorization":"Bearer ` + token + `"}}`))
	if m, err := r.next(); err != nil || m["type"] != "connection_ack" {
		r.t.Fatalf("want connection_ack, got %v %v", m, err)
	}
}

// errProbeAnswered ends a read when the server answered the probe's ping.
var errProbeAnswered = errors.New("pong")

// next reads the next protocol message, skipping graphql-ws keep-alives; a probe's pong
// ends it with errProbeAnswered.
func (r *raw) next() (map[string]any, error) {
	for {
		_ = r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := r.c.ReadMessage()
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, errors.New("the server sent a frame that is no JSON object: " + string(data))
		}
		if m["type"] != "ka" {
			return m, nil
		}
	}
}

// expect reads the next message and compares it with want (JSON).
func (r *raw) expect(want string) {
	r.t.Helper()
	got, err := r.next()
	if err != nil {
		r.t.Fatalf("want %s, got %v", want, err)
	}
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		r.t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		r.t.Fatalf("want %s\n got %s", want, g)
	}
}

// closed waits for the server's close frame and returns its code and reason.
func (r *raw) closed() (int, string) {
	r.t.Helper()
	for {
		m, err := r.next()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		if err != nil {
			r.t.Fatalf("want a close frame, got %v", err)
		}
		r.t.Logf("before the close: %v", m)
	}
}

// expectClose checks the close frame's code and reason.
func (r *raw) expectClose(code int, reason string) {
	r.t.Helper()
	if gotCode, gotReason := r.closed(); gotCode != code || gotReason != reason {
		r.t.Fatalf("want close %d %q, got %d %q", code, reason, gotCode, gotReason)
	}
}

// expectOpen checks that the connection is still served and that the server sent nothing
// more: a probe is answered before anything else arrives (graphql-transport-ws: a ping;
// graphql-ws, which has none: a message of unknown type, answered with an error).
func (r *raw) expectOpen() {
	r.t.Helper()
	if r.proto == apitest.TransportWS {
		r.send(text(`{"type":"ping","payload":{"probe":true}}`))
		r.expect(`{"type":"pong","payload":{"probe":true}}`)
		return
	}
	r.send(text(`{"type":"probe","id":"probe"}`))
	r.expect(`{"type":"error","id":"probe","payload":{"message":"Invalid message type!","extensions":{"code":"BAD_REQUEST"}}}`)
}

// alive tells whether the server still answers a websocket ping before anything else comes,
// or else how it closed; the connection is of no further use after it.
func (r *raw) alive() (open bool, code int, reason string, err error) {
	r.c.SetPongHandler(func(string) error { return errProbeAnswered })
	if err := r.c.WriteControl(websocket.PingMessage, []byte("probe"), time.Now().Add(5*time.Second)); err != nil {
		return false, 0, "", err
	}
	for {
		_, err := r.next()
		var ce *websocket.CloseError
		switch {
		case errors.Is(err, errProbeAnswered):
			return true, 0, "", nil
		case errors.As(err, &ce):
			return false, ce.Code, ce.Text, nil
		case err != nil:
			return false, 0, "", err
		}
	}
}
