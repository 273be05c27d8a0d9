package directory

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

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

// Directory is one configured directory.
type Directory struct {
	cfg Config
	tls *tls.Config
}

// New checks the configuration and prepares TLS; it does not connect.
func New(cfg Config) (*Directory, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("parsing url: %w", err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName}
	if tc.ServerName == "" {
		tc.ServerName = u.Hostname()
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
	return &Directory{cfg: cfg, tls: tc}, nil
}

// ID is the directory's id.
func (d *Directory) ID() string { return d.cfg.ID }

// Authenticate checks a user's password and returns who they are. The password must not be
// blank (callers refuse that before: an empty password is an anonymous bind on many servers).
func (d *Directory) Authenticate(ctx context.Context, username, password string) (*Identity, error) {
	if strings.TrimSpace(password) == "" {
		return nil, ErrRejected
	}
	conn, release, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	filter := strings.ReplaceAll(d.cfg.UserFilter, "{username}", ldap.EscapeFilter(username))
	entry, err := d.findOne(conn, d.cfg.UserBaseDN, filter)
	if err != nil {
		return nil, err
	}
	if err := conn.Bind(entry.DN, password); err != nil {
		return nil, classify(err)
	}
	// Read groups with the service account: a user may not be allowed to read them.
	if err := conn.Bind(d.cfg.BindDN, d.cfg.bindPassword); err != nil {
		return nil, unavailable("binding the service account again", err)
	}
	return d.identity(conn, entry)
}

// LookupEach looks users up by their stable entry ids over one connection (one dial, TLS
// handshake and bind for all), for checking that they may still log in; each gets the user's
// identity, or ErrRejected when the user is gone, disabled or no longer allowed. It stops
// when each fails.
func (d *Directory) LookupEach(ctx context.Context, entryIDs []string, each func(entryID string, id *Identity, err error) error) error {
	if len(entryIDs) == 0 {
		return nil
	}
	conn, release, err := d.connect(ctx)
	if err != nil {
		return err
	}
	defer release()
	for _, entryID := range entryIDs {
		id, err := d.lookup(conn, entryID)
		if err := each(entryID, id, err); err != nil {
			return err
		}
	}
	return nil
}

func (d *Directory) lookup(conn *ldap.Conn, entryID string) (*Identity, error) {
	// The user filter still applies (it may exclude disabled accounts); {username} matches anyone.
	base := strings.ReplaceAll(d.cfg.UserFilter, "{username}", "*")
	filter := fmt.Sprintf("(&%s(%s=%s))", base, d.cfg.Attributes.ID, ldap.EscapeFilter(entryID))
	entry, err := d.findOne(conn, d.cfg.UserBaseDN, filter)
	if err != nil {
		return nil, err
	}
	return d.identity(conn, entry)
}

// connect dials with a deadline, secures the connection and binds the service account. The
// connection is also closed when ctx ends, which aborts any request still waiting; release
// closes it when the caller is done.
func (d *Directory) connect(ctx context.Context) (conn *ldap.Conn, release func(), err error) {
	dialer := &net.Dialer{Timeout: d.cfg.Timeout}
	conn, err = ldap.DialURL(d.cfg.URL, ldap.DialWithDialer(dialer), ldap.DialWithTLSConfig(d.tls))
	if err != nil {
		return nil, nil, unavailable("dialing", err)
	}
	conn.SetTimeout(d.cfg.Timeout)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	release = func() { stop(); conn.Close() }
	if strings.HasPrefix(d.cfg.URL, "ldap://") {
		if err := conn.StartTLS(d.tls); err != nil {
			release()
			return nil, nil, unavailable("starting TLS", err)
		}
	}
	if err := conn.Bind(d.cfg.BindDN, d.cfg.bindPassword); err != nil {
		release()
		return nil, nil, unavailable("binding the service account", err)
	}
	return conn, release, nil
}

// findOne searches for exactly one entry; none or several reject the login.
func (d *Directory) findOne(conn *ldap.Conn, base, filter string) (*ldap.Entry, error) {
	attrs := []string{d.cfg.Attributes.ID, d.cfg.Attributes.DisplayName, d.cfg.Attributes.Mail}
	for _, a := range []string{d.cfg.Attributes.Title, d.cfg.Groups.MemberOfAttribute, d.cfg.OrganisationAttribute} {
		if a != "" {
			attrs = append(attrs, a)
		}
	}
	req := ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		2, int(d.cfg.Timeout.Seconds())+1, false, filter, attrs, nil)
	res, err := conn.Search(req)
	if err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		return nil, classify(err)
	}
	if res == nil || len(res.Entries) != 1 {
		return nil, ErrRejected
	}
	return res.Entries[0], nil
}

// classify turns an LDAP error into ErrRejected (the directory said no) or ErrUnavailable.
func classify(err error) error {
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
