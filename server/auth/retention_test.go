package auth_test

import (
	"context"
	"testing"
	"time"

	"zirkel/ent/session"
	"zirkel/server/apitest"
	"zirkel/server/policy"
)

// TestPurgeAfterRetention: ended sessions are deleted once their retention has passed (30
// days after they ended), live ones never; failed-login counters after theirs (an hour).
func TestPurgeAfterRetention(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		ctx := policy.System(context.Background())
		c := env.App.Store.Client
		kept := env.NewMember(t, apitest.Spec{Email: "bleibt@test.example"})
		ended := env.Login(t, "local", "bleibt@test.example", apitest.Password)
		ended.MustPost(t, `mutation { logout }`, nil, nil)
		if res := env.Post(t, `mutation($u: String!) { login(input: {directory: "local", username: $u, password: "falsch-falsch"}) { token } }`,
			map[string]any{"u": "bleibt@test.example"}); len(res.Errors) == 0 {
			t.Fatal("a wrong password logged in")
		}
		counters := func() int { n, err := c.LoginThrottle.Query().Count(ctx); must(t, err); return n }
		sessions := func() int { n, err := c.Session.Query().Count(ctx); must(t, err); return n }
		if sessions() != 2 || counters() == 0 {
			t.Fatalf("before: %d sessions, %d counters", sessions(), counters())
		}
		now := time.Now()
		for _, tc := range []struct {
			name                 string
			at                   time.Time
			sessions, counters   int
			revokedSessionExists bool
		}{
			{"nothing is past its retention yet", now, 2, counters(), true},
			{"counters go after an hour", now.Add(61 * time.Minute), 2, 0, true},
			{"a revoked session goes 30 days after it ended", now.Add(30*24*time.Hour + time.Hour), 1, 0, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := env.App.Auth.PurgeAt(context.Background(), tc.at); err != nil {
					t.Fatal(err)
				}
				if sessions() != tc.sessions || counters() != tc.counters {
					t.Fatalf("%d sessions, %d counters; want %d, %d", sessions(), counters(), tc.sessions, tc.counters)
				}
				revoked, err := c.Session.Query().Where(session.RevokedAtNotNil()).Exist(ctx)
				must(t, err)
				if revoked != tc.revokedSessionExists {
					t.Fatalf("revoked session kept: %v", revoked)
				}
			})
		}
		var out struct{ Viewer struct{ ID string } }
		kept.MustPost(t, `{ viewer { id } }`, nil, &out)
		if out.Viewer.ID != kept.MemberID {
			t.Fatal("the live session ended")
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
