package directory

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"zirkel/server/auth/ldaptest"
)

// exampleDirectory is the example file's OpenLDAP directory as an operator would copy it,
// pointed at a test slapd with the same layout: only the address, the CA, the certificate's
// name and the password differ.
func exampleDirectory(t *testing.T, srv *ldaptest.Server) Config {
	t.Helper()
	dirs, err := LoadFile(exampleFile(t, nil), func(k string) string { return exampleEnv[k] })
	if err != nil {
		t.Fatal(err)
	}
	c := dirs[0]
	c.URL, c.CAFile, c.ServerName = srv.URL, srv.CAFile, "127.0.0.1"
	c.SetBindPassword(srv.ServicePassword)
	return c
}

// authenticate logs in and fails the test when the directory takes far longer than its
// timeout: a liveness guard against a login that hangs, generous enough for a busy machine.
func authenticate(t *testing.T, d *Directory, username, password string) (*Identity, error) {
	t.Helper()
	type result struct {
		id  *Identity
		err error
	}
	done := make(chan result, 1)
	go func() {
		id, err := d.Authenticate(context.Background(), username, password, Hooks{})
		done <- result{id, err}
	}()
	select {
	case r := <-done:
		return r.id, r.err
	case <-time.After(10*d.cfg.Timeout + 5*time.Second):
		t.Fatalf("login still running long after the directory's timeout of %v", d.cfg.Timeout)
		return nil, nil
	}
}

func TestExampleDirectoryLogsIn(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.MusterhausenFixture())
	for _, c := range []struct {
		name, username, password string
		change                   func(*Config)
		wantRole, wantPlatform   string // empty: rejected
	}{
		{name: "by uid", username: "anna", password: "Geheim-anna-1", wantRole: "CDO", wantPlatform: "MEMBER"},
		{name: "by e-mail address", username: "anna.schneider@kreis-musterhausen.example", password: "Geheim-anna-1", wantRole: "CDO", wantPlatform: "MEMBER"},
		{name: "by e-mail address in capitals", username: "Anna.Schneider@Kreis-Musterhausen.example", password: "Geheim-anna-1", wantRole: "CDO", wantPlatform: "MEMBER"},
		{name: "admin group named by a DN with spaces", username: "jonas.weber@kreis-musterhausen.example", password: "Geheim-jonas-1", wantRole: "STAFF", wantPlatform: "ADMIN"},
		{name: "wrong password", username: "anna.schneider@kreis-musterhausen.example", password: "falsch"},
		{name: "e-mail address as a wildcard", username: "*@kreis-musterhausen.example", password: "Geheim-anna-1"},
		{name: "disabled user", username: "lena.fischer@kreis-musterhausen.example", password: "Geheim-lena-1"},
		{name: "allowed group as a DN in other case and spacing", username: "anna", password: "Geheim-anna-1", wantRole: "CDO", wantPlatform: "MEMBER",
			change: func(c *Config) {
				c.AllowedGroups = []string{"CN=Zirkel-Users, OU=Groups,  DC=Kreis-Musterhausen, DC=Example"}
			}},
		{name: "allowed group DN with the same name elsewhere", username: "anna", password: "Geheim-anna-1",
			change: func(c *Config) {
				c.AllowedGroups = []string{"cn=zirkel-users,ou=elsewhere,dc=kreis-musterhausen,dc=example"}
			}},
		{name: "community role by a DN in capitals", username: "anna", password: "Geheim-anna-1", wantRole: "CIO", wantPlatform: "MEMBER",
			change: func(c *Config) {
				c.CommunityRoles = []RoleMapping{{Group: "CN=ZIRKEL-CDO,OU=GROUPS,DC=KREIS-MUSTERHAUSEN,DC=EXAMPLE", Role: "CIO"}}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := exampleDirectory(t, srv)
			if c.change != nil {
				c.change(&cfg)
			}
			d, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			id, err := authenticate(t, d, c.username, c.password)
			if c.wantRole == "" {
				if !errors.Is(err, ErrRejected) {
					t.Fatalf("want rejected, got %+v, %v", id, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if id.CommunityRole != c.wantRole || id.PlatformRole != c.wantPlatform || id.OrganisationAGS != "09189000" || !strings.HasSuffix(id.Mail, "@kreis-musterhausen.example") {
				t.Fatalf("identity %+v, want community role %s and platform role %s", id, c.wantRole, c.wantPlatform)
			}
		})
	}
}

func TestStalledDirectoryIsBoundedByTheTimeout(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.MusterhausenFixture())
	for name, url := range map[string]string{
		"stalls after accepting StartTLS":           ldaptest.StartHangingAfterStartTLS(t),
		"never answers StartTLS":                    ldaptest.StartHanging(t),
		"accepts ldaps and stalls in the handshake": strings.Replace(ldaptest.StartHanging(t), "ldap://", "ldaps://", 1),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := exampleDirectory(t, srv)
			cfg.URL, cfg.Timeout = url, 500*time.Millisecond
			d, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := authenticate(t, d, "anna", "Geheim-anna-1"); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("want unavailable, got %v", err)
			}
			// Revalidation gives up on the directory in the same way.
			err = d.LookupEach(context.Background(), []string{"a", "b"}, func(string, *Identity, error) error {
				t.Fatal("a stalled directory answered a lookup")
				return nil
			})
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("lookup: want unavailable, got %v", err)
			}
		})
	}
}

// countDials counts the connections the directory's pools open.
func countDials(d *Directory) *atomic.Int64 {
	var n atomic.Int64
	for _, p := range []*pool{d.searches, d.binds} {
		open := p.open
		p.open = func(ctx context.Context) (*conn, error) {
			n.Add(1)
			return open(ctx)
		}
	}
	return &n
}

func TestConnectionsAreReused(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.MusterhausenFixture())
	d, err := New(exampleDirectory(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dials := countDials(d)
	login := func(password string) error {
		_, err := authenticate(t, d, "anna", password)
		return err
	}

	t.Run("one search and one bind connection for logins one after another", func(t *testing.T) {
		for range 5 {
			if err := login("Geheim-anna-1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := login("falsch"); !errors.Is(err, ErrRejected) {
			t.Fatalf("wrong password: %v", err)
		}
		if err := login("Geheim-anna-1"); err != nil {
			t.Fatalf("after a wrong password: %v", err)
		}
		if n := dials.Load(); n != 2 {
			t.Fatalf("%d connections opened, want 2", n)
		}
	})

	t.Run("connections the directory dropped are replaced", func(t *testing.T) {
		for _, p := range []*pool{d.searches, d.binds} {
			for range len(p.idle) {
				c := <-p.idle
				_ = c.raw.Close() // as a directory or firewall dropping an idle connection
				p.idle <- c
			}
		}
		before := dials.Load()
		if err := login("Geheim-anna-1"); err != nil {
			t.Fatal(err)
		}
		if n := dials.Load() - before; n != 2 {
			t.Fatalf("%d connections opened, want 2 new ones", n)
		}
	})

	t.Run("bounded under concurrent logins", func(t *testing.T) {
		cfg := exampleDirectory(t, srv)
		cfg.PoolSize = 2
		small, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer small.Close()
		dials := countDials(small)
		errs := make(chan error, 16)
		for range 16 {
			go func() {
				_, err := small.Authenticate(context.Background(), "anna", "Geheim-anna-1", Hooks{})
				errs <- err
			}()
		}
		for range 16 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		// Per pool at most pool_size in use at once, and as many idle.
		if n := dials.Load(); n > 2*2*int64(cfg.PoolSize) {
			t.Fatalf("%d connections opened for pools of %d", n, cfg.PoolSize)
		}
		if n := len(small.searches.idle) + len(small.binds.idle); n > 2*cfg.PoolSize {
			t.Fatalf("%d idle connections kept for pools of %d", n, cfg.PoolSize)
		}
	})

	t.Run("closed at shutdown", func(t *testing.T) {
		d.Close()
		if err := login("Geheim-anna-1"); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("after Close: %v", err)
		}
		if n := len(d.searches.idle) + len(d.binds.idle); n != 0 {
			t.Fatalf("%d idle connections after Close", n)
		}
	})
}
