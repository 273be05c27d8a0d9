package live_test

import (
	"strings"
	"testing"

	"zirkel/server/apitest"
)

// protocolCase is one conversation: what the client sends (after connection_init with a
// valid token when login is set; {{D}} stands for a discussion id), what the server answers,
// in order, and how it closes (code 0: the connection stays open and quiet).
type protocolCase struct {
	name    string
	login   bool
	send    []frame
	answers []string
	code    int
	reason  string
}

func (pc protocolCase) run(t *testing.T, c *community, proto string) {
	t.Helper()
	r := dialRaw(t, c.env, proto)
	if pc.login {
		r.login(c.anna.Token)
	}
	for _, f := range pc.send {
		f.data = strings.ReplaceAll(f.data, "{{D}}", c.discussion)
		r.send(f)
	}
	for _, a := range pc.answers {
		r.expect(a)
	}
	if pc.code == 0 {
		r.expectOpen()
		return
	}
	r.expectClose(pc.code, pc.reason)
}

const (
	subscribeD = `{"type":"subscribe","id":"s","payload":{"query":"subscription($d: ID!) { messageAdded(discussionID: $d) { cursor } }","variables":{"d":"{{D}}"}}}`
	startD     = `{"type":"start","id":"s","payload":{"query":"subscription($d: ID!) { messageAdded(discussionID: $d) { cursor } }","variables":{"d":"{{D}}"}}}`
)

// TestTransportWSClosesAsTheProtocolSays: graphql-transport-ws (the graphql-ws library)
// closes with the codes and reasons of its PROTOCOL.md and reference server, never with
// gqlgen's 1002 or 1000. Runs on both databases (the connection_init checks a session, the
// duplicate id needs a discussion); rows share a server, each has its own connection.
func TestTransportWSClosesAsTheProtocolSays(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		long := strings.Repeat("x", 200)
		for _, pc := range []protocolCase{
			{name: "subscribe before connection_init", send: []frame{text(subscribeD)}, code: 4401, reason: "Unauthorized"},
			{name: "second connection_init", login: true, send: []frame{text(`{"type":"connection_init"}`)}, code: 4429, reason: "Too many initialisation requests"},
			{name: "connection_init without a token", send: []frame{text(`{"type":"connection_init"}`)},
				code: 4403, reason: "Forbidden: login required: send a token in connection_init"},
			{name: "connection_init with a wrong token", send: []frame{text(`{"type":"connection_init","payload":{"authorization":"Bearer falsch"}}`)},
				code: 4403, reason: "Forbidden: the session has ended or the token is wrong"},
			{name: "duplicate subscription id", login: true, send: []frame{text(subscribeD), text(subscribeD)}, code: 4409, reason: "Subscriber for s already exists"},
			{name: "duplicate id too long for a close frame", login: true,
				send: []frame{text(strings.Replace(subscribeD, `"id":"s"`, `"id":"`+long+`"`, 1)), text(strings.Replace(subscribeD, `"id":"s"`, `"id":"`+long+`"`, 1))},
				code: 4409, reason: "Subscriber for " + long[:90] + "… already exists"},
			{name: "not JSON before connection_init", send: []frame{text(`{"type":`)}, code: 4400, reason: "Invalid message received: not JSON"},
			{name: "not JSON", login: true, send: []frame{text(`hallo`)}, code: 4400, reason: "Invalid message received: not JSON"},
			{name: "JSON null", login: true, send: []frame{text(`null`)}, code: 4400, reason: "Invalid message received: not JSON"},
			{name: "JSON array", login: true, send: []frame{text(`[{"type":"ping"}]`)}, code: 4400, reason: "Invalid message received: not a JSON object"},
			{name: "binary frame that is not JSON", login: true, send: []frame{binary("\x00\xff")}, code: 4400, reason: "Invalid message received: not JSON"},
			{name: "missing type", login: true, send: []frame{text(`{"id":"1"}`)}, code: 4400, reason: "Invalid message received: 'type' must be a non-empty string"},
			{name: "type of another case", login: true, send: []frame{text(`{"Type":"ping"}`)}, code: 4400, reason: "Invalid message received: 'type' must be a non-empty string"},
			{name: "unknown type before connection_init", send: []frame{text(`{"type":"start","id":"1"}`)}, code: 4400, reason: `Invalid message received: unknown type "start"`},
			{name: "unknown type", login: true, send: []frame{text(`{"type":"connection_terminate"}`)}, code: 4400, reason: `Invalid message received: unknown type "connection_terminate"`},
			{name: "a server's message", login: true, send: []frame{text(`{"type":"next","id":"1","payload":{}}`)}, code: 4400, reason: `Invalid message received: "next" is sent by the server, not the client`},
			{name: "subscribe without id", login: true, send: []frame{text(`{"type":"subscribe","payload":{"query":"{ __typename }"}}`)},
				code: 4400, reason: `Invalid message received: "subscribe" needs a non-empty string 'id'`},
			{name: "subscribe with a numeric id", login: true, send: []frame{text(`{"type":"subscribe","id":1,"payload":{"query":"{ __typename }"}}`)},
				code: 4400, reason: `Invalid message received: "subscribe" needs a non-empty string 'id'`},
			{name: "subscribe without payload", login: true, send: []frame{text(`{"type":"subscribe","id":"1"}`)},
				code: 4400, reason: "Invalid message received: subscribe: the payload must be an object"},
			{name: "subscribe with a non-string query", login: true, send: []frame{text(`{"type":"subscribe","id":"1","payload":{"query":7}}`)},
				code: 4400, reason: "Invalid message received: subscribe: the payload's 'query' must be a string"},
			{name: "subscribe with variables that are no object", login: true, send: []frame{text(`{"type":"subscribe","id":"1","payload":{"query":"{ __typename }","variables":[1]}}`)},
				code: 4400, reason: "Invalid message received: subscribe: the payload's 'variables' must be an object"},
			{name: "complete without id", login: true, send: []frame{text(`{"type":"complete"}`)},
				code: 4400, reason: `Invalid message received: "complete" needs a non-empty string 'id'`},
			{name: "connection_init with a payload that is no object", send: []frame{text(`{"type":"connection_init","payload":"Bearer x"}`)},
				code: 4400, reason: `Invalid message received: the payload of "connection_init" must be an object`},
			{name: "connection_init with a number no float holds", send: []frame{text(`{"type":"connection_init","payload":{"x":1e999}}`)},
				code: 4400, reason: `Invalid message received: the payload of "connection_init" must be an object`},
			{name: "subscribe with variables that are no object, in another case", login: true, send: []frame{text(`{"type":"subscribe","id":"q","payload":{"query":"{ __typename }","Variables":5}}`)},
				code: 4400, reason: "Invalid message received: subscribe: the payload's fields (in any case) have the wrong kind"},
			{name: "ping before connection_init is answered", send: []frame{text(`{"type":"ping","payload":{"t":1}}`)}, answers: []string{`{"type":"pong","payload":{"t":1}}`}},
			{name: "pong is ignored", login: true, send: []frame{text(`{"type":"pong"}`)}},
			{name: "complete of an unknown id is ignored", login: true, send: []frame{text(`{"type":"complete","id":"nie"}`)}},
			{name: "complete before connection_init is ignored", send: []frame{text(`{"type":"complete","id":"nie"}`)}},
			{name: "binary frames are read as text", send: []frame{binary(`{"type":"ping"}`)}, answers: []string{`{"type":"pong"}`}},
			{name: "an operation's error is its last message", login: true, send: []frame{text(`{"type":"subscribe","id":"q","payload":{"query":"{ nichtDa }"}}`)},
				answers: []string{`{"type":"error","id":"q","payload":[{"message":"Cannot query field \"nichtDa\" on type \"Query\".","locations":[{"line":1,"column":3}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`}},
		} {
			t.Run(pc.name, func(t *testing.T) { pc.run(t, c, apitest.TransportWS) })
		}
	})
}

// TestTransportWSInitTimeout: no connection_init within 5 s closes with 4408.
func TestTransportWSInitTimeout(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil) // no data involved
	r := dialRaw(t, env, apitest.TransportWS)
	r.expectClose(4408, "Connection initialisation timeout")
}

// TestLegacyWSAnswersAsItsReferenceServer: graphql-ws (subscriptions-transport-ws) answers as
// that library's server does: what it cannot parse gets connection_error and the connection
// stays, an unknown type gets an error "Invalid message type!", a refused connection_init
// gets connection_error and close 1011, connection_terminate closes. Zirkel adds: an
// operation needs an acknowledged connection_init and an id, and connection_init must come
// within 5 s. Both databases, rows share a server, each has its own connection.
func TestLegacyWSAnswersAsItsReferenceServer(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		invalidType := func(id string) string {
			if id != "" {
				id = `"id":"` + id + `",`
			}
			return `{"type":"error",` + id + `"payload":{"message":"Invalid message type!","extensions":{"code":"BAD_REQUEST"}}}`
		}
		notJSON := `{"type":"connection_error","payload":{"message":"Invalid message received: not JSON","extensions":{"code":"BAD_REQUEST"}}}`
		for _, pc := range []protocolCase{
			{name: "not JSON before connection_init", send: []frame{text(`{"type":`)}, answers: []string{notJSON}},
			{name: "not JSON", login: true, send: []frame{text(`hallo`)}, answers: []string{notJSON}},
			{name: "JSON null", login: true, send: []frame{text(`null`)}, answers: []string{notJSON}},
			{name: "binary frame that is not JSON", login: true, send: []frame{binary("\x00\xff")}, answers: []string{notJSON}},
			{name: "JSON array", login: true, send: []frame{text(`[]`)}, answers: []string{invalidType("")}},
			{name: "missing type", login: true, send: []frame{text(`{"id":"1"}`)}, answers: []string{invalidType("1")}},
			{name: "unknown type", login: true, send: []frame{text(`{"type":"subscribe","id":"1"}`)}, answers: []string{invalidType("1")}},
			{name: "unknown type before connection_init", send: []frame{text(`{"type":"ping"}`)}, answers: []string{invalidType("")}},
			{name: "a server's message", login: true, send: []frame{text(`{"type":"data","id":"1","payload":{}}`)}, answers: []string{invalidType("1")}},
			{name: "start before connection_init", send: []frame{text(startD)},
				answers: []string{`{"type":"error","id":"s","payload":{"message":"login required: send connection_init first","extensions":{"code":"UNAUTHENTICATED"}}}`}},
			{name: "start without id", login: true, send: []frame{text(`{"type":"start","payload":{"query":"{ __typename }"}}`)},
				answers: []string{`{"type":"error","payload":{"message":"start needs an id","extensions":{"code":"BAD_REQUEST"}}}`}},
			{name: "start without payload", login: true, send: []frame{text(`{"type":"start","id":"1"}`)},
				answers: []string{`{"type":"error","id":"1","payload":{"message":"start: the payload must be an object","extensions":{"code":"BAD_REQUEST"}}}`}},
			{name: "start with a non-string query", login: true, send: []frame{text(`{"type":"start","id":"1","payload":{"query":{}}}`)},
				answers: []string{`{"type":"error","id":"1","payload":{"message":"start: the payload's 'query' must be a string","extensions":{"code":"BAD_REQUEST"}}}`}},
			{name: "a numeric id is an id", login: true, send: []frame{text(`{"type":"start","id":7,"payload":{"query":"{ __typename }"}}`)},
				answers: []string{`{"type":"data","id":"7","payload":{"data":{"__typename":"Query"}}}`, `{"type":"complete","id":"7"}`}},
			{name: "stop of an unknown id is ignored", login: true, send: []frame{text(`{"type":"stop","id":"nie"}`)}},
			{name: "stop before connection_init is ignored", send: []frame{text(`{"type":"stop","id":"nie"}`)}},
			{name: "second connection_init is acknowledged again", login: true, send: []frame{text(`{"type":"connection_init"}`)},
				answers: []string{`{"type":"connection_ack"}`}},
			{name: "connection_init without a token", send: []frame{text(`{"type":"connection_init"}`)},
				answers: []string{`{"type":"connection_error","payload":{"message":"login required: send a token in connection_init","extensions":{"code":"FORBIDDEN"}}}`},
				code:    1011, reason: "Forbidden: login required: send a token in connection_init"},
			{name: "connection_init with a payload that is no object", send: []frame{text(`{"type":"connection_init","payload":"Bearer x"}`)},
				answers: []string{`{"type":"connection_error","payload":{"message":"login required: send a token in connection_init","extensions":{"code":"FORBIDDEN"}}}`},
				code:    1011, reason: "Forbidden: login required: send a token in connection_init"},
			{name: "connection_init with a number no float holds", send: []frame{text(`{"type":"connection_init","payload":{"x":1e999}}`)},
				answers: []string{`{"type":"connection_error","payload":{"message":"login required: send a token in connection_init","extensions":{"code":"FORBIDDEN"}}}`},
				code:    1011, reason: "Forbidden: login required: send a token in connection_init"},
			{name: "start with a query key in another case", login: true, send: []frame{text(`{"type":"start","id":"q","payload":{"query":"{ __typename }","QUERY":1}}`)},
				answers: []string{`{"type":"error","id":"q","payload":{"message":"start: the payload's fields (in any case) have the wrong kind","extensions":{"code":"BAD_REQUEST"}}}`}},
			{name: "connection_terminate", login: true, send: []frame{text(`{"type":"connection_terminate"}`)}, code: 1000, reason: "terminated"},
			{name: "an operation's error is its last message", login: true, send: []frame{text(`{"type":"start","id":"q","payload":{"query":"{ nichtDa }"}}`)},
				answers: []string{`{"type":"error","id":"q","payload":[{"message":"Cannot query field \"nichtDa\" on type \"Query\".","locations":[{"line":1,"column":3}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`}},
		} {
			t.Run(pc.name, func(t *testing.T) { pc.run(t, c, apitest.LegacyWS) })
		}
	})
}

// TestLegacyWSInitTimeout: subscriptions-transport-ws has no timeout; Zirkel keeps its limit
// and says so before it closes with 4408.
func TestLegacyWSInitTimeout(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil) // no data involved
	r := dialRaw(t, env, apitest.LegacyWS)
	r.expect(`{"type":"connection_error","payload":{"message":"connection_init not received in time","extensions":{"code":"TIMEOUT"}}}`)
	r.expectClose(4408, "Connection initialisation timeout")
}

// TestOperationIDReuse: an id is free again once its operation ended. graphql-transport-ws:
// after the client's complete it may subscribe with the same id at once, and hears nothing
// more of the old operation. graphql-ws: a start with the id of a running operation stops
// that one (complete) and starts the new one, as subscriptions-transport-ws does. Each
// subscriber receives a new message exactly once.
func TestOperationIDReuse(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		resume := `"payload":{"query":"subscription($d: ID!) { messageAdded(discussionID: $d, after: 0) { cursor message { body } } }","variables":{"d":"{{D}}"}}`
		for _, tc := range []struct {
			name, proto string
			send        []string
			answers     []string
		}{
			{"graphql-transport-ws: subscribe, complete, subscribe", apitest.TransportWS,
				[]string{`{"type":"subscribe","id":"s",` + resume + `}`, `{"type":"complete","id":"s"}`, `{"type":"subscribe","id":"s",` + resume + `}`},
				[]string{`{"type":"next","id":"s","payload":{"data":{"messageAdded":{"cursor":1,"message":{"body":"Hallo"}}}}}`}},
			{"graphql-ws: start, start", apitest.LegacyWS,
				[]string{`{"type":"start","id":"s",` + resume + `}`, `{"type":"start","id":"s",` + resume + `}`},
				[]string{`{"type":"complete","id":"s"}`, `{"type":"data","id":"s","payload":{"data":{"messageAdded":{"cursor":1,"message":{"body":"Hallo"}}}}}`}},
			{"graphql-ws: start, stop, start", apitest.LegacyWS,
				[]string{`{"type":"start","id":"s",` + resume + `}`, `{"type":"stop","id":"s"}`, `{"type":"start","id":"s",` + resume + `}`},
				[]string{`{"type":"complete","id":"s"}`, `{"type":"data","id":"s","payload":{"data":{"messageAdded":{"cursor":1,"message":{"body":"Hallo"}}}}}`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := startDiscussion(t, c.anna, nil)
				r := dialRaw(t, env, tc.proto)
				r.login(c.anna.Token)
				for _, s := range tc.send {
					r.send(text(strings.ReplaceAll(s, "{{D}}", d)))
				}
				post(t, c.jonas, d, "Hallo")
				for _, a := range tc.answers {
					r.expect(a)
				}
				r.expectOpen()
			})
		}
	})
}
