package wsx

import (
	"encoding/json"
	"fmt"
)

// canonical re-encodes a checked message for gqlgen.
func canonical(m message) []byte {
	data, err := json.Marshal(m)
	if err != nil { // the payload was read by encoding/json: not reached
		return []byte(`{"type":"` + m.Type + `"}`)
	}
	return data
}

// invalid closes the connection as graphql-transport-ws says for invalid messages.
func invalid(why string) verdict {
	return verdict{closeCode: CloseBadRequest, closeReason: reasonInvalid + why}
}

// checkTransport holds a frame to graphql-transport-ws: "Receiving a message of a type or
// format which is not specified in this document will result in an immediate socket closure
// with the event 4400", subscribe before connection_ack closes with 4401, a second
// connection_init with 4429, a running operation's id with 4409. Pings are answered here,
// also before connection_init (gqlgen would close), pongs and completes of unknown ids are
// ignored.
func (w *Conn) checkTransport(data []byte) verdict {
	m, _, problem := parse(data, false)
	if problem != "" {
		return invalid(problem)
	}
	switch m.Type {
	case "connection_init", "ping", "pong":
		if m.Payload != nil && !isObject(m.Payload) {
			return invalid(fmt.Sprintf("the payload of %q must be an object", m.Type))
		}
		m.ID = ""
	case "subscribe", "complete":
		if !m.hasID || m.ID == "" {
			return invalid(fmt.Sprintf("%q needs a non-empty string 'id'", m.Type))
		}
	case "next", "error", "connection_ack":
		return invalid(fmt.Sprintf("%q is sent by the server, not the client", m.Type))
	default:
		return invalid("unknown type " + quoted(m.Type))
	}
	switch m.Type {
	case "ping":
		pong := message{Type: "pong", Payload: m.Payload}
		return verdict{answers: []any{json.RawMessage(canonical(pong))}}
	case "pong":
		return verdict{}
	case "subscribe":
		if p := operationProblem(m.Payload); p != "" {
			return invalid("subscribe: " + p)
		}
		return w.subscribe(m)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if m.Type == "complete" {
		if !w.stop(m.ID) {
			return verdict{} // not running (any more): ignored, as the protocol allows
		}
		return verdict{pass: canonical(m)}
	}
	if w.inited {
		return verdict{closeCode: CloseTooManyInits, closeReason: reasonTooManyInits}
	}
	w.initReceived()
	return verdict{pass: canonical(m)}
}

// subscribe admits a graphql-transport-ws operation.
func (w *Conn) subscribe(m message) verdict {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.acked {
		return verdict{closeCode: CloseUnauthorized, closeReason: reasonUnauthorized}
	}
	running, after, full := w.start(m.ID)
	switch {
	case running:
		return verdict{closeCode: CloseDuplicateID, closeReason: duplicateReason(m.ID)}
	case full:
		return verdict{answers: []any{w.tooMany(m.ID)}}
	case after != nil: // the client completed it, the server has not yet: the new one waits
		return verdict{queue: &queuedMessage{data: canonical(m), id: m.ID, after: after}}
	}
	return verdict{pass: canonical(m)}
}

// checkLegacy holds a frame to graphql-ws as subscriptions-transport-ws's server answers
// it: what it cannot parse gets connection_error (the connection stays), an unknown type an
// error "Invalid message type!" for the id, a start with the id of a running operation
// stops that one first. Zirkel adds: an operation needs an acknowledged connection_init
// (the reference would run it without the connection's context), and an id.
func (w *Conn) checkLegacy(data []byte) verdict {
	m, shape, problem := parse(data, true)
	switch {
	case shape == shapeNotJSON:
		return verdict{answers: []any{connectionError(reasonInvalid+problem, codeBadRequest)}}
	case problem != "":
		return verdict{answers: []any{w.operationError(m.ID, legacyInvalidType, codeBadRequest)}}
	}
	switch m.Type {
	case "connection_init":
		return w.legacyInit(m)
	case "connection_terminate":
		return verdict{pass: canonical(message{Type: m.Type})}
	case "start":
		return w.legacyStart(m)
	case "stop":
		w.mu.Lock()
		defer w.mu.Unlock()
		if !m.hasID || !w.stop(m.ID) {
			return verdict{} // not running: nothing to stop
		}
		return verdict{pass: canonical(message{Type: m.Type, ID: m.ID})}
	}
	return verdict{answers: []any{w.operationError(m.ID, legacyInvalidType, codeBadRequest)}}
}

// legacyInit passes the first connection_init on and acknowledges later ones again (the
// reference server runs its onConnect again; the connection keeps its first identity here).
func (w *Conn) legacyInit(m message) verdict {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inited {
		if !w.acked {
			return verdict{}
		}
		return verdict{answers: []any{json.RawMessage(`{"type":"connection_ack"}`)}}
	}
	w.initReceived()
	if m.Payload != nil && !isObject(m.Payload) {
		m.Payload = nil // only an object can carry credentials
	}
	return verdict{pass: canonical(message{Type: m.Type, Payload: m.Payload})}
}

// legacyStart admits a graphql-ws operation.
func (w *Conn) legacyStart(m message) verdict {
	if !m.hasID {
		return verdict{answers: []any{w.operationError("", "start needs an id", codeBadRequest)}}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.acked {
		return verdict{answers: []any{w.operationError(m.ID, "login required: send connection_init first", codeUnauthenticated)}}
	}
	if p := operationProblem(m.Payload); p != "" {
		return verdict{answers: []any{w.operationError(m.ID, "start: "+p, codeBadRequest)}}
	}
	start := canonical(message{Type: m.Type, ID: m.ID, Payload: m.Payload})
	running, after, full := w.start(m.ID)
	switch {
	case running: // stop the running one, then start the new one once it has ended
		o := w.ops[m.ID]
		o.stopping = true
		return verdict{
			pass:  canonical(message{Type: "stop", ID: m.ID}),
			queue: &queuedMessage{data: start, id: m.ID, after: o.done},
		}
	case full:
		return verdict{answers: []any{w.tooMany(m.ID)}}
	case after != nil:
		return verdict{queue: &queuedMessage{data: start, id: m.ID, after: after}}
	}
	return verdict{pass: start}
}
