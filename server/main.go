// Command zirkel runs the Zirkel GraphQL server. Configuration: see `zirkel -h` and README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"zirkel/server/app"
	"zirkel/server/audit"
	"zirkel/server/config"
	"zirkel/server/reqid"
	"zirkel/server/schedule"
	"zirkel/server/store"
)

func main() {
	if err := run(); err != nil {
		slog.Error("zirkel stopped", "err", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(reqid.LogHandler(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})))
	slog.SetDefault(logger)
	if cfg.AuditVerify {
		return verifyAudit(cfg)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20, // above api.Limits.MaxHeaderBytes, which answers 431 with a code
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	go revalidateDirectories(ctx, a, cfg.RevalidateEvery, logger)
	go a.RunErasure(ctx, cfg.ErasureEvery)
	go purgeExpired(ctx, a, cfg.PurgeEvery, logger)
	go a.RunAuditRetention(ctx)
	if cfg.DebugAddr != "" {
		go serveProfiles(cfg.DebugAddr, logger)
	}
	database := "sqlite:" + cfg.DataDir
	if cfg.DatabaseURL != "" {
		database = "postgres"
	}
	logger.Info("zirkel listening", "addr", cfg.Addr, "database", database, "demo", cfg.Demo, "graphiql", cfg.GraphiQL)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	a.Shutdown()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// errAuditBroken makes the verify command exit with a non-zero status.
var errAuditBroken = errors.New("the audit log's hash chain is broken")

// verifyAudit checks the audit log's hash chain (zirkel -audit-verify) and prints the outcome.
func verifyAudit(cfg config.Config) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := audit.Verify(ctx, st.Client)
	if err != nil {
		return err
	}
	if r.Broken != nil {
		fmt.Printf("audit log BROKEN at %s (entries %d to %d checked before it)\n", r.Broken, r.First, r.Last)
		return errAuditBroken
	}
	fmt.Printf("audit log intact: %d entries, %d to %d, anchored at previous hash %s\n", r.Entries, r.First, r.Last, r.Anchor)
	return nil
}

// revalidateDirectories ends the sessions of directory users who may no longer log in.
func revalidateDirectories(ctx context.Context, a *app.App, every time.Duration, logger *slog.Logger) {
	schedule.Every(ctx, every, false, func(ctx context.Context) {
		ended, err := a.Auth.Revalidate(ctx)
		if err != nil {
			logger.Error("revalidating directory members", "err", err)
		} else if ended > 0 {
			logger.Info("ended sessions of members the directory no longer allows", "sessions", ended)
		}
	})
}

// purgeExpired deletes, on a schedule, sessions and failed-login counters past their
// retention (auth.Service.Purge); each run has its own deadline.
func purgeExpired(ctx context.Context, a *app.App, every time.Duration, logger *slog.Logger) {
	schedule.Every(ctx, every, true, func(ctx context.Context) {
		p, err := a.Auth.Purge(ctx)
		if err != nil {
			logger.Error("purging data past its retention", "err", err)
		} else if p.Sessions+p.FailureCounters > 0 {
			logger.Info("purged data past its retention", "sessions", p.Sessions, "failure_counters", p.FailureCounters)
		}
	})
}

// serveProfiles serves Go's pprof handlers on their own listener, never on the public one.
func serveProfiles(addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("serving profiles", "err", err)
	}
}
