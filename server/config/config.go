// Package config reads Zirkel's configuration from flags, with environment variables as
// fallbacks (a flag given on the command line wins).
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server can be told at start.
type Config struct {
	Addr          string        // -addr / ZIRKEL_ADDR
	DataDir       string        // -data / ZIRKEL_DATA: directory of the embedded database
	DatabaseURL   string        // -database-url / DATABASE_URL: PostgreSQL instead of SQLite
	LogLevel      slog.Level    // -log-level / ZIRKEL_LOG_LEVEL
	Demo          bool          // -demo / ZIRKEL_DEMO: load the demo community into an empty database
	Introspection bool          // -introspection / ZIRKEL_INTROSPECTION (on in demo mode)
	GraphiQL      bool          // -graphiql / ZIRKEL_GRAPHIQL: the IDE at / (on in demo mode)
	MaxComplexity int           // -max-complexity / ZIRKEL_MAX_COMPLEXITY
	Timeout       time.Duration // -request-timeout / ZIRKEL_REQUEST_TIMEOUT

	Directories      string        // -directories / ZIRKEL_DIRECTORIES: the directories file (YAML)
	AllowedOrigins   []string      // -cors-origins / ZIRKEL_CORS_ORIGINS: comma-separated browser origins
	CookieInsecure   bool          // -cookie-insecure / ZIRKEL_COOKIE_INSECURE: session cookie without Secure (plain-HTTP development)
	SessionIdle      time.Duration // -session-idle / ZIRKEL_SESSION_IDLE
	SessionMaxAge    time.Duration // -session-max-age / ZIRKEL_SESSION_MAX_AGE
	RevalidateEvery  time.Duration // -revalidate-every / ZIRKEL_REVALIDATE_EVERY: re-check directory members with sessions
	SessionRetention time.Duration // -session-retention / ZIRKEL_SESSION_RETENTION: ended sessions are deleted this long after they ended
	FailureRetention time.Duration // -login-failure-retention / ZIRKEL_LOGIN_FAILURE_RETENTION: failed-login counters count and are kept this long
	PurgeEvery       time.Duration // -purge-every / ZIRKEL_PURGE_EVERY: how often what is past its retention is deleted
	DemoPassword     string        // ZIRKEL_DEMO_PASSWORD (environment only: a secret); random when empty
	SurveySecret     string        // ZIRKEL_SURVEY_SECRET (environment only): keys anonymous survey responses
	BrokerURL        string        // -broker / ZIRKEL_BROKER_URL: nats://host:4222 for several replicas; empty for in-process
	WSConnsPerMember int           // -ws-conns-per-member / ZIRKEL_WS_CONNS_PER_MEMBER: websocket connections one member may hold
	AnswerCacheMB    int           // -answer-cache-mb / ZIRKEL_ANSWER_CACHE_MB: MiB of query answers kept per replica until the next write (0: off)
	AnswerCacheTTL   time.Duration // -answer-cache-ttl / ZIRKEL_ANSWER_CACHE_TTL: longest a kept answer or session is used (what depends on the time changes without a write); 0: neither is kept
	DebugAddr        string        // -debug-addr / ZIRKEL_DEBUG_ADDR: serve Go's pprof here (keep it on localhost)
	DeletionGrace    time.Duration // -deletion-grace / ZIRKEL_DELETION_GRACE: time to undo an account deletion
	ErasureEvery     time.Duration // -erasure-every / ZIRKEL_ERASURE_EVERY: how often due deletions run and directories are checked for removed members

	AuditRetentionDays int           // -audit-retention-days / ZIRKEL_AUDIT_RETENTION_DAYS: audit entries are kept this many days (default 730)
	AuditPurgeEvery    time.Duration // -audit-purge-every / ZIRKEL_AUDIT_PURGE_EVERY: how often entries past the retention are purged
	AuditVerify        bool          // -audit-verify: check the audit log's hash chain, print the outcome and exit (non-zero when broken)

	SMTPURL      string // -smtp-url / ZIRKEL_SMTP_URL: smtp://host:25 (STARTTLS when offered; ?starttls=required|off) or smtps://host:465; empty: no mail is sent
	SMTPUsername string // ZIRKEL_SMTP_USERNAME (environment only)
	SMTPPassword string // ZIRKEL_SMTP_PASSWORD (environment only: a secret)
	MailFrom     string // -mail-from / ZIRKEL_MAIL_FROM: the From address of e-mails
	MailSecret   string // ZIRKEL_MAIL_SECRET (environment only): keys unsubscribe links; random per data directory when empty
	PublicURL    string // -public-url / ZIRKEL_PUBLIC_URL: base URL of links in e-mails
}

// AuditRetention is how long audit entries are kept.
func (c Config) AuditRetention() time.Duration {
	return time.Duration(c.AuditRetentionDays) * 24 * time.Hour
}

// Load parses args (without the program name) with getenv for the fallbacks.
func Load(args []string, getenv func(string) string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("zirkel", flag.ContinueOnError)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	envBool := func(name string) bool { b, _ := strconv.ParseBool(getenv(name)); return b }
	fs.StringVar(&c.Addr, "addr", env("ZIRKEL_ADDR", ":8080"), "listen address")
	fs.StringVar(&c.DataDir, "data", env("ZIRKEL_DATA", "./data"), "directory of the embedded SQLite database")
	fs.StringVar(&c.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL; empty for the embedded database")
	level := fs.String("log-level", env("ZIRKEL_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.BoolVar(&c.Demo, "demo", envBool("ZIRKEL_DEMO"), "load the demo community into an empty database; enables GraphiQL and introspection")
	introspection := fs.Bool("introspection", envBool("ZIRKEL_INTROSPECTION"), "allow schema introspection")
	graphiql := fs.Bool("graphiql", envBool("ZIRKEL_GRAPHIQL"), "serve the GraphiQL IDE at /")
	complexity, _ := strconv.Atoi(env("ZIRKEL_MAX_COMPLEXITY", "100000"))
	fs.IntVar(&c.MaxComplexity, "max-complexity", complexity, "most complexity one operation may have")
	timeout, err := time.ParseDuration(env("ZIRKEL_REQUEST_TIMEOUT", "15s"))
	if err != nil {
		return c, fmt.Errorf("reading ZIRKEL_REQUEST_TIMEOUT: %w", err)
	}
	fs.DurationVar(&c.Timeout, "request-timeout", timeout, "deadline of one request")
	fs.StringVar(&c.Directories, "directories", getenv("ZIRKEL_DIRECTORIES"), "directories file (YAML) for login against LDAP/Active Directory")
	origins := fs.String("cors-origins", getenv("ZIRKEL_CORS_ORIGINS"), "comma-separated origins of browser apps allowed to call the API")
	fs.BoolVar(&c.CookieInsecure, "cookie-insecure", envBool("ZIRKEL_COOKIE_INSECURE"), "send the session cookie without Secure (plain-HTTP development only)")
	durations := []struct {
		p            *time.Duration
		flag, env, d string
		usage        string
	}{
		{&c.SessionIdle, "session-idle", "ZIRKEL_SESSION_IDLE", "8h", "a session unused this long ends"},
		{&c.SessionMaxAge, "session-max-age", "ZIRKEL_SESSION_MAX_AGE", "168h", "a session ends this long after login"},
		{&c.RevalidateEvery, "revalidate-every", "ZIRKEL_REVALIDATE_EVERY", "15m", "how often directory members with sessions are re-checked"},
		{&c.DeletionGrace, "deletion-grace", "ZIRKEL_DELETION_GRACE", "720h", "how long a member can undo the deletion of their account"},
		{&c.ErasureEvery, "erasure-every", "ZIRKEL_ERASURE_EVERY", "1h", "how often accounts due for deletion are erased and directories checked for removed members"},
		{&c.SessionRetention, "session-retention", "ZIRKEL_SESSION_RETENTION", "720h", "ended sessions are deleted this long after they ended"},
		{&c.FailureRetention, "login-failure-retention", "ZIRKEL_LOGIN_FAILURE_RETENTION", "1h", "failed-login counters count and are kept this long after the last failure"},
		{&c.PurgeEvery, "purge-every", "ZIRKEL_PURGE_EVERY", "1h", "how often sessions and counters past their retention are deleted"},
		{&c.AnswerCacheTTL, "answer-cache-ttl", "ZIRKEL_ANSWER_CACHE_TTL", "1s", "longest a kept query answer or session is used, even without a write; 0: neither is kept"},
		{&c.AuditPurgeEvery, "audit-purge-every", "ZIRKEL_AUDIT_PURGE_EVERY", "24h", "how often audit entries past the retention are purged"},
	}
	for _, d := range durations {
		v, err := time.ParseDuration(env(d.env, d.d))
		if err != nil {
			return c, fmt.Errorf("reading %s: %w", d.env, err)
		}
		fs.DurationVar(d.p, d.flag, v, d.usage)
	}
	c.DemoPassword = getenv("ZIRKEL_DEMO_PASSWORD")
	c.SurveySecret = getenv("ZIRKEL_SURVEY_SECRET")
	conns, _ := strconv.Atoi(env("ZIRKEL_WS_CONNS_PER_MEMBER", "10"))
	fs.IntVar(&c.WSConnsPerMember, "ws-conns-per-member", conns, "websocket connections one member may hold")
	answers, err := strconv.Atoi(env("ZIRKEL_ANSWER_CACHE_MB", "32"))
	if err != nil {
		return c, fmt.Errorf("reading ZIRKEL_ANSWER_CACHE_MB: a number of MiB, 0 or more")
	}
	fs.IntVar(&c.AnswerCacheMB, "answer-cache-mb", answers, "MiB of query answers kept until the next write (per session, per replica); 0: off")
	fs.StringVar(&c.DebugAddr, "debug-addr", getenv("ZIRKEL_DEBUG_ADDR"), "address for Go's pprof profiles, e.g. 127.0.0.1:6060; empty: off")
	retention, err := strconv.Atoi(env("ZIRKEL_AUDIT_RETENTION_DAYS", "730"))
	if err != nil {
		return c, fmt.Errorf("reading ZIRKEL_AUDIT_RETENTION_DAYS: %w", err)
	}
	fs.IntVar(&c.AuditRetentionDays, "audit-retention-days", retention, "days audit entries are kept")
	fs.BoolVar(&c.AuditVerify, "audit-verify", false, "check the audit log's hash chain, print the first broken link and exit (status 1 when broken)")
	fs.StringVar(&c.BrokerURL, "broker", getenv("ZIRKEL_BROKER_URL"), "event broker between replicas: nats://host:4222, or empty for in-process")
	fs.StringVar(&c.SMTPURL, "smtp-url", getenv("ZIRKEL_SMTP_URL"), "SMTP server: smtp://host:25 (STARTTLS when offered, ?starttls=required or off) or smtps://host:465; empty: no mail is sent")
	fs.StringVar(&c.MailFrom, "mail-from", env("ZIRKEL_MAIL_FROM", "Zirkel <zirkel@localhost>"), "From address of e-mails")
	fs.StringVar(&c.PublicURL, "public-url", env("ZIRKEL_PUBLIC_URL", "http://localhost:8080"), "base URL of links in e-mails")
	c.SMTPUsername = getenv("ZIRKEL_SMTP_USERNAME")
	c.SMTPPassword = getenv("ZIRKEL_SMTP_PASSWORD")
	c.MailSecret = getenv("ZIRKEL_MAIL_SECRET")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, o)
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(strings.ToUpper(*level))); err != nil {
		return c, fmt.Errorf("reading log level: %w", err)
	}
	c.Introspection = *introspection || c.Demo
	c.GraphiQL = *graphiql || c.Demo
	if c.WSConnsPerMember <= 0 || c.MaxComplexity <= 0 || c.Timeout <= 0 || c.SessionIdle <= 0 || c.SessionMaxAge <= 0 || c.RevalidateEvery <= 0 ||
		c.DeletionGrace <= 0 || c.ErasureEvery <= 0 || c.SessionRetention <= 0 || c.FailureRetention <= 0 || c.PurgeEvery <= 0 ||
		c.AuditRetentionDays <= 0 || c.AuditPurgeEvery <= 0 || c.AnswerCacheMB < 0 || c.AnswerCacheTTL < 0 {
		return c, fmt.Errorf("limits and durations must be positive")
	}
	return c, nil
}
