package graph_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"zirkel/server/apitest"
	"zirkel/server/auth"
)

// TestConcurrentLoginsAndPosts: 16 logins of one account and 50 writers in one discussion at
// the same time all succeed (no internal error, no "database is locked"), the positions are
// 1..50 without a gap, and the account is in the search index once.
func TestConcurrentLoginsAndPosts(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		d := newDiscussion(t, s)
		const logins, writers = 16, 50
		email := "doppelt.anmelden@test.example"
		env.NewMember(t, apitest.Spec{Name: "Doppelt Anmelden", Email: email, OrganisationID: s.OrgID})

		start := make(chan struct{})
		var wg sync.WaitGroup
		failures := make(chan string, logins+writers)
		positions := make([]int, writers)
		for i := range logins {
			wg.Go(func() {
				<-start
				res := env.Post(t, `mutation($u: String!, $p: String!) { login(input: {directory: "`+auth.LocalDirectory+`", username: $u, password: $p}) { token } }`,
					map[string]any{"u": email, "p": apitest.Password})
				if len(res.Errors) > 0 || res.Status != 200 {
					failures <- fmt.Sprintf("login %d: %d %+v", i, res.Status, res.Errors)
				}
			})
		}
		for i := range writers {
			as := s.Anna
			if i%2 == 1 {
				as = s.Jonas
			}
			wg.Go(func() {
				<-start
				res := as.Post(t, `mutation($d: ID!, $b: String!) { postMessage(input: {discussionID: $d, body: $b}) { position } }`,
					map[string]any{"d": d, "b": fmt.Sprintf("Gleichzeitiger Beitrag %d", i)})
				var out struct{ PostMessage struct{ Position int } }
				if len(res.Errors) > 0 || json.Unmarshal(res.Data, &out) != nil {
					failures <- fmt.Sprintf("writer %d: %d %+v", i, res.Status, res.Errors)
					return
				}
				positions[i] = out.PostMessage.Position
			})
		}
		close(start)
		wg.Wait()
		close(failures)
		var failed []string
		for f := range failures {
			failed = append(failed, f)
		}
		if len(failed) > 0 {
			t.Fatalf("%d of %d requests failed:\n%s", len(failed), logins+writers, strings.Join(failed, "\n"))
		}
		sort.Ints(positions)
		for i, p := range positions {
			if p != i+1 {
				t.Fatalf("positions are not 1..%d: %v", writers, positions)
			}
		}
		hits := searchFor(t, s.Anna, "Doppelt Anmelden", "MEMBER").Search.Hits
		if len(hits) != 1 {
			t.Fatalf("the member is in the index %d times, want once: %+v", len(hits), hits)
		}
	})
}
