// Package app wires Zirkel together: database, login, GraphQL endpoint, health checks and the
// IDE. main and the tests build the server through it, so tests exercise exactly what runs.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/graphql"

	"zirkel/graph"
	"zirkel/server/api"
	"zirkel/server/audit"
	"zirkel/server/auth"
	"zirkel/server/auth/directory"
	"zirkel/server/calendar"
	"zirkel/server/config"
	"zirkel/server/demo"
	"zirkel/server/graphiql"
	"zirkel/server/live"
	"zirkel/server/mail"
	"zirkel/server/notify"
	"zirkel/server/privacy"
	"zirkel/server/pubsub"
	"zirkel/server/reqid"
	"zirkel/server/store"
)

// App is a running Zirkel without its listener.
type App struct {
	Store   *store.Store
	Auth    *auth.Service
	Live    *live.Hub
	Privacy *privacy.Eraser
	// Notify writes and delivers notifications (consumer of the event pipeline).
	Notify  *notify.Service
	Mail    *mail.Sender // nil when no SMTP server is configured
	broker  pubsub.Broker
	unshare func() // stops telling other replicas of writes
	stop    context.CancelFunc
	handler http.Handler
	logger  *slog.Logger

	auditRetention, auditPurgeEvery time.Duration
}

// Option adjusts how the app is built (used by tests).
type Option func(*options)

type options struct {
	store       store.Options
	directories []directory.Config
	live        live.Config
	mail        []func(*mail.Options)
}

// WithMailOptions adjusts the mail sender's settings (tests poll and retry faster).
func WithMailOptions(f func(*mail.Options)) Option {
	return func(o *options) { o.mail = append(o.mail, f) }
}

// WithLiveConfig sets the live hub's limits.
func WithLiveConfig(c live.Config) Option {
	return func(o *options) { o.live = c }
}

// WithDriverWrapper wraps the database driver, e.g. to count statements.
func WithDriverWrapper(wrap func(dialect.Driver) dialect.Driver) Option {
	return func(o *options) { o.store.WrapDriver = wrap }
}

// WithDirectories configures directories directly instead of through the directories file.
func WithDirectories(dirs ...directory.Config) Option {
	return func(o *options) { o.directories = append(o.directories, dirs...) }
}

// New opens the database, loads the demo community if asked to, and builds the handler.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...Option) (*App, error) {
	o := options{store: store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: logger}, live: live.DefaultConfig}
	o.live.MaxConnsPerMember = cfg.WSConnsPerMember
	for _, opt := range opts {
		opt(&o)
	}
	if cfg.BrokerURL != "" && cfg.SurveySecret == "" {
		// Each replica would make its own key file: respondents could answer once per replica.
		return nil, errors.New("several replicas (ZIRKEL_BROKER_URL) need one ZIRKEL_SURVEY_SECRET, the same on every replica")
	}
	if cfg.Directories != "" {
		dirs, err := directory.LoadFile(cfg.Directories, os.Getenv)
		if err != nil {
			return nil, err
		}
		o.directories = append(o.directories, dirs...)
	}
	st, err := store.Open(ctx, o.store)
	if err != nil {
		return nil, err
	}
	st.Events.InTx("audit", audit.Record) // before any write below, so that the demo's are recorded too
	// The write generation for the caches of answers and sessions (nil: nothing is kept).
	kept := keptFor(cfg.AnswerCacheTTL, st.Writes.Current)
	authService, err := auth.New(st.Client, auth.Config{
		IdleTimeout: cfg.SessionIdle, MaxAge: cfg.SessionMaxAge, CookieName: auth.DefaultConfig.CookieName,
		CookieInsecure: cfg.CookieInsecure, AllowedOrigins: cfg.AllowedOrigins, Directories: o.directories,
		SessionRetention: cfg.SessionRetention, FailureRetention: cfg.FailureRetention,
		Writes: kept, KeepViewer: cfg.AnswerCacheTTL,
	}, logger)
	var broker pubsub.Broker
	if err == nil {
		broker, err = pubsub.Open(cfg.BrokerURL)
	}
	var hub *live.Hub
	if err == nil {
		hub, err = live.NewHub(st.Client, broker, authService, o.live, logger)
	}
	if err != nil {
		if broker != nil {
			_ = broker.Close()
		}
		_ = st.Close()
		return nil, err
	}
	st.Events.AfterCommit("live", hub.Consume)
	notifier, err := notify.New(st.Dialect, broker, logger)
	if err != nil {
		hub.Shutdown()
		_ = broker.Close()
		_ = st.Close()
		return nil, err
	}
	notifier.Attach(st.Events)
	// The demo loads once every consumer is registered, so that its discussions notify the
	// members who follow them (and fill their digests) as a live community would.
	if cfg.Demo {
		err = loadDemo(ctx, st, cfg, logger)
	}
	if err == nil {
		err = authService.CheckDirectoryOrganisations(ctx, shippedOfficialKey)
	}
	if err != nil {
		notifier.Close()
		hub.Shutdown()
		_ = broker.Close()
		_ = st.Close()
		return nil, err
	}
	background, stop := context.WithCancel(context.WithoutCancel(ctx))
	go notifier.RunReminders(background, st.Client, notify.RemindEvery)
	ws := hub.Transport(cfg.AllowedOrigins)
	limits := api.DefaultLimits
	limits.MaxComplexity = cfg.MaxComplexity
	limits.Timeout = cfg.Timeout
	secret, err := surveySecret(cfg)
	var sender *mail.Sender
	var mailKey []byte
	if err == nil {
		mailKey, err = mailSecret(cfg)
	}
	if err == nil {
		sender, err = newSender(st, cfg, mailKey, o.mail, logger)
	}
	var unshare func()
	if err == nil {
		unshare, err = st.Writes.Share(broker, logger) // the other replicas' answer caches
	}
	if err != nil {
		stop()
		notifier.Close()
		_ = broker.Close()
		_ = st.Close()
		return nil, err
	}
	eraser := privacy.New(st.Client, privacy.Config{
		Grace: cfg.DeletionGrace, Dialect: st.Dialect, SurveySecret: secret,
		ThrottleKeys: authService.AccountThrottleKeys,
	}, logger)
	exporter := privacy.NewExporter(st.Client, privacy.AuditRecorder(st.Client))
	answers := api.DefaultAnswerCache
	answers.Generation, answers.MaxBytes, answers.TTL = kept, int64(cfg.AnswerCacheMB)<<20, cfg.AnswerCacheTTL
	gql := api.New(graph.NewSchema(graph.Deps{Client: st.Client, Auth: authService, Live: hub, Search: st.Search, SurveySecret: secret, Privacy: eraser, Exporter: exporter, Notify: notifier}), st.Client, api.Options{
		Limits:        limits,
		Introspection: cfg.Introspection,
		Logger:        logger,
		Websocket:     ws,
		Fields:        graph.Prefetch(st.Client),
		Answers:       answers,
		Operations: func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
			return hub.CurrentViewer(audit.WatchReads(ctx, st.Client), next)
		},
	})
	mux := http.NewServeMux()
	deadline := withDeadline(cfg.Timeout) // around authentication too
	// The write generation is marked before authentication: the answer cache serves and keeps
	// answers of the generation the request's viewer was loaded at (server/api AnswerCache).
	mux.Handle("/graphql", deadline(st.Writes.Middleware(authService.Middleware(hub.Middleware(gql)))))
	mux.Handle("GET /events/{file}", deadline(authService.Middleware(calendar.EventHandler(st.Client))))
	mux.Handle("GET /calendar/{file}", deadline(calendar.FeedHandler(st.Client, authService)))
	mux.Handle("GET /audit.csv", deadline(authService.Middleware(audit.CSV(st.Client))))
	mux.Handle("GET /surveys/{id}/results.csv", deadline(authService.Middleware(graph.SurveyResultsCSV(st.Client, secret))))
	mux.Handle("GET /me/export.json", deadline(authService.Middleware(privacy.Handler(exporter, logger))))
	mux.Handle("/unsubscribe", deadline(mail.NewUnsubscribe(st.Client, mailKey, logger)))
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
	if sender != nil {
		sender.Start()
	}
	return &App{Store: st, Auth: authService, Live: hub, Privacy: eraser, Notify: notifier, Mail: sender, stop: stop, broker: broker, unshare: unshare, handler: reqid.Middleware(withRequestLog(mux, logger)),
		logger: logger, auditRetention: cfg.AuditRetention(), auditPurgeEvery: cfg.AuditPurgeEvery}, nil
}

// keptFor is the write generation for the caches of answers and sessions, nil (nothing is
// kept) when they may keep nothing for any time.
func keptFor(ttl time.Duration, generation func() uint64) func() uint64 {
	if ttl <= 0 {
		return nil
	}
	return generation
}

// newSender returns the mail sender, or nil when no SMTP server is configured: then the
// outbox still fills (nothing is lost, and digests gather) and is sent once one is.
func newSender(st *store.Store, cfg config.Config, key []byte, adjust []func(*mail.Options), logger *slog.Logger) (*mail.Sender, error) {
	if cfg.SMTPURL == "" {
		logger.Info("no SMTP server configured (ZIRKEL_SMTP_URL): e-mails stay in the outbox")
		return nil, nil
	}
	smtp, err := mail.ParseSMTPURL(cfg.SMTPURL, cfg.SMTPUsername, cfg.SMTPPassword)
	if err != nil {
		return nil, err
	}
	opts := mail.DefaultOptions
	opts.SMTP, opts.From, opts.BaseURL, opts.Secret = smtp, cfg.MailFrom, cfg.PublicURL, key
	for _, f := range adjust {
		f(&opts)
	}
	return mail.NewSender(st.Client, st.Dialect, opts, logger), nil
}

// surveySecret is ZIRKEL_SURVEY_SECRET or, for a single instance, a random key kept in the
// data directory (created on first start). It must never be stored in the database: it is
// what keeps anonymous survey responses unlinkable to members.
func surveySecret(cfg config.Config) ([]byte, error) {
	return keyOf(cfg.SurveySecret, cfg.DataDir, "survey.key")
}

// mailSecret keys the unsubscribe links: ZIRKEL_MAIL_SECRET; else a key derived from
// ZIRKEL_SURVEY_SECRET (HMAC with a fixed label: the same on every replica, and the survey key
// cannot be learnt from it); else a random key kept in the data directory (one instance).
func mailSecret(cfg config.Config) ([]byte, error) {
	if cfg.MailSecret == "" && cfg.SurveySecret != "" {
		h := hmac.New(sha256.New, []byte(cfg.SurveySecret))
		h.Write([]byte("zirkel: key of unsubscribe links"))
		return h.Sum(nil), nil
	}
	return keyOf(cfg.MailSecret, cfg.DataDir, "mail.key")
}

// keyOf is the configured secret or, when it is empty, a random key kept in a file of the
// data directory (created on first start).
func keyOf(configured, dataDir, file string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	path := filepath.Join(dataDir, file)
	if key, err := os.ReadFile(path); err == nil && len(key) >= 32 {
		return key, nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", file, err)
	}
	return key, nil
}

// loadDemo loads the demo community into an empty database, with local accounts whose
// password is ZIRKEL_DEMO_PASSWORD or, when that is empty, a random one printed once.
func loadDemo(ctx context.Context, st *store.Store, cfg config.Config, logger *slog.Logger) error {
	password := cfg.DemoPassword
	if password == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		password = base64.RawURLEncoding.EncodeToString(b)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	loaded, err := demo.Load(ctx, st.Client, logger, hash)
	if err != nil {
		return err
	}
	if loaded {
		if _, err := demo.Digests(ctx, st.Client, st.Dialect, time.Now()); err != nil {
			return err
		}
	}
	if loaded && cfg.DemoPassword == "" {
		// Printed, not logged: log pipelines keep secrets far longer than a terminal. Kept in
		// the data directory (readable by its owner only) so that it can be looked up later.
		path := filepath.Join(cfg.DataDir, demoPasswordFile)
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("creating data directory: %w", err)
		}
		if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
			return fmt.Errorf("writing the demo password: %w", err)
		}
		fmt.Fprintf(os.Stderr, "\nDemo community loaded. Log in as %s (or any demo member) with the password: %s\n(kept in %s)\n\n", demo.AdminEmail, password, path)
	}
	return nil
}

// demoPasswordFile keeps the random password of the demo accounts in the data directory.
const demoPasswordFile = "demo-password"

// shippedOfficialKey tells whether ags is the official key of a district in the shipped list
// (server/demo/kreise.csv) or of a Land (state number and six zeros): organisations a
// directory may name before the database holds them.
func shippedOfficialKey(ags string) bool {
	if len(ags) == 8 && strings.HasSuffix(ags, "000000") && ags[:2] >= "01" && ags[:2] <= "16" {
		return true
	}
	districts, err := demo.Districts()
	return err == nil && slices.ContainsFunc(districts, func(d demo.District) bool { return d.AGS() == ags })
}

// RunAuditRetention purges audit entries past the configured retention at once and then on
// the configured schedule, until ctx ends.
func (a *App) RunAuditRetention(ctx context.Context) {
	audit.RunRetention(ctx, a.Store.Client, a.auditRetention, a.auditPurgeEvery, a.logger)
}

// Handler is the HTTP handler of all endpoints.
func (a *App) Handler() http.Handler { return a.handler }

// Shutdown closes the websockets with "going away" (http.Server.Shutdown does not close
// hijacked connections), so that clients reconnect to another replica and resume.
func (a *App) Shutdown() { a.Live.Shutdown() }

// Close releases the broker and the database.
func (a *App) Close() error {
	a.stop()
	a.Live.Shutdown()
	a.Notify.Close()
	if a.Mail != nil {
		a.Mail.Stop()
	}
	a.Auth.Close()
	a.unshare()
	_ = a.broker.Close()
	return a.Store.Close()
}

func writeStatus(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text + "\n"))
}
