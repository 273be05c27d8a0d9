// Package app wires Zirkel together: database, GraphQL endpoint, health checks and the IDE.
// main and the tests build the server through it, so tests exercise exactly what runs.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"entgo.io/ent/dialect"

	"zirkel/graph"
	"zirkel/server/api"
	"zirkel/server/config"
	"zirkel/server/demo"
	"zirkel/server/graphiql"
	"zirkel/server/reqid"
	"zirkel/server/store"
)

// App is a running Zirkel without its listener.
type App struct {
	Store   *store.Store
	handler http.Handler
}

// Option adjusts how the app is built (used by tests).
type Option func(*store.Options)

// WithDriverWrapper wraps the database driver, e.g. to count statements.
func WithDriverWrapper(wrap func(dialect.Driver) dialect.Driver) Option {
	return func(o *store.Options) { o.WrapDriver = wrap }
}

// New opens the database, loads the demo community if asked to, and builds the handler.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...Option) (*App, error) {
	so := store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir}
	for _, o := range opts {
		o(&so)
	}
	st, err := store.Open(ctx, so)
	if err != nil {
		return nil, err
	}
	if cfg.Demo {
		loaded, err := demo.Load(ctx, st.Client, logger)
		if err != nil {
			_ = st.Close()
			return nil, err
		}
		logger.Info("demo community", "loaded", loaded)
	}
	limits := api.DefaultLimits
	limits.MaxComplexity = cfg.MaxComplexity
	limits.Timeout = cfg.Timeout
	gql := api.New(graph.NewSchema(st.Client), st.Client, api.Options{
		Limits:        limits,
		Introspection: cfg.Introspection,
		Logger:        logger,
	})
	mux := http.NewServeMux()
	mux.Handle("/graphql", gql)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			logger.Warn("readiness check failed", "err", err)
			writeStatus(w, http.StatusServiceUnavailable, "database unreachable")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
	})
	if cfg.GraphiQL {
		ide := graphiql.Handler("Zirkel", "/graphql")
		mux.Handle("/", ide)
		mux.Handle(graphiql.AssetPrefix, ide)
	}
	return &App{Store: st, handler: reqid.Middleware(withRequestLog(mux, logger))}, nil
}

// Handler is the HTTP handler of all endpoints.
func (a *App) Handler() http.Handler { return a.handler }

// Close releases the database.
func (a *App) Close() error { return a.Store.Close() }

func writeStatus(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text + "\n"))
}
