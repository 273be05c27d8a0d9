// Package apitest starts Zirkel for black-box tests through its HTTP handler, on the embedded
// SQLite (a fresh file per test) or on PostgreSQL (a fresh schema per test in the database at
// ZIRKEL_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test). PostgreSQL tests
// are never skipped: if the server is unreachable they fail.
package apitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"zirkel/ent/schema/gid"
	"zirkel/server/app"
	"zirkel/server/config"
)

// Backends are the databases every resolver test runs on.
var Backends = []string{"sqlite", "postgres"}

// Env is one started server.
type Env struct {
	URL        string
	App        *app.App
	statements atomic.Int64
}

// ForEachBackend runs f as a subtest on each backend with a fresh server.
func ForEachBackend(t *testing.T, f func(t *testing.T, env *Env)) {
	t.Helper()
	ForEachBackendWith(t, nil, f)
}

// ForEachBackendWith runs f as a subtest on each backend with a fresh server whose
// configuration adjust changes first.
func ForEachBackendWith(t *testing.T, adjust func(*config.Config), f func(t *testing.T, env *Env)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			f(t, Start(t, b, adjust))
		})
	}
}

// NothingKept configures a server that keeps no answers and no sessions' viewers between
// requests, for tests of what a request costs or does when it reaches the database.
func NothingKept(c *config.Config) { c.AnswerCacheTTL = 0 }

// Start starts a server on the backend; adjust, if set, changes the configuration first.
func Start(t testing.TB, backend string, adjust func(*config.Config), opts ...app.Option) *Env {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return start(t, backend, adjust, logger, opts...)
}

// start starts a server with the logger on a fresh database of the backend.
func start(t testing.TB, backend string, adjust func(*config.Config), logger *slog.Logger, opts ...app.Option) *Env {
	t.Helper()
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	if backend == "postgres" {
		cfg.DatabaseURL = freshSchema(t)
	}
	if adjust != nil {
		adjust(&cfg)
	}
	env := &Env{}
	opts = append(opts, app.WithDriverWrapper(func(d dialect.Driver) dialect.Driver {
		return &countingDriver{Driver: d, n: &env.statements}
	}))
	a, err := app.New(context.Background(), cfg, logger, opts...)
	if err != nil {
		t.Fatalf("starting app: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = a.Close()
	})
	env.URL, env.App = srv.URL, a
	return env
}

// NATSURL is the NATS server the replica tests use (ZIRKEL_TEST_NATS_URL, default
// nats://127.0.0.1:4222); they fail when it is missing, never skip.
func NATSURL() string {
	if u := os.Getenv("ZIRKEL_TEST_NATS_URL"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// PostgresURL is the server the PostgreSQL tests use.
func PostgresURL() string {
	if u := os.Getenv("ZIRKEL_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// FreshPostgres creates an empty PostgreSQL schema for one test and returns a URL that uses
// it (dropped when the test ends).
func FreshPostgres(t testing.TB) string { return freshSchema(t) }

// Remote is an Env for a server running elsewhere (another process), by its base URL.
func Remote(url string) *Env { return &Env{URL: url} }

// freshSchema creates an empty schema for one test and returns a URL that uses it.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("opening postgres: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "zt_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("PostgreSQL at %s is required for these tests (set ZIRKEL_TEST_POSTGRES_URL): %v", base, err)
	}
	t.Cleanup(func() {
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
	Status int             `json:"-"`
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the error's extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Field is the error's extensions.field.
func (e Error) Field() string { s, _ := e.Extensions["field"].(string); return s }

// Post sends a query with variables as a JSON POST, anonymously.
func (e *Env) Post(t testing.TB, query string, vars map[string]any) Response {
	t.Helper()
	return e.Anonymous().Post(t, query, vars)
}

// Send sends a raw request anonymously and decodes a GraphQL response, if there is one.
func (e *Env) Send(t testing.TB, method, path, contentType string, body []byte) Response {
	t.Helper()
	return e.Anonymous().Send(t, method, path, contentType, body)
}

// Post sends a query with variables as a JSON POST in this session.
func (s *Session) Post(t testing.TB, query string, vars map[string]any) Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return s.Send(t, http.MethodPost, "/graphql", "application/json", body)
}

// MustPost sends a query that must succeed in this session and decodes its data into out.
func (s *Session) MustPost(t testing.TB, query string, vars map[string]any, out any) {
	t.Helper()
	mustDecode(t, s.Post(t, query, vars), query, out)
}

// Send sends a raw request in this session and decodes a GraphQL response, if there is one.
func (s *Session) Send(t testing.TB, method, path, contentType string, body []byte) Response {
	t.Helper()
	req, err := http.NewRequest(method, s.env.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range s.Header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := Response{Status: res.StatusCode}
	_ = json.Unmarshal(raw, &out)
	return out
}

// MustPost sends a query that must succeed, anonymously, and decodes its data into out.
func (e *Env) MustPost(t testing.TB, query string, vars map[string]any, out any) {
	t.Helper()
	mustDecode(t, e.Post(t, query, vars), query, out)
}

func mustDecode(t testing.TB, res Response, query string, out any) {
	t.Helper()
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v\nquery: %s", res.Errors, query)
	}
	if out != nil {
		if err := json.Unmarshal(res.Data, out); err != nil {
			t.Fatalf("decoding %s: %v", res.Data, err)
		}
	}
}

// Statements counts the SQL statements sent while f runs.
func (e *Env) Statements(f func()) int64 {
	before := e.statements.Load()
	f()
	return e.statements.Load() - before
}

func gidOf(s string) gid.ID { return gid.ID(s) }
