package live_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/live"
)

// frameSep separates the frames of one fuzz input.
const frameSep = "\x1e"

// What each protocol's server may send and close with (1008: fell behind, 1009: a frame
// over 64 KiB; graphql-ws: 1000 after connection_terminate, 1011 after a refused init).
var (
	transportAnswers = []string{"connection_ack", "next", "error", "complete", "ping", "pong"}
	transportCloses  = []int{1008, 1009, 4400, 4401, 4403, 4409, 4429}
	legacyAnswers    = []string{"connection_ack", "connection_error", "ka", "data", "error", "complete"}
	legacyCloses     = []int{1000, 1008, 1009, 1011}
)

// FuzzTransportWSFrames sends arbitrary frames over graphql-transport-ws, before or after
// connection_init: the server never panics, answers only with the protocol's messages or
// closes with one of its codes, and keeps serving another connection.
func FuzzTransportWSFrames(f *testing.F) {
	fuzzFrames(f, apitest.TransportWS, transportAnswers, transportCloses, []string{
		`{"type":"connection_init"}`,
		`{"type":"connection_init","payload":"x"}`,
		`{"type":"connection_init","payload":{"x":1e999}}`,
		`{"type":"ping","payload":{"a":1}}` + frameSep + `{"type":"pong"}`,
		subscribeD,
		subscribeD + frameSep + subscribeD,
		subscribeD + frameSep + `{"type":"complete","id":"s"}` + frameSep + subscribeD,
		`{"type":"subscribe","id":"q","payload":{"query":"{ nichtDa }"}}`,
		`{"type":"subscribe","id":"q","payload":{"query":"{ __typename }","variables":[1]}}`,
		`{"type":"subscribe","payload":{"query":"{ __typename }"}}`,
		`{"type":"subscribe","id":1,"payload":{"query":"{ __typename }"}}`,
		`{"type":"complete"}`,
		`{"type":"next","id":"1","payload":{}}`,
		`{"type":"start","id":"1"}`,
		`{"Type":"ping"}`,
		`{"id":"1"}`,
		`[{"type":"ping"}]`,
		`null`,
		`{"type":`,
		"\x00\xff",
		`{"type":"subscribe","id":"` + strings.Repeat("ü", 100) + `","payload":{"query":"{ __typename }"}}`,
	})
}

// FuzzLegacyWSFrames does the same over graphql-ws (subscriptions-transport-ws).
func FuzzLegacyWSFrames(f *testing.F) {
	fuzzFrames(f, apitest.LegacyWS, legacyAnswers, legacyCloses, []string{
		`{"type":"connection_init"}`,
		`{"type":"connection_init","payload":"x"}`,
		`{"type":"connection_init","payload":{"x":1e999}}`,
		`{"type":"connection_terminate"}`,
		startD,
		startD + frameSep + startD,
		startD + frameSep + `{"type":"stop","id":"s"}` + frameSep + startD,
		`{"type":"start","id":7,"payload":{"query":"{ __typename }"}}`,
		`{"type":"start","payload":{"query":"{ __typename }"}}`,
		`{"type":"start","id":"1","payload":{"query":{}}}`,
		`{"type":"start","id":"q","payload":{"query":"{ nichtDa }"}}`,
		`{"type":"stop","id":"nie"}`,
		`{"type":"data","id":"1","payload":{}}`,
		`{"type":"subscribe","id":"1"}`,
		`{"id":"1"}`,
		`[]`,
		`null`,
		`hallo`,
		"\x00\xff",
	})
}

// fuzzFrames runs one server for the whole fuzz run; each input is a connection of its own.
// An input is whether to log in first, whether to send binary frames, and the frames
// (separated by frameSep; {{D}} stands for a discussion id).
func fuzzFrames(f *testing.F, proto string, answers []string, closes []int, seeds []string) {
	cfg := live.DefaultConfig
	cfg.MaxConnsPerMember = 1 << 20 // inputs follow each other faster than closes are noticed
	// PostgreSQL: fuzzing instruments every package, and the embedded SQLite is a lot of Go.
	env := apitest.Start(f, "postgres", nil, app.WithLiveConfig(cfg))
	c := newCommunity(f, env)
	witness := c.jonas.DialWS(f, proto)
	for _, s := range seeds {
		for _, login := range []bool{false, true} {
			f.Add(login, false, []byte(s))
		}
	}
	f.Add(true, true, []byte(`{"type":"ping"}`))
	f.Fuzz(func(t *testing.T, login, binary bool, data []byte) {
		frames := bytes.Split(bytes.ReplaceAll(data, []byte("{{D}}"), []byte(c.discussion)), []byte(frameSep))
		if len(frames) > 8 {
			t.Skip("at most 8 frames")
		}
		r := dialRaw(t, env, proto)
		defer r.c.Close()
		if login {
			r.login(c.anna.Token)
		}
		typ := websocket.TextMessage
		if binary {
			typ = websocket.BinaryMessage
		}
		for _, fr := range frames {
			if r.c.WriteMessage(typ, fr) != nil {
				break // the server closed: its close frame tells why
			}
		}
		if err := checkAnswers(r, answers, closes); err != nil {
			t.Fatalf("frames %q: %v", frames, err)
		}
		if err := serves(witness); err != nil {
			t.Fatalf("after frames %q, another connection is not served: %v", frames, err)
		}
	})
}

// checkAnswers reads what the server sends until it answers a websocket ping or closes.
func checkAnswers(r *raw, answers []string, closes []int) error {
	r.c.SetPongHandler(func(string) error { return errProbeAnswered })
	_ = r.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second))
	for {
		_ = r.c.SetReadDeadline(time.Now().Add(15 * time.Second))
		_, data, err := r.c.ReadMessage()
		var ce *websocket.CloseError
		switch {
		case errors.Is(err, errProbeAnswered):
			return nil
		case errors.As(err, &ce):
			if !slices.Contains(closes, ce.Code) {
				return errors.New("closed with " + ce.Error())
			}
			return nil
		case err != nil:
			return err
		}
		var m struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(data, &m) != nil || !slices.Contains(answers, m.Type) {
			return errors.New("answered " + string(data))
		}
	}
}

// serves tells whether a connection still gets answers.
func serves(ws *apitest.WS) error {
	if ws.Proto == apitest.TransportWS {
		if err := ws.Conn().WriteJSON(map[string]any{"type": "ping"}); err != nil {
			return err
		}
	} else if err := ws.Conn().WriteJSON(map[string]any{"type": "probe"}); err != nil {
		return err
	}
	_ = ws.Conn().SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		var m apitest.WSMessage
		if err := ws.Conn().ReadJSON(&m); err != nil {
			return err
		}
		if m.Type == "pong" || m.Type == "error" {
			return nil
		}
	}
}
