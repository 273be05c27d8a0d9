// Package auth logs members in (against their authority's directory, or a local account),
// keeps their sessions, and puts the viewer into every request's context.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/auth/directory"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// LocalDirectory is the directory id of accounts without a directory.
const LocalDirectory = "local"

// Config holds the settings of logins and sessions.
type Config struct {
	IdleTimeout    time.Duration // a session unused this long ends
	MaxAge         time.Duration // a session ends this long after login, used or not
	CookieName     string
	CookieInsecure bool     // drop the Secure flag (plain-HTTP development only)
	AllowedOrigins []string // browser origins allowed to call the API with credentials
	Directories    []directory.Config
	// SessionRetention is how long an ended session (revoked, expired or idle) is kept, for
	// the member's export and security questions, before Purge deletes it (0: 30 days).
	SessionRetention time.Duration
	// FailureRetention is how long failed logins count and are kept (0: 1 hour).
	FailureRetention time.Duration
	// Writes, if set, is the database's write generation (server/writes): a session's viewer
	// is then kept for up to KeepViewer while nothing is written.
	Writes     func() uint64
	KeepViewer time.Duration
}

// DefaultConfig is a working day of idle time within a week.
var DefaultConfig = Config{
	IdleTimeout: 8 * time.Hour,
	MaxAge:      7 * 24 * time.Hour,
	CookieName:  "zirkel_session",
}

// Service is the login and session service.
type Service struct {
	client      *ent.Client
	cfg         Config
	sessions    *Sessions
	directories map[string]*directory.Directory
	byDomain    map[string]string
	accounts    *limiter // failures per account: few are allowed
	addresses   *limiter // failures per client address: many staff may share one (NAT)
	logger      *slog.Logger
	now         func() time.Time
}

// New builds the service; directories are connected to on demand, never at start.
func New(client *ent.Client, cfg Config, logger *slog.Logger) (*Service, error) {
	s := &Service{
		client: client, cfg: cfg, logger: logger, now: time.Now,
		directories: map[string]*directory.Directory{}, byDomain: map[string]string{},
	}
	s.sessions = &Sessions{client: client, idleTimeout: cfg.IdleTimeout, maxAge: cfg.MaxAge, now: s.now}
	if cfg.Writes != nil {
		s.sessions.kept = &viewerCache{generation: cfg.Writes, ttl: cfg.KeepViewer}
	}
	s.accounts = newLimiter(client, "account", 5, s.now)
	s.addresses = newLimiter(client, "address", 50, s.now)
	if cfg.FailureRetention > 0 {
		s.accounts.forget, s.addresses.forget = cfg.FailureRetention, cfg.FailureRetention
	}
	if s.cfg.SessionRetention <= 0 {
		s.cfg.SessionRetention = 30 * 24 * time.Hour
	}
	for _, dc := range cfg.Directories {
		if dc.ID == LocalDirectory || s.directories[dc.ID] != nil {
			return nil, fmt.Errorf("configuring directories: id %q is reserved or used twice", dc.ID)
		}
		d, err := directory.New(dc)
		if err != nil {
			return nil, fmt.Errorf("configuring directory %s: %w", dc.ID, err)
		}
		s.directories[dc.ID] = d
		for _, domain := range dc.Domains {
			s.byDomain[strings.ToLower(domain)] = dc.ID
		}
	}
	return s, nil
}

// Close closes the directories' pooled connections (at shutdown).
func (s *Service) Close() {
	for _, d := range s.directories {
		d.Close()
	}
}

// CheckDirectoryOrganisations refuses directories whose organisation_ags names no organisation:
// the key must be an organisation's in the database, or one of the shipped official keys
// (known says which; a fresh database may not hold its organisations yet, e.g. before the
// demo or an import loaded them). It runs once at start, after the database is migrated.
func (s *Service) CheckDirectoryOrganisations(ctx context.Context, known func(ags string) bool) error {
	for _, dc := range s.cfg.Directories {
		if dc.OrganisationAGS == "" || known(dc.OrganisationAGS) {
			continue
		}
		exists, err := s.client.Organisation.Query().Where(organisation.Ags(dc.OrganisationAGS)).Exist(policy.System(ctx))
		if err != nil {
			return fmt.Errorf("checking directory %s: %w", dc.ID, err)
		}
		if !exists {
			return fmt.Errorf("configuring directory %s: organisation_ags %q is no organisation's official key", dc.ID, dc.OrganisationAGS)
		}
	}
	return nil
}

// Errors of a login. A wrong password, an unknown user and a user who may not log in are
// deliberately the same error.
var (
	ErrUnauthenticated = &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "wrong user name or password"}
	ErrUnavailable     = &apperr.Error{Code: "DIRECTORY_UNAVAILABLE", Message: "the directory is unavailable; try again later"}
)

// tooManyAttempts tells the client how long to wait.
func tooManyAttempts(wait time.Duration) error {
	return &apperr.Error{Code: "TOO_MANY_ATTEMPTS", Message: fmt.Sprintf("too many failed logins; try again in %d s", int(wait.Seconds())+1)}
}

// LoginRequest is what a client sends to log in.
type LoginRequest struct {
	Directory, Username, Password string
	ClientIP                      string
}

// Login is a successful login.
type Login struct {
	Member    *ent.Member
	Token     string
	CSRFToken string
	ExpiresAt time.Time
}

// Login checks the credentials and starts a session.
func (s *Service) Login(ctx context.Context, req LoginRequest) (*Login, error) {
	dirID := strings.ToLower(strings.TrimSpace(req.Directory))
	username := strings.TrimSpace(req.Username)
	if dirID == "" {
		dirID = s.directoryOf(username)
	}
	account := dirID + ":" + strings.ToLower(username)
	var accountFailed bool
	admit := func() error { // refuses a login while the account or address must wait
		wait, failed, err := waitBeforeLogin(ctx, s.accounts, s.addresses, account, req.ClientIP)
		if err != nil {
			return err
		}
		if wait > 0 {
			return tooManyAttempts(wait)
		}
		accountFailed = failed
		return nil
	}
	fail := func() {
		for _, err := range []error{s.accounts.fail(ctx, account), s.addresses.fail(ctx, req.ClientIP)} {
			if err != nil {
				s.logger.ErrorContext(ctx, "counting a failed login", "err", err)
			}
		}
	}
	// Blank passwords are refused before anything else: on many directories an empty
	// password is an anonymous bind that "succeeds".
	bad := strings.TrimSpace(req.Password) == "" || username == "" || len(req.Password) > MaxPasswordLength || len(username) > 256
	if dirID == LocalDirectory || bad || s.directories[dirID] == nil {
		if err := admit(); err != nil {
			return nil, err
		}
		admit = nil
	}
	if bad {
		fail()
		return nil, ErrUnauthenticated
	}
	var (
		m   *ent.Member
		err error
	)
	if dirID == LocalDirectory {
		m, err = s.loginLocal(ctx, username, req.Password)
	} else {
		m, err = s.loginDirectory(ctx, dirID, username, req.Password, admit) // admits beside the user search
	}
	switch {
	case errors.Is(err, ErrUnauthenticated):
		fail()
		s.logger.InfoContext(ctx, "login failed", "directory", dirID)
		return nil, err
	case err != nil:
		return nil, err
	}
	if accountFailed { // a success clears the account's failures (usually there are none)
		if err := s.accounts.succeed(ctx, account); err != nil {
			return nil, err
		}
	}
	return s.startSession(ctx, m)
}

// directoryOf picks the directory by the domain of an e-mail address; local otherwise.
func (s *Service) directoryOf(username string) string {
	if _, domain, ok := strings.Cut(username, "@"); ok {
		if id, ok := s.byDomain[strings.ToLower(domain)]; ok {
			return id
		}
	}
	return LocalDirectory
}

func (s *Service) startSession(ctx context.Context, m *ent.Member) (*Login, error) {
	token, expires, err := s.sessions.create(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	// Only the day is stored (exact times would let filters bisect them), so only the first
	// login of a day writes it. A bulk update of the one row: the login time is not searchable,
	// so recording it must not rewrite the member's search entry (the index hooks run on single
	// updates), which also kept concurrent logins of one account from colliding there.
	today := policy.LoginDay(s.now())
	if m.LastLoginAt != nil && m.LastLoginAt.Equal(today) {
		return &Login{Member: m, Token: token, CSRFToken: csrfToken(token), ExpiresAt: expires}, nil
	}
	err = clientFor(ctx, s.client).Member.Update().Where(member.ID(m.ID)).SetLastLoginAt(today).Exec(policy.System(ctx))
	if err != nil {
		return nil, fmt.Errorf("recording login: %w", err)
	}
	m.LastLoginAt = &today
	return &Login{Member: m, Token: token, CSRFToken: csrfToken(token), ExpiresAt: expires}, nil
}

// loginLocal checks a local account's password; unknown accounts cost the same time.
func (s *Service) loginLocal(ctx context.Context, email, password string) (*ent.Member, error) {
	m, err := s.client.Member.Query().
		Where(member.Email(strings.ToLower(email)), member.PasswordHashNotNil(), member.StatusEQ(member.StatusACTIVE)).
		Only(policy.System(ctx))
	if ent.IsNotFound(err) {
		_, _ = VerifyPassword(dummyHash, password)
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("finding local account: %w", err)
	}
	ok, err := VerifyPassword(*m.PasswordHash, password)
	if err != nil || !ok {
		return nil, ErrUnauthenticated
	}
	return m, nil
}

// RevokeMember ends all sessions of a member.
func (s *Service) RevokeMember(ctx context.Context, memberID gid.ID, reason string) (int, error) {
	return s.sessions.revokeMember(ctx, memberID, reason)
}

// ViewerForToken returns the viewer of a live session; ErrNoSession when there is none. The
// websocket transport uses it for tokens sent in connection_init, and to re-check sessions.
func (s *Service) ViewerForToken(ctx context.Context, token string) (*viewer.Viewer, error) {
	return s.sessions.viewer(ctx, token)
}

// RequestToken is the token the HTTP middleware authenticated the request with.
func (s *Service) RequestToken(ctx context.Context) string { return Token(ctx) }
