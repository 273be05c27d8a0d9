package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/auth/directory"
	"zirkel/server/auth/ldaptest"
	"zirkel/server/policy"
)

// Official keys of the two authorities' organisations: real districts (Traunstein, Köln), as a
// directory must name an organisation that exists (or one of the shipped districts).
const (
	musterhausenAGS = "09189000"
	beispielAGS     = "05315000"
)

// directoryConfig configures a test directory the way an operator would: StartTLS with the
// test CA, an escaped uid filter that refuses disabled accounts, groups by search or memberOf.
func directoryConfig(srv *ldaptest.Server, id, ags string, memberOf bool, domains ...string) directory.Config {
	c := directory.Config{
		ID: id, Name: id, URL: srv.URL, CAFile: srv.CAFile,
		BindDN:     srv.ServiceDN,
		UserBaseDN: "ou=people," + srv.BaseDN,
		UserFilter: "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username}))(!(employeeType=disabled)))",
		Attributes: directory.Attributes{ID: "entryUUID", DisplayName: "cn", Mail: "mail", Title: "title"},
		Groups: directory.Groups{
			SearchBaseDN: "ou=groups," + srv.BaseDN,
			SearchFilter: "(&(objectClass=groupOfNames)(member={dn}))",
		},
		AllowedGroups:   []string{ldaptest.GroupUsers},
		CommunityRoles:  []directory.RoleMapping{{Group: ldaptest.GroupCDO, Role: "CDO"}},
		PlatformRoles:   []directory.RoleMapping{{Group: ldaptest.GroupAdmins, Role: "ADMIN"}},
		OrganisationAGS: ags,
		Domains:         domains,
		Timeout:         2 * time.Second,
	}
	if memberOf {
		c.Groups = directory.Groups{MemberOfAttribute: "memberOf"}
	}
	c.SetBindPassword(srv.ServicePassword)
	return c
}

type world struct {
	env        *apitest.Env
	muster     *ldaptest.Server
	beispiel   *ldaptest.Server
	musterOrg  string
	beispielOr string
}

// newWorld starts two authorities' directories and a Zirkel that knows both, plus a third,
// hanging directory.
func newWorld(t *testing.T, backend string) *world {
	t.Helper()
	w := &world{muster: ldaptest.Start(t, ldaptest.MusterhausenFixture()), beispiel: ldaptest.Start(t, ldaptest.BeispielstadtFixture())}
	hanging := directoryConfig(w.muster, "haengt", "", false)
	hanging.URL = ldaptest.StartHanging(t)
	hanging.Timeout = time.Second
	w.env = apitest.Start(t, backend, nil, app.WithDirectories(
		directoryConfig(w.muster, "musterhausen", musterhausenAGS, false, "kreis-musterhausen.example"),
		directoryConfig(w.beispiel, "beispiel", beispielAGS, true, "stadt-beispiel.example"),
		hanging,
	))
	ctx := policy.System(context.Background())
	c := w.env.App.Store.Client
	w.musterOrg = string(c.Organisation.Create().SetName("Landkreis Musterhausen").SetKind("LANDKREIS").SetAgs(musterhausenAGS).SaveX(ctx).ID)
	w.beispielOr = string(c.Organisation.Create().SetName("Stadt Beispiel").SetKind("KREISFREIE_STADT").SetAgs(beispielAGS).SaveX(ctx).ID)
	return w
}

func (w *world) login(t *testing.T, dir, user, password string) apitest.Response {
	t.Helper()
	return w.env.Post(t, `mutation($d: String, $u: String!, $p: String!) { login(input: {directory: $d, username: $u, password: $p}) {
		token expiresAt member { id displayName communityRole platformRole jobTitle organisation { id } } } }`,
		map[string]any{"d": dir, "u": user, "p": password})
}

type loginData struct {
	Login struct {
		Token  string
		Member struct {
			ID, DisplayName, CommunityRole, PlatformRole, JobTitle string
			Organisation                                           struct{ ID string }
		}
	}
}

func (w *world) mustLogin(t *testing.T, dir, user, password string) loginData {
	t.Helper()
	var out loginData
	res := w.login(t, dir, user, password)
	if len(res.Errors) > 0 {
		t.Fatalf("login %s/%s: %+v", dir, user, res.Errors)
	}
	decode(t, res, &out)
	return out
}

func wantCode(t *testing.T, res apitest.Response, code string) apitest.Error {
	t.Helper()
	if len(res.Errors) == 0 || res.Errors[0].Code() != code {
		t.Fatalf("want %s, got %+v (data %s)", code, res.Errors, res.Data)
	}
	return res.Errors[0]
}

func TestDirectoryLogin(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, backend)
			anna := w.mustLogin(t, "musterhausen", "anna", "Geheim-anna-1")
			m := anna.Login.Member
			if m.DisplayName != "Anna Schneider" || m.CommunityRole != "CDO" || m.PlatformRole != "MEMBER" ||
				m.JobTitle != "Chief Digital Officer" || m.Organisation.ID != w.musterOrg {
				t.Fatalf("provisioned %+v", m)
			}
			jonas := w.mustLogin(t, "musterhausen", "jonas", "Geheim-jonas-1")
			if jonas.Login.Member.PlatformRole != "ADMIN" || jonas.Login.Member.CommunityRole != "STAFF" {
				t.Fatalf("jonas: %+v", jonas.Login.Member)
			}

			t.Run("viewer", func(t *testing.T) {
				var out struct {
					Viewer struct {
						ID, Email    string
						Organisation struct{ Name string }
					}
				}
				w.env.WithToken(anna.Login.Token).MustPost(t, `{ viewer { id email organisation { name } } }`, nil, &out)
				if out.Viewer.ID != m.ID || out.Viewer.Email != "anna.schneider@kreis-musterhausen.example" || out.Viewer.Organisation.Name != "Landkreis Musterhausen" {
					t.Fatalf("viewer %+v", out.Viewer)
				}
			})

			t.Run("refused logins all look alike", func(t *testing.T) {
				var first string
				for name, c := range map[string][2]string{
					"wrong password":          {"anna", "falsch"},
					"empty password":          {"anna", ""},
					"blank password":          {"anna", "   "},
					"unknown user":            {"niemand", "Geheim-niemand-1"},
					"filter injection":        {"*)(uid=*", "Geheim-anna-1"},
					"wildcard":                {"*", "Geheim-anna-1"},
					"disabled user":           {"lena", "Geheim-lena-1"},
					"not in an allowed group": {"paul", "Geheim-paul-1"},
					"other directory's user":  {"erika", "Beispiel-erika-1"},
				} {
					e := wantCode(t, w.login(t, "musterhausen", c[0], c[1]), "UNAUTHENTICATED")
					if first == "" {
						first = e.Message
					}
					if e.Message != first {
						t.Fatalf("%s: message %q differs from %q", name, e.Message, first)
					}
				}
			})

			t.Run("special characters in a user name", func(t *testing.T) {
				w.mustLogin(t, "musterhausen", "o'brien", "Geheim-o'brien-1")
			})

			t.Run("two directories, same user name, different people", func(t *testing.T) {
				other := w.mustLogin(t, "beispiel", "anna", "Beispiel-anna-1")
				if other.Login.Member.ID == m.ID || other.Login.Member.DisplayName != "Anna Lehmann" || other.Login.Member.Organisation.ID != w.beispielOr {
					t.Fatalf("beispiel anna: %+v", other.Login.Member)
				}
				byDomain := w.mustLogin(t, "", "erika.musterfrau@stadt-beispiel.example", "Beispiel-erika-1")
				if byDomain.Login.Member.PlatformRole != "ADMIN" {
					t.Fatalf("erika (memberOf groups): %+v", byDomain.Login.Member)
				}
				wantCode(t, w.login(t, "beispiel", "anna", "Geheim-anna-1"), "UNAUTHENTICATED")
			})

			t.Run("group change is picked up at the next login", func(t *testing.T) {
				w.muster.RemoveFromGroup(t, ldaptest.GroupCDO, "anna")
				w.muster.AddToGroup(t, ldaptest.GroupAdmins, "anna")
				again := w.mustLogin(t, "musterhausen", "anna", "Geheim-anna-1")
				if again.Login.Member.ID != m.ID || again.Login.Member.CommunityRole != "STAFF" || again.Login.Member.PlatformRole != "ADMIN" {
					t.Fatalf("after group change: %+v", again.Login.Member)
				}
				w.muster.AddToGroup(t, ldaptest.GroupCDO, "anna")
				w.muster.RemoveFromGroup(t, ldaptest.GroupAdmins, "anna")
			})

			t.Run("removed and disallowed users lose their sessions", func(t *testing.T) {
				ob := w.mustLogin(t, "musterhausen", "o'brien", "Geheim-o'brien-1")
				w.muster.DeleteUser(t, "o'brien")
				w.muster.RemoveFromGroup(t, ldaptest.GroupUsers, "jonas")
				ended, err := w.env.App.Auth.Revalidate(context.Background())
				if err != nil || ended < 2 {
					t.Fatalf("revalidate ended %d sessions: %v", ended, err)
				}
				for _, token := range []string{ob.Login.Token, jonas.Login.Token} {
					res := w.env.WithToken(token).Post(t, `{ viewer { id } }`, nil)
					if res.Status != 401 {
						t.Fatalf("a revoked session still works: %d %+v", res.Status, res)
					}
				}
				wantCode(t, w.login(t, "musterhausen", "o'brien", "Geheim-o'brien-1"), "UNAUTHENTICATED")
				wantCode(t, w.login(t, "musterhausen", "jonas", "Geheim-jonas-1"), "UNAUTHENTICATED")
				if res := w.env.WithToken(anna.Login.Token).Post(t, `{ viewer { id } }`, nil); len(res.Errors) > 0 {
					t.Fatalf("anna's session must survive: %+v", res.Errors)
				}
			})

			t.Run("directory down or hanging", func(t *testing.T) {
				e := wantCode(t, w.login(t, "haengt", "anna", "Geheim-anna-1"), "DIRECTORY_UNAVAILABLE")
				if !strings.Contains(e.Message, "unavailable") {
					t.Fatalf("message %q", e.Message)
				}
				beispielAnna := w.mustLogin(t, "beispiel", "anna", "Beispiel-anna-1")
				w.beispiel.Stop()
				wantCode(t, w.login(t, "beispiel", "anna", "Beispiel-anna-1"), "DIRECTORY_UNAVAILABLE")
				// Other directories and existing sessions are unaffected, also by a revalidation
				// that cannot reach the directory.
				w.mustLogin(t, "musterhausen", "anna", "Geheim-anna-1")
				if _, err := w.env.App.Auth.Revalidate(context.Background()); err != nil {
					t.Fatalf("revalidation with a directory down: %v", err)
				}
				for _, token := range []string{anna.Login.Token, beispielAnna.Login.Token} {
					if res := w.env.WithToken(token).Post(t, `{ viewer { id } }`, nil); len(res.Errors) > 0 || res.Status != 200 {
						t.Fatalf("existing session: %d %+v", res.Status, res.Errors)
					}
				}
			})
		})
	}
}

func TestRepeatedFailuresAreSlowedDown(t *testing.T) {
	w := newWorld(t, "sqlite")
	for range 6 {
		wantCode(t, w.login(t, "musterhausen", "anna", "falsch"), "UNAUTHENTICATED")
	}
	wantCode(t, w.login(t, "musterhausen", "anna", "Geheim-anna-1"), "TOO_MANY_ATTEMPTS")
}
