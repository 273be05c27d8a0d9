package apitest

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"

	"zirkel/server/app"
	"zirkel/server/config"
	"zirkel/server/reqid"
)

// Log is what a server started with StartWithLog logged, as JSON lines (debug level and up).
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// StartWithLog starts a server like Start, whose log (at debug level, JSON as in production)
// the test can read.
func StartWithLog(t testing.TB, backend string, adjust func(*config.Config), opts ...app.Option) (*Env, *Log) {
	t.Helper()
	log := &Log{}
	logger := slog.New(reqid.LogHandler(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return start(t, backend, adjust, logger, opts...), log
}

// Len is how many bytes have been logged so far.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Len()
}

// Since is what was logged after the first n bytes.
func (l *Log) Since(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf.Bytes()
	if n > len(b) {
		n = len(b)
	}
	return string(b[n:])
}
