// Package wsx is gqlgen's websocket transport over gorilla/websocket: the implementation of
// transport.WebsocketImplementation (Upgrader, Conn), the guard that holds clients to the two
// GraphQL websocket protocols, and the hand-off of an upgraded connection away from
// net/http's goroutine (Handoff). It knows nothing of sessions, members or discussions: the
// live hub (package live) sits on top of it.
//
// gqlgen (v0.17.98) reads whatever a client sends and closes with 1002 or 1000 on most
// mistakes (and leaves the socket open when connection_init's payload is no object), runs a
// reused id beside the running operation, and sends complete after an operation's error and
// after the client's own complete. The guard reads every frame first and hands gqlgen only
// what the protocol allows at that moment, re-encoded from the fields it checked; everything
// else it answers itself, as the protocol's reference server does:
//
// graphql-transport-ws (github.com/enisdenjo/graphql-ws, PROTOCOL.md and its server):
//   - no connection_init within the init timeout: close 4408 "Connection initialisation timeout"
//   - a second connection_init: 4429 "Too many initialisation requests"
//   - connection_init refused (see Refuse): 4403 "Forbidden: <why>"
//   - subscribe before connection_ack: 4401 "Unauthorized"
//   - subscribe with the id of a running operation: 4409 "Subscriber for <id> already exists"
//   - a frame that is no JSON object, has no string type, a type the protocol does not
//     have or a client does not send, a subscribe or complete without a non-empty string id,
//     a subscribe payload without a string query (or with variables, extensions or
//     operationName of the wrong kind), a connection_init, ping or pong payload that is no
//     object: 4400 "Invalid message received: <what>"
//   - ping (also before connection_init) is answered with pong and its payload; pong, and
//     complete of an unknown id, are ignored; after the client's complete nothing more of
//     that operation is sent, and an operation's error is its last message (no complete)
//   - an id is free again once its operation ended; a subscribe that reuses the id of an
//     operation the client completed waits until the server has ended it
//
// graphql-ws (subscriptions-transport-ws, its PROTOCOL.md and server.ts):
//   - a frame that is not JSON (or JSON null): connection_error; the connection stays
//   - other JSON that is no object, no type, a type the client does not send: error
//     {"message": "Invalid message type!"} for the message's id; the connection stays
//   - connection_init refused: connection_error {"message": why}, then close 1011
//   - a second connection_init: connection_ack again (the connection keeps its first identity)
//   - start with the id of a running operation: that one is stopped (complete), then the new
//     one starts; stop of an unknown id is ignored; connection_terminate closes with 1000
//   - Zirkel's additions: start before connection_ack gets error UNAUTHENTICATED (the
//     reference would run it without the connection's context), start without id or with a
//     payload without a string query gets error BAD_REQUEST, and connection_init must come
//     within the init timeout (connection_error, then close 4408)
//
// Both: every error answer carries extensions.code (BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN
// for a refused connection_init, TIMEOUT, TOO_MANY_SUBSCRIPTIONS, or gqlgen's codes for the
// operation); binary frames are read as text (as both reference servers do); a frame over the read
// limit closes with 1009; close reasons are cut to the 123 bytes a close frame holds.
package wsx
