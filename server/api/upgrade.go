package api

import (
	"bufio"
	"net"
	"net/http"
)

// serveUpgrade hands a websocket upgrade to the websocket transport. If the transport refuses
// it before the upgrade (an origin that is not allowed, a broken handshake), the plain-text
// answer of the websocket library becomes a GraphQL error with a code and the same status.
func serveUpgrade(next http.Handler, w http.ResponseWriter, r *http.Request) {
	// For as long as the connection is open this frame stays on its goroutine's stack: keep
	// it small, and hold the request only through the guard, which forgets it once the
	// connection is taken over (the request's headers would otherwise stay in memory).
	g := &upgradeGuard{w: w, r: r}
	next.ServeHTTP(g, r)
	if g.status != 0 && g.r != nil {
		refuseUpgrade(w, g.r, g.status)
	}
}

// refuseUpgrade answers a refused upgrade with a GraphQL error.
//
//go:noinline
func refuseUpgrade(w http.ResponseWriter, r *http.Request, status int) {
	e := &requestError{status: status, code: CodeBadRequest,
		message: "the websocket upgrade was refused: not a valid websocket handshake"}
	switch status {
	case http.StatusForbidden:
		e.code, e.message = "FORBIDDEN", "the websocket upgrade was refused: the origin is not allowed"
	case http.StatusMethodNotAllowed:
		e.code, e.message = CodeMethodNotAllowed, "only GET and POST are served here"
	}
	writeRequestError(w, r, mediaJSON, e)
}

// upgradeGuard holds back an error answer written before the connection is hijacked, so that
// serveUpgrade can write it as JSON; everything else passes through.
type upgradeGuard struct {
	w      http.ResponseWriter
	r      *http.Request // the request, to answer a refusal; nil once hijacked
	status int           // the first error status, 0 if none
}

// Header implements http.ResponseWriter.
func (g *upgradeGuard) Header() http.Header { return g.w.Header() }

// WriteHeader implements http.ResponseWriter.
func (g *upgradeGuard) WriteHeader(code int) {
	if code >= http.StatusBadRequest {
		if g.status == 0 {
			g.status = code
		}
		return
	}
	if g.status == 0 {
		g.w.WriteHeader(code)
	}
}

// Write implements http.ResponseWriter; the body of a held-back error is dropped.
func (g *upgradeGuard) Write(p []byte) (int, error) {
	if g.status != 0 {
		return len(p), nil
	}
	return g.w.Write(p)
}

// Hijack implements http.Hijacker for the websocket library.
func (g *upgradeGuard) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(g.w).Hijack()
	if err == nil {
		g.r = nil
	}
	return conn, rw, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (g *upgradeGuard) Unwrap() http.ResponseWriter { return g.w }
