package auth_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/config"
)

const viewerQuery = `{ viewer { id } }`

// browser is a client with a cookie jar, as a single-page app in a browser has.
type browser struct {
	t      *testing.T
	env    *apitest.Env
	client *http.Client
	csrf   string
	origin string
}

func newBrowser(t *testing.T, env *apitest.Env) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, env: env, client: &http.Client{Jar: jar}}
}

func (b *browser) post(query string, vars map[string]any, csrf string) (int, apitest.Response, http.Header) {
	b.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, b.env.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out apitest.Response
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out, res.Header
}

func TestCookieSessionsWithCSRF(t *testing.T) {
	env := apitest.Start(t, "sqlite", func(c *config.Config) {
		c.CookieInsecure = true // httptest serves plain HTTP
		c.AllowedOrigins = []string{"https://app.zirkel.example"}
	})
	env.NewMember(t, apitest.Spec{Email: "cdo@kreis.example"})
	b := newBrowser(t, env)
	_, res, hdr := b.post(`mutation { login(input: {directory: "local", username: "cdo@kreis.example", password: "`+apitest.Password+`", cookie: true}) { token csrfToken } }`, nil, "")
	var login struct {
		Login struct {
			Token     *string
			CsrfToken string
		}
	}
	decode(t, res, &login)
	cookie := hdr.Get("Set-Cookie")
	if login.Login.Token != nil || login.Login.CsrfToken == "" || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Fatalf("a cookie login must not return the token: %+v, cookie %q", login.Login, cookie)
	}
	if status, _, _ := b.post(viewerQuery, nil, ""); status != http.StatusForbidden {
		t.Fatalf("a cookie POST without CSRF token: %d", status)
	}
	if status, _, _ := b.post(viewerQuery, nil, "wrong"); status != http.StatusForbidden {
		t.Fatalf("a cookie POST with a wrong CSRF token: %d", status)
	}
	if _, res, _ := b.post(viewerQuery, nil, login.Login.CsrfToken); len(res.Errors) > 0 || strings.Contains(string(res.Data), "null") {
		t.Fatalf("a cookie POST with the CSRF token: %+v %s", res.Errors, res.Data)
	}

	t.Run("CORS allow-list", func(t *testing.T) {
		preflight := func(origin string) *http.Response {
			req, _ := http.NewRequest(http.MethodOptions, env.URL+"/graphql", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		ok := preflight("https://app.zirkel.example")
		if ok.StatusCode != http.StatusNoContent || ok.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Fatalf("allowed origin: %d %v", ok.StatusCode, ok.Header)
		}
		if bad := preflight("https://evil.example"); bad.StatusCode != http.StatusForbidden || bad.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("other origin: %d %v", bad.StatusCode, bad.Header)
		}
	})

	t.Run("logout ends the session and clears the cookie", func(t *testing.T) {
		_, res, hdr := b.post(`mutation { logout }`, nil, login.Login.CsrfToken)
		if len(res.Errors) > 0 || !strings.Contains(hdr.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("logout: %+v %q", res.Errors, hdr.Get("Set-Cookie"))
		}
		if _, res, _ := b.post(viewerQuery, nil, ""); !strings.Contains(string(res.Data), `"viewer":null`) {
			t.Fatalf("after logout the browser is anonymous: %s %+v", res.Data, res.Errors)
		}
	})
}

func TestSessionLifecycle(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := apitest.Start(t, backend, nil)
			admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
			first := env.NewMember(t, apitest.Spec{Email: "pilotin@kreis.example", CommunityRole: member.CommunityRoleDIGITAL_PILOT})
			second := env.Login(t, "local", "pilotin@kreis.example", apitest.Password)

			wantCode(t, env.Post(t, `mutation { login(input: {directory: "local", username: "pilotin@kreis.example", password: "falsch"}) { token } }`, nil), "UNAUTHENTICATED")
			wantCode(t, env.Post(t, `mutation { login(input: {directory: "local", username: "niemand@kreis.example", password: "irgendwas-langes"}) { token } }`, nil), "UNAUTHENTICATED")

			var n struct{ LogoutEverywhere int }
			first.MustPost(t, `mutation { logoutEverywhere }`, nil, &n)
			if n.LogoutEverywhere != 2 {
				t.Fatalf("logoutEverywhere ended %d sessions", n.LogoutEverywhere)
			}
			for _, s := range []*apitest.Session{first, second} {
				if res := s.Post(t, viewerQuery, nil); res.Status != http.StatusUnauthorized || res.Errors[0].Code() != "UNAUTHENTICATED" {
					t.Fatalf("an ended session: %d %+v", res.Status, res.Errors)
				}
			}

			third := env.Login(t, "local", "pilotin@kreis.example", apitest.Password)
			var revoked struct{ RevokeSessions int }
			admin.MustPost(t, `mutation($m: ID!) { revokeSessions(memberID: $m) }`, map[string]any{"m": third.MemberID}, &revoked)
			if revoked.RevokeSessions != 1 || third.Post(t, viewerQuery, nil).Status != http.StatusUnauthorized {
				t.Fatalf("revokeSessions: %d", revoked.RevokeSessions)
			}

			t.Run("a deactivated member cannot log in and loses sessions", func(t *testing.T) {
				fourth := env.Login(t, "local", "pilotin@kreis.example", apitest.Password)
				admin.MustPost(t, `mutation($m: ID!) { updateMember(id: $m, input: {status: DEACTIVATED}) { id } }`, map[string]any{"m": fourth.MemberID}, nil)
				if fourth.Post(t, viewerQuery, nil).Status != http.StatusUnauthorized {
					t.Fatal("a deactivated member's session still works")
				}
				wantCode(t, env.Post(t, `mutation { login(input: {directory: "local", username: "pilotin@kreis.example", password: "`+apitest.Password+`"}) { token } }`, nil), "UNAUTHENTICATED")
			})
		})
	}
}

func TestSessionExpiry(t *testing.T) {
	for name, adjust := range map[string]func(*config.Config){
		"idle":     func(c *config.Config) { c.SessionIdle = 300 * time.Millisecond },
		"absolute": func(c *config.Config) { c.SessionMaxAge = 300 * time.Millisecond },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := apitest.Start(t, "sqlite", adjust)
			s := env.NewMember(t, apitest.Spec{})
			if res := s.Post(t, viewerQuery, nil); len(res.Errors) > 0 {
				t.Fatalf("fresh session: %+v", res.Errors)
			}
			time.Sleep(500 * time.Millisecond)
			if res := s.Post(t, viewerQuery, nil); res.Status != http.StatusUnauthorized {
				t.Fatalf("an expired session still works: %d", res.Status)
			}
		})
	}
}

func TestInvitation(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		var inv struct {
			InviteMember struct {
				Token  string
				Member struct{ ID string }
			}
		}
		admin.MustPost(t, `mutation { inviteMember(input: {displayName: "Prof. Dr. Weber", email: "weber@uni.example", communityRole: RESEARCHER}) { token member { id } } }`, nil, &inv)
		accept := `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token member { id } } }`
		res := env.Post(t, accept, map[string]any{"t": inv.InviteMember.Token, "p": "kurz"})
		if len(res.Errors) == 0 || res.Errors[0].Field() != "password" {
			t.Fatalf("a short password must be refused: %+v", res.Errors)
		}
		var ok struct {
			AcceptInvitation struct {
				Token  string
				Member struct{ ID string }
			}
		}
		env.MustPost(t, accept, map[string]any{"t": inv.InviteMember.Token, "p": "ein-langes-Passwort-2026"}, &ok)
		if ok.AcceptInvitation.Member.ID != inv.InviteMember.Member.ID || ok.AcceptInvitation.Token == "" {
			t.Fatalf("accepted: %+v", ok)
		}
		if res := env.Post(t, accept, map[string]any{"t": inv.InviteMember.Token, "p": "ein-anderes-Passwort-1"}); len(res.Errors) == 0 {
			t.Fatal("an invitation works only once")
		}
		env.Login(t, "local", "weber@uni.example", "ein-langes-Passwort-2026")
	})
}
