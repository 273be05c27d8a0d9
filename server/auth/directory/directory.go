package directory

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/go-ldap/ldap/v3"
)

// Errors of Authenticate. ErrRejected covers a wrong password, an unknown user and a user who
// may not log in alike, so that callers cannot tell them apart by accident.
var (
	ErrRejected    = errors.New("directory rejected the login")
	ErrUnavailable = errors.New("directory unavailable")
)

// Identity is what the directory says about a user.
type Identity struct {
	EntryID         string
	DN              string
	DisplayName     string
	Mail            string
	Title           string
	Groups          []string // group names and DNs
	CommunityRole   string
	PlatformRole    string
	OrganisationAGS string
}

// Directory is one configured directory. It keeps two small pools of secured connections:
// one bound as the service account for searches, and one only for users' binds (a user bind
// changes a connection's identity, so it never happens on a search connection).
type Directory struct {
	cfg      Config
	tls      *tls.Config
	endpoint endpoint
	groups   []groupMatcher // allowed groups, then community roles, then platform roles
	searches *pool
	binds    *pool
}

// New checks the configuration and prepares TLS; it does not connect.
func New(cfg Config) (*Directory, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	e, host, err := parseEndpoint(cfg.URL)
	if err != nil {
		return nil, err
	}
	tc, err := tlsConfig(cfg, host)
	if err != nil {
		return nil, err
	}
	d := &Directory{cfg: cfg, tls: tc, endpoint: e}
	d.searches = newPool(cfg.PoolSize, d.openService)
	d.binds = newPool(cfg.PoolSize, d.openPlain)
	return d, nil
}

// tlsConfig verifies the directory's certificate against the CA file (or the system's roots)
// for server_name, or the URL's host. Verification is never switched off.
func tlsConfig(cfg Config, host string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading CA file: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", cfg.CAFile)
		}
	}
	return tc, nil
}

// ID is the directory's id.
func (d *Directory) ID() string { return d.cfg.ID }

// Close closes the directory's pooled connections; a login still running finishes on its own.
func (d *Directory) Close() {
	d.searches.close()
	d.binds.close()
}

// Hooks let a caller do its own work beside a login's round trips to the directory.
type Hooks struct {
	// Admit, if set, runs beside the user search; the password is tried only when it returns
	// nil, and Authenticate returns its error as it is otherwise (e.g. "too many attempts").
	Admit func() error
	// Found, if set, runs beside the password check with the stable id of the one entry the
	// user search found (so the caller can load what it needs meanwhile).
	Found func(entryID string)
}

// Authenticate checks a user's password and returns who they are. One deadline (the
// directory's timeout) covers every step: waiting for a connection, dialling, TLS, binds and
// searches. The password must not be blank (callers refuse that before: an empty password is
// an anonymous bind on many servers). Authenticate returns after the hooks have returned.
func (d *Directory) Authenticate(ctx context.Context, username, password string, hooks Hooks) (*Identity, error) {
	if strings.TrimSpace(password) == "" || username == "" {
		return nil, ErrRejected
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	admitted := make(chan error, 1)
	if hooks.Admit != nil {
		go func() { admitted <- hooks.Admit() }()
	} else {
		admitted <- nil
	}
	var entry *ldap.Entry
	err := d.searches.do(ctx, func(c *conn) (err error) {
		entry, err = d.findOne(c, userFilter(d.cfg.UserFilter, username))
		return err
	})
	if admitErr := <-admitted; admitErr != nil {
		return nil, admitErr
	}
	if err != nil {
		return nil, err
	}
	// The password is checked on a bind connection while the groups are read (with the service
	// account: a user may not be allowed to read them) on a search connection, at the same
	// time; the identity counts only when the bind succeeded.
	var wg sync.WaitGroup
	var bindErr error
	wg.Go(func() { bindErr = d.binds.do(ctx, func(c *conn) error { return c.Bind(entry.DN, password) }) })
	if id := entryID(entry, d.cfg.Attributes.ID); hooks.Found != nil && id != "" {
		wg.Go(func() { hooks.Found(id) })
	}
	var id *Identity
	err = d.searches.do(ctx, func(c *conn) (err error) {
		id, err = d.identity(c, entry)
		return err
	})
	wg.Wait()
	if bindErr != nil {
		return nil, bindErr
	}
	return id, err
}

// LookupEach looks users up by their stable entry ids, for checking that they may still log
// in; each gets the user's identity, or ErrRejected when the user is gone, disabled or no
// longer allowed. Every lookup runs under its own deadline (the directory's timeout) on a
// pooled connection. It stops at the first lookup the directory cannot answer (returning
// ErrUnavailable), or when each fails.
func (d *Directory) LookupEach(ctx context.Context, entryIDs []string, each func(entryID string, id *Identity, err error) error) error {
	for _, entryID := range entryIDs {
		id, err := d.lookup(ctx, entryID)
		if errors.Is(err, ErrUnavailable) {
			return err
		}
		if err := each(entryID, id, err); err != nil {
			return err
		}
	}
	return nil
}

func (d *Directory) lookup(ctx context.Context, entryID string) (id *Identity, err error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	err = d.searches.do(ctx, func(c *conn) error {
		entry, err := d.findOne(c, lookupFilter(d.cfg.UserFilter, d.cfg.Attributes.ID, entryID))
		if err != nil {
			return err
		}
		id, err = d.identity(c, entry)
		return err
	})
	return id, err
}

// openService opens a connection bound as the service account (for the search pool).
func (d *Directory) openService(ctx context.Context) (*conn, error) {
	c, err := d.openPlain(ctx)
	if err != nil {
		return nil, err
	}
	release := c.bound(ctx)
	err = c.Bind(d.cfg.BindDN, d.cfg.bindPassword)
	if ok := release(); err != nil || !ok {
		c.Close()
		return nil, unavailable("binding the service account", errors.Join(err, ctx.Err()))
	}
	return c, nil
}

// openPlain opens a secured connection that is not bound (for the bind pool).
func (d *Directory) openPlain(ctx context.Context) (*conn, error) {
	return dial(ctx, d.endpoint, d.tls, d.cfg.Timeout)
}

// findOne searches for exactly one entry below the user base; none or several reject the login.
func (d *Directory) findOne(c *conn, filter string) (*ldap.Entry, error) {
	attrs := []string{d.cfg.Attributes.ID, d.cfg.Attributes.DisplayName, d.cfg.Attributes.Mail}
	for _, a := range []string{d.cfg.Attributes.Title, d.cfg.Groups.MemberOfAttribute, d.cfg.OrganisationAttribute} {
		if a != "" {
			attrs = append(attrs, a)
		}
	}
	req := ldap.NewSearchRequest(d.cfg.UserBaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		2, int(d.cfg.Timeout.Seconds())+1, false, filter, attrs, nil)
	res, err := c.Search(req)
	if err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		return nil, err
	}
	if res == nil || len(res.Entries) != 1 {
		return nil, ErrRejected
	}
	return res.Entries[0], nil
}

// classify turns an LDAP error into ErrRejected (the directory said no) or ErrUnavailable;
// errors that are one of them already pass unchanged.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrRejected) || errors.Is(err, ErrUnavailable) {
		return err
	}
	for _, code := range []uint16{ldap.LDAPResultInvalidCredentials, ldap.LDAPResultNoSuchObject,
		ldap.LDAPResultInsufficientAccessRights, ldap.LDAPResultUnwillingToPerform, ldap.LDAPResultInappropriateAuthentication} {
		if ldap.IsErrorWithCode(err, code) {
			return fmt.Errorf("%w: %v", ErrRejected, err)
		}
	}
	return unavailable("talking to the directory", err)
}

func unavailable(doing string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrUnavailable, doing, err)
}
