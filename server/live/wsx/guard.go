package wsx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
)

// The subprotocols gqlgen speaks.
const (
	// TransportWS is graphql-transport-ws, the protocol of the graphql-ws library
	// (github.com/enisdenjo/graphql-ws, PROTOCOL.md).
	TransportWS = "graphql-transport-ws"
	// LegacyWS is graphql-ws, the protocol of subscriptions-transport-ws (gqlgen also speaks it
	// to clients that name no subprotocol).
	LegacyWS = "graphql-ws"
)

// Close codes of graphql-transport-ws (and 1011 of subscriptions-transport-ws).
const (
	CloseBadRequest        = 4400 // an unparsable or invalid message
	CloseUnauthorized      = 4401 // subscribe before connection_ack (the hub: the session ended)
	CloseForbidden         = 4403 // connection_init refused
	CloseInitTimeout       = 4408 // no connection_init in time
	CloseDuplicateID       = 4409 // a running operation's id was reused
	CloseTooManyInits      = 4429 // a second connection_init
	CloseInternalError     = 1011 // subscriptions-transport-ws: connection_init refused
	reasonInitTimeout      = "Connection initialisation timeout"
	reasonTooManyInits     = "Too many initialisation requests"
	reasonUnauthorized     = "Unauthorized"
	reasonForbidden        = "Forbidden"
	reasonInvalid          = "Invalid message received: "
	legacyInvalidType      = "Invalid message type!" // subscriptions-transport-ws's words
	maxCloseReason         = 123                     // a close frame's payload is at most 125 bytes
	codeBadRequest         = "BAD_REQUEST"
	codeUnauthenticated    = "UNAUTHENTICATED"
	codeForbidden          = "FORBIDDEN"
	codeTimeout            = "TIMEOUT"
	codeTooManySubscribers = "TOO_MANY_SUBSCRIPTIONS"
)

// message is a client message as the guard reads it: only its type, id and payload count
// (as in both reference servers), and it reaches gqlgen re-encoded from these, so that gqlgen
// sees exactly what the guard checked (encoding/json matches keys case-insensitively and
// takes the last of duplicate keys; the guard's reading must not differ from gqlgen's).
type message struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`

	hasID bool // id is present and a string (or, in graphql-ws, a number)
}

// shape is what a frame is before its fields are read.
type shape int

const (
	shapeObject    shape = iota
	shapeNotJSON         // not JSON at all, or JSON null
	shapeNotObject       // JSON, but an array, string, number or boolean
)

// parse reads a frame; problem says what is wrong with its type or id ("" when nothing).
func parse(data []byte, numericIDs bool) (m message, s shape, problem string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		if err != nil && json.Valid(data) {
			return m, shapeNotObject, "not a JSON object"
		}
		return m, shapeNotJSON, "not JSON"
	}
	if raw, ok := fields["payload"]; ok && string(raw) != "null" {
		m.Payload = raw
	}
	if raw, ok := fields["id"]; ok {
		if err := json.Unmarshal(raw, &m.ID); err == nil {
			m.hasID = true
		} else if n, isNum := numeric(raw); isNum && numericIDs {
			m.ID, m.hasID = n, true
		}
	}
	raw, ok := fields["type"]
	if !ok || json.Unmarshal(raw, &m.Type) != nil || m.Type == "" {
		return m, shapeObject, "'type' must be a non-empty string"
	}
	return m, shapeObject, ""
}

// numeric returns a JSON number's text.
func numeric(raw json.RawMessage) (string, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", false
	}
	if _, err := strconv.ParseFloat(string(n), 64); err != nil {
		return "", false
	}
	return string(n), true
}

// isObject tells whether raw JSON is an object.
func isObject(raw json.RawMessage) bool {
	var v map[string]any // as gqlgen decodes an init payload: a number it cannot hold is no object
	return json.Unmarshal(raw, &v) == nil && v != nil
}

// operationProblem checks a subscribe (start) payload as graphql-ws's validateMessage does:
// an object with a string query, and variables, operationName and extensions of the right
// kind when present.
func operationProblem(payload json.RawMessage) string {
	var p map[string]json.RawMessage
	if json.Unmarshal(payload, &p) != nil || p == nil {
		return "the payload must be an object"
	}
	var query string
	if json.Unmarshal(p["query"], &query) != nil {
		return "the payload's 'query' must be a string"
	}
	for _, name := range []string{"variables", "extensions"} {
		if raw, ok := p[name]; ok && string(raw) != "null" && !isObject(raw) {
			return fmt.Sprintf("the payload's '%s' must be an object", name)
		}
	}
	var name string
	if raw, ok := p["operationName"]; ok && string(raw) != "null" && json.Unmarshal(raw, &name) != nil {
		return "the payload's 'operationName' must be a string"
	}
	// gqlgen matches the keys without regard to case ("Variables", "QUERY"): what it will read
	// must be readable too.
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if dec.Decode(&params) != nil {
		return "the payload's fields (in any case) have the wrong kind"
	}
	return ""
}

// closeReason shortens a reason to what fits into a close frame, at a character boundary.
func closeReason(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxCloseReason {
		return s
	}
	s = s[:maxCloseReason]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// duplicateReason is graphql-transport-ws's reason for a reused id, with a long id shortened
// so that the whole sentence fits into the close frame.
func duplicateReason(id string) string {
	const format = "Subscriber for %s already exists"
	id = strings.ToValidUTF8(id, "\uFFFD")
	if room := maxCloseReason - len(format) + 2; len(id) > room {
		id = id[:room-len("…")]
		for !utf8.ValidString(id) {
			id = id[:len(id)-1]
		}
		id += "…"
	}
	return closeReason(fmt.Sprintf(format, id))
}

// quoted shows a client-chosen string in a reason, short.
func quoted(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}
