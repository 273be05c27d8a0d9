package wsx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// replaceWait bounds how long a reused operation id waits for the operation it replaces to end.
const replaceWait = 10 * time.Second

// Conn adapts a gorilla connection to gqlgen and guards the protocol (see the package
// documentation and check.go): gqlgen only ever reads messages the protocol allows at that
// moment; every violation is answered here, as the protocol's reference server answers it.
type Conn struct {
	c         *websocket.Conn
	legacy    bool // graphql-ws (subscriptions-transport-ws), else graphql-transport-ws
	max       int
	pingEvery time.Duration
	writeWait time.Duration // bounds every write (Options.WriteWait)
	initTimer *time.Timer

	writeMu   sync.Mutex
	closing   atomic.Bool   // a close frame was sent (the first close wins)
	closed    chan struct{} // closed with the socket
	closeOnce sync.Once

	mu     sync.Mutex
	inited bool           // connection_init was passed to gqlgen
	acked  bool           // connection_ack was sent
	ops    map[string]*op // operations by id, running or stopping
	queued *queuedMessage // a message to hand gqlgen before reading the next frame
}

// op is one operation gqlgen runs; done is closed when the server has sent its last message.
type op struct {
	stopping bool
	done     chan struct{}
}

// queuedMessage waits for an operation to end before gqlgen gets it.
type queuedMessage struct {
	data  []byte
	id    string
	after chan struct{}
}

func newConn(c *websocket.Conn, opts Options) *Conn {
	w := &Conn{
		c: c, legacy: c.Subprotocol() != TransportWS, max: opts.MaxSubscriptions, pingEvery: opts.PingEvery,
		writeWait: opts.WriteWait, closed: make(chan struct{}), ops: map[string]*op{},
	}
	if w.writeWait <= 0 {
		w.writeWait = defaultWriteWait
	}
	if opts.InitTimeout > 0 {
		w.initTimer = time.AfterFunc(opts.InitTimeout, w.initExpired)
	}
	return w
}

// errClosedByGuard is what gqlgen reads after the guard closed the connection.
var errClosedByGuard = fmt.Errorf("closed by the protocol guard: %w", transport.ErrWebsocketClosed)

// NextReader implements transport.WebsocketConn: it hands gqlgen the next message the
// protocol allows, answering everything else itself.
//
// An idle connection's reading goroutine waits in here, below gqlgen's frames: this frame is
// kept small (the work is in handle), so that the goroutine's stack shrinks to 8 KiB.
func (w *Conn) NextReader() (int, io.Reader, error) {
	if q := w.dequeue(); q != nil {
		return w.release(q)
	}
	for {
		_, r, err := w.c.NextReader()
		if err != nil {
			return 0, nil, w.readError(err)
		}
		if w.closing.Load() {
			continue // after our close frame only the peer's close counts (RFC 6455 §5.5.1)
		}
		if next, err := w.handle(r); next != nil || err != nil {
			return websocket.TextMessage, next, err
		}
	}
}

// readError is what gqlgen gets when reading the next frame failed.
func (w *Conn) readError(err error) error {
	if w.closing.Load() || websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
		return transport.ErrWebsocketClosed // the peer answered our close, or left
	}
	return err
}

// handle checks one frame and answers it; it returns the message for gqlgen, or nil when
// the guard answered the frame itself.
//
//go:noinline
func (w *Conn) handle(r io.Reader) (io.Reader, error) {
	// Binary frames are read as text, as both reference servers do.
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var v verdict
	if w.legacy {
		v = w.checkLegacy(data)
	} else {
		v = w.checkTransport(data)
	}
	if err := w.carryOut(v); err != nil {
		return nil, err
	}
	switch {
	case v.pass != nil && v.queue != nil: // the queued message follows at the next read
		w.mu.Lock()
		w.queued = v.queue
		w.mu.Unlock()
		fallthrough
	case v.pass != nil:
		return bytes.NewReader(v.pass), nil
	case v.queue != nil:
		_, next, err := w.release(v.queue)
		return next, err
	}
	return nil, nil
}

// verdict is what the guard makes of one frame: answers to send, a close, a message for
// gqlgen now (pass) and one for later (queue).
type verdict struct {
	answers     []any
	closeCode   int
	closeReason string
	pass        []byte
	queue       *queuedMessage
}

// carryOut sends the answers and the close; it returns an error when the connection closed.
func (w *Conn) carryOut(v verdict) error {
	for _, a := range v.answers {
		if err := w.write(a); err != nil {
			return err
		}
	}
	if v.closeCode != 0 {
		w.CloseWith(v.closeCode, v.closeReason)
		return errClosedByGuard
	}
	return nil
}

func (w *Conn) dequeue() *queuedMessage {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queued
	w.queued = nil
	return q
}

// release hands gqlgen a queued subscription once the operation it replaces has ended.
func (w *Conn) release(q *queuedMessage) (int, io.Reader, error) {
	timer := time.NewTimer(replaceWait)
	defer timer.Stop()
	select {
	case <-q.after:
	case <-timer.C: // gqlgen did not end it: go on, the new one takes the id
	case <-w.closed:
		return 0, nil, transport.ErrWebsocketClosed
	}
	w.mu.Lock()
	w.ops[q.id] = &op{done: make(chan struct{})}
	w.mu.Unlock()
	return websocket.TextMessage, bytes.NewReader(q.data), nil
}

// initExpired closes a connection that sent no connection_init in time.
func (w *Conn) initExpired() {
	w.mu.Lock()
	inited := w.inited
	w.mu.Unlock()
	if inited {
		return
	}
	if w.legacy {
		_ = w.write(connectionError("connection_init not received in time", codeTimeout))
	}
	w.CloseWith(CloseInitTimeout, reasonInitTimeout)
}

// initReceived notes the connection_init that goes to gqlgen.
func (w *Conn) initReceived() {
	w.inited = true
	if w.initTimer != nil {
		w.initTimer.Stop()
	}
}

// start registers an operation id for gqlgen, or says how it must wait or be refused:
// running is true when the id belongs to a running operation, after (non-nil) when it
// belongs to one that is stopping. full is true at the connection's limit.
func (w *Conn) start(id string) (running bool, after chan struct{}, full bool) {
	if o, ok := w.ops[id]; ok {
		if o.stopping {
			return false, o.done, false
		}
		return true, nil, false
	}
	if len(w.ops) >= w.max {
		return false, nil, true
	}
	w.ops[id] = &op{done: make(chan struct{})}
	return false, nil, false
}

// stop marks an operation the client ended; it says whether gqlgen has to hear of it.
func (w *Conn) stop(id string) bool {
	o, ok := w.ops[id]
	if !ok || o.stopping {
		return false
	}
	o.stopping = true
	return true
}

// stopping tells whether the client ended the operation with the id.
func (w *Conn) stopping(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	o, ok := w.ops[id]
	return ok && o.stopping
}

// ended frees the id of an operation whose last message the server sends; found is false
// when the id belongs to no operation (it ended before), stopping when the client ended it.
func (w *Conn) ended(id string) (found, stopping bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	o, found := w.ops[id]
	if !found {
		return false, false
	}
	delete(w.ops, id)
	close(o.done)
	return true, o.stopping
}

// tooMany is the error for a subscription beyond the connection's limit.
func (w *Conn) tooMany(id string) any {
	return w.operationError(id, fmt.Sprintf("at most %d subscriptions per connection", w.max), codeTooManySubscribers)
}

// operationError answers one operation with an error: graphql-transport-ws sends a list of
// errors, graphql-ws one error object.
func (w *Conn) operationError(id, message, code string) any {
	e := map[string]any{"message": message, "extensions": map[string]any{"code": code}}
	m := map[string]any{"type": "error", "payload": []any{e}}
	if w.legacy {
		m["payload"] = e
	}
	if id != "" {
		m["id"] = id
	}
	return m
}

// connectionError is graphql-ws's answer to a message it cannot read (the connection stays).
func connectionError(message, code string) any {
	payload := map[string]any{"message": message, "extensions": map[string]any{"code": code}}
	return map[string]any{"type": "connection_error", "payload": payload}
}

// withCode gives gqlgen's connection_error (a refused connection_init: gqlgen sends only
// the message) the code every error answer carries.
func withCode(data []byte, code string) []byte {
	var m struct {
		Type    string         `json:"type"`
		Payload map[string]any `json:"payload"`
	}
	if json.Unmarshal(data, &m) != nil || m.Payload == nil || m.Payload["extensions"] != nil {
		return data
	}
	m.Payload["extensions"] = map[string]any{"code": code}
	if out, err := json.Marshal(m); err == nil {
		return out
	}
	return data
}

// WriteJSON implements transport.WebsocketConn. It notices the acknowledgement and the end
// of operations, to free their ids.
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
	switch env.Type {
	case "connection_ack":
		w.mu.Lock()
		w.acked = true
		w.mu.Unlock()
	case "connection_error":
		data = withCode(data, codeForbidden)
	case "next", "data":
		if w.stopping(env.ID) {
			return nil // the client ended it: "no further events ... should be sent through"
		}
	case "complete", "error": // the operation's last message
		found, stopping := w.ended(env.ID)
		if (stopping && (env.Type == "error" || !w.legacy)) || (!found && env.Type == "complete") {
			// gqlgen completes an operation after its error, and after the client completed
			// it; graphql-transport-ws wants neither ("no Complete message will be emitted";
			// "no further events ... should be sent through"). subscriptions-transport-ws
			// answers a stop with complete only.
			return nil
		}
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
	_ = w.c.SetWriteDeadline(time.Now().Add(w.writeWait))
	return w.c.WriteMessage(websocket.TextMessage, data)
}

// Ping sends a websocket ping (safe beside other writes: gorilla allows concurrent control
// frames); the peer's pong extends the read deadline.
func (w *Conn) Ping() {
	_ = w.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(w.writeWait))
}

// extendDeadline gives a live peer (it answered a ping) two more ping intervals.
func (w *Conn) extendDeadline() {
	if w.pingEvery > 0 {
		_ = w.c.SetReadDeadline(time.Now().Add(2*w.pingEvery + w.writeWait))
	}
}

// WriteClose implements transport.WebsocketConn: gqlgen's closes, in the negotiated
// protocol's words. Only the first close frame of a connection is sent.
func (w *Conn) WriteClose(code int, message string) error {
	switch {
	case w.legacy && code == CloseForbidden:
		// subscriptions-transport-ws ends a refused connection_init (after connection_error)
		// with 1011.
		code = CloseInternalError
	case !w.legacy && code == transport.WebsocketCloseProtocolError:
		// Not reached while the guard works; graphql-transport-ws knows no 1002.
		code, message = CloseBadRequest, reasonInvalid+message
	}
	return w.sendClose(code, message)
}

func (w *Conn) sendClose(code int, reason string) error {
	if !w.closing.CompareAndSwap(false, true) {
		return nil
	}
	if w.initTimer != nil {
		w.initTimer.Stop()
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	frame := websocket.FormatCloseMessage(code, closeReason(reason))
	// A subscriber dropped for reading too slowly (1008) has a full socket: the close frame
	// that tells it why waits as long as any write (WriteWait) for it to read again; with 1 s
	// it saw only the connection end (1006). Other closes keep a short deadline.
	deadline := time.Second
	if code == websocket.ClosePolicyViolation {
		deadline = w.writeWait
	}
	return w.c.WriteControl(websocket.CloseMessage, frame, time.Now().Add(deadline))
}

// CloseWith sends a close frame (unless one was sent) and closes the connection once the peer
// has answered it (RFC 6455 §7.1.1: the reading side then ends, and gqlgen closes) or
// WriteWait has passed. Closing at once would reset the connection when the peer sent
// anything meanwhile (a pong), and a reset discards what the peer has not read yet, the
// close frame with it: a slow subscriber saw its connection reset instead of 1008.
func (w *Conn) CloseWith(code int, reason string) {
	if err := w.sendClose(code, reason); err != nil {
		_ = w.Close()
		return
	}
	time.AfterFunc(w.writeWait, func() { _ = w.Close() })
}

// Close implements transport.WebsocketConn.
func (w *Conn) Close() error {
	w.closeOnce.Do(func() { close(w.closed) })
	return w.c.Close()
}

// Subprotocol implements transport.WebsocketConn.
func (w *Conn) Subprotocol() string { return w.c.Subprotocol() }

// SetReadLimit implements transport.WebsocketReadLimiter.
func (w *Conn) SetReadLimit(limit int64) { w.c.SetReadLimit(limit) }

// Conn does not implement transport.WebsocketReadDeadliner on purpose: gqlgen would clear
// the read deadline on a protocol pong, switching off the dead-peer detection of extendDeadline.
