package wsx

import (
	"bufio"
	"net"
	"net/http"
)

// Handoff is the ResponseWriter of an upgrade served away from net/http's goroutine: it
// forgets net/http's writer once the connection is hijacked, so that what hangs on it (the
// connection's buffers) can go.
type Handoff struct {
	w http.ResponseWriter // nil once hijacked
}

// NewHandoff wraps net/http's writer.
func NewHandoff(w http.ResponseWriter) *Handoff { return &Handoff{w: w} }

// Header implements http.ResponseWriter.
func (h *Handoff) Header() http.Header {
	if h.w == nil {
		return http.Header{}
	}
	return h.w.Header()
}

// Write implements http.ResponseWriter.
func (h *Handoff) Write(p []byte) (int, error) {
	if h.w == nil {
		return 0, http.ErrHijacked
	}
	return h.w.Write(p)
}

// WriteHeader implements http.ResponseWriter.
func (h *Handoff) WriteHeader(code int) {
	if h.w != nil {
		h.w.WriteHeader(code)
	}
}

// Hijack implements http.Hijacker.
func (h *Handoff) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h.w == nil {
		return nil, nil, http.ErrHijacked
	}
	conn, rw, err := http.NewResponseController(h.w).Hijack()
	if err == nil {
		h.w = nil
	}
	return conn, rw, err
}
