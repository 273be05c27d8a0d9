package graph_test

import (
	"testing"

	"zirkel/server/apitest"
	"zirkel/server/auth"
)

// TestLoginsDoNotMoveUpdatedAt: a member's updatedAt is readable and filterable by every
// member; a login must not move it, or everyone could tell to the nanosecond when someone was
// last online (lastLoginAt is for the member and admins only, and only the day).
func TestLoginsDoNotMoveUpdatedAt(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		read := func() string {
			var out struct {
				Node struct{ UpdatedAt string }
			}
			s.Jonas.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Member { updatedAt } } }`, map[string]any{"id": s.MemberID}, &out)
			return out.Node.UpdatedAt
		}
		before := read()
		for range 3 {
			env.Login(t, auth.LocalDirectory, "anna.becker@musterhausen.example", apitest.Password)
		}
		if after := read(); after != before {
			t.Fatalf("logins moved Anna's updatedAt from %s to %s", before, after)
		}
		// A change of what members see still moves it.
		s.Anna.MustPost(t, `mutation($id: ID!) { updateMember(id: $id, input: {bio: "CDO seit 2020"}) { id } }`, map[string]any{"id": s.MemberID}, nil)
		if after := read(); after == before {
			t.Fatal("a new bio did not move updatedAt")
		}
	})
}
