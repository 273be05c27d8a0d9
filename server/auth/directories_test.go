package auth_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/auth"
	"zirkel/server/auth/ldaptest"
	"zirkel/server/config"
	"zirkel/server/policy"
)

// directoriesFile is a directories file with one directory (nothing is dialled at start).
const directoriesFile = `directories:
  - id: musterhausen
    url: ldap://127.0.0.1:1
    ca_file: CA_FILE
    bind_dn: cn=zirkel-service,ou=services,dc=kreis-musterhausen,dc=example
    bind_password_env: ZIRKEL_TEST_LDAP_PASSWORD
    user_base_dn: ou=people,dc=kreis-musterhausen,dc=example
    user_filter: (|(uid={username})(mail={username}))
    attributes: {id: entryUUID}
    groups: {member_of_attribute: memberOf}
    organisation_ags: "AGS"
`

// startWith starts the app on the backend's database with the directories file.
func startWith(t *testing.T, backend, databaseURL, dataDir, directories string) (*app.App, error) {
	t.Helper()
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.DatabaseURL = dataDir, databaseURL
	if directories != "" {
		cfg.Directories = filepath.Join(t.TempDir(), "directories.yaml")
		if err := os.WriteFile(cfg.Directories, []byte(directories), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		t.Cleanup(func() { _ = a.Close() })
	}
	return a, err
}

func TestDirectoriesFileIsCheckedAtStart(t *testing.T) {
	t.Setenv("ZIRKEL_TEST_LDAP_PASSWORD", "Service-Geheim-1")
	ca := ldaptest.CAFile(t)
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			for _, c := range []struct {
				name, ags string
				change    func(string) string
				inDB      bool   // an organisation with the key exists before the start
				want      string // empty: starts
			}{
				{name: "district from the shipped list", ags: "09189000"},
				{name: "Land", ags: "09000000"},
				{name: "organisation in the database only", ags: "09999000", inDB: true},
				{name: "unknown official key", ags: "09999000", want: `organisation_ags "09999000" is no organisation's official key`},
				{name: "malformed official key", ags: "9189000", want: "is not an official key"},
				{name: "password variable not set", ags: "09189000", want: "ZIRKEL_TEST_LDAP_UNSET (bind_password_env) is not set or empty",
					change: func(s string) string {
						return strings.Replace(s, "ZIRKEL_TEST_LDAP_PASSWORD", "ZIRKEL_TEST_LDAP_UNSET", 1)
					}},
				{name: "CA file unreadable", ags: "09189000", want: "reading CA file",
					change: func(s string) string { return strings.Replace(s, ca, ca+".fehlt", 1) }},
			} {
				t.Run(c.name, func(t *testing.T) {
					var databaseURL string
					if backend == "postgres" {
						databaseURL = apitest.FreshPostgres(t)
					}
					dataDir := t.TempDir()
					if c.inDB {
						a, err := startWith(t, backend, databaseURL, dataDir, "")
						if err != nil {
							t.Fatal(err)
						}
						a.Store.Client.Organisation.Create().SetName("Gemeinde Neu").SetKind("GEMEINDE").SetAgs(c.ags).
							SaveX(policy.System(context.Background()))
						_ = a.Close()
					}
					file := strings.NewReplacer("CA_FILE", ca, "AGS", c.ags).Replace(directoriesFile)
					if c.change != nil {
						file = c.change(file)
					}
					_, err := startWith(t, backend, databaseURL, dataDir, file)
					switch {
					case c.want == "" && err != nil:
						t.Fatalf("refused to start: %v", err)
					case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
						t.Fatalf("start error %v, want one containing %q", err, c.want)
					}
				})
			}
		})
	}
}

// revalidate runs a revalidation round and fails the test when it does not end long after the
// directories' timeouts: a liveness guard against a round held up by a stuck directory.
func revalidate(t *testing.T, a *auth.Service) int {
	t.Helper()
	type result struct {
		ended int
		err   error
	}
	done := make(chan result, 1)
	go func() {
		n, err := a.Revalidate(context.Background())
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("revalidation: %v", r.err)
		}
		return r.ended
	case <-time.After(30 * time.Second):
		t.Fatal("a revalidation round is still running long after every directory's timeout")
		return 0
	}
}

func TestStuckDirectoryHoldsUpNothing(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			srv := ldaptest.Start(t, ldaptest.MusterhausenFixture())
			stuck := directoryConfig(srv, "steckt", "", false)
			stuck.URL, stuck.Timeout = ldaptest.StartHangingAfterStartTLS(t), time.Second
			env := apitest.Start(t, backend, func(c *config.Config) { c.Timeout = time.Minute },
				app.WithDirectories(directoryConfig(srv, "musterhausen", musterhausenAGS, false), stuck))
			ctx := policy.System(context.Background())
			env.App.Store.Client.Organisation.Create().SetName("Landkreis Musterhausen").SetKind("LANDKREIS").SetAgs(musterhausenAGS).SaveX(ctx)
			w := &world{env: env, muster: srv}
			anna := w.mustLogin(t, "musterhausen", "anna", "Geheim-anna-1")
			obrien := w.mustLogin(t, "musterhausen", "o'brien", "Geheim-o'brien-1")
			// A member of the stuck directory with a live session (logged in before it got stuck).
			stuckMember := env.NewMember(t, apitest.Spec{Email: "kai@steckt.example"})
			if err := env.App.Store.Client.Member.Update().Where(member.Email("kai@steckt.example")).
				SetDirectoryID("steckt").SetDirectoryEntryID("kai").Exec(ctx); err != nil {
				t.Fatal(err)
			}

			t.Run("login answers within the timeout", func(t *testing.T) {
				// A liveness guard, generous for a busy machine: the directory's timeout is 1 s,
				// the request's 60 s (without the login's own deadline it would answer only then).
				answered := make(chan apitest.Response, 1)
				go func() { answered <- w.login(t, "steckt", "kai", "Geheim-kai-1") }()
				select {
				case res := <-answered:
					wantCode(t, res, "DIRECTORY_UNAVAILABLE")
				case <-time.After(20 * time.Second):
					t.Fatal("a login against a stuck directory is still waiting long after the directory's timeout")
				}
			})

			t.Run("revalidation goes on with the other directories", func(t *testing.T) {
				srv.DeleteUser(t, "o'brien")
				if ended := revalidate(t, env.App.Auth); ended != 1 {
					t.Fatalf("ended %d sessions, want o'brien's 1", ended)
				}
				if res := env.WithToken(obrien.Login.Token).Post(t, viewerQuery, nil); res.Status != 401 {
					t.Fatalf("o'brien's session still works: %d", res.Status)
				}
				for name, token := range map[string]string{"anna": anna.Login.Token, "the stuck directory's member": stuckMember.Token} {
					if res := env.WithToken(token).Post(t, viewerQuery, nil); res.Status != 200 || len(res.Errors) > 0 {
						t.Fatalf("%s lost the session: %d %+v", name, res.Status, res.Errors)
					}
				}
			})

			t.Run("and the next round runs too", func(t *testing.T) {
				srv.RemoveFromGroup(t, ldaptest.GroupUsers, "anna")
				if ended := revalidate(t, env.App.Auth); ended != 1 {
					t.Fatalf("ended %d sessions, want anna's 1", ended)
				}
			})
		})
	}
}
