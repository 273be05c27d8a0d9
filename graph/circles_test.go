package graph_test

import (
	"testing"

	"zirkel/server/apitest"
)

func TestCircleMemberships(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		vars := map[string]any{"c": s.CircleID, "m": s.MemberID}
		var add struct {
			A struct {
				ID, Role string
				Member   struct{ DisplayName string }
			} `json:"addCircleMember"`
		}
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id role member { displayName } } }`, vars, &add)
		if add.A.Role != "MEMBER" || add.A.Member.DisplayName != "Anna Becker" {
			t.Fatalf("got %+v", add.A)
		}
		var again struct {
			A struct{ ID, Role string } `json:"addCircleMember"`
		}
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m, role: MODERATOR) { id role } }`, vars, &again)
		if again.A.ID != add.A.ID || again.A.Role != "MODERATOR" {
			t.Fatalf("adding twice must change the role of the one membership: %+v vs %+v", again.A, add.A)
		}
		var circle struct {
			Node struct {
				Memberships struct{ TotalCount int }
			} `json:"node"`
		}
		s.Admin.MustPost(t, `query($c: ID!) { node(id: $c) { ... on Circle { memberships(first: 10) { totalCount } } } }`, vars, &circle)
		if circle.Node.Memberships.TotalCount != 1 {
			t.Fatalf("got %+v", circle.Node)
		}
		var removed struct{ RemoveCircleMember string }
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { removeCircleMember(circleID: $c, memberID: $m) }`, vars, &removed)
		if removed.RemoveCircleMember != add.A.ID {
			t.Fatalf("removed %q, want %q", removed.RemoveCircleMember, add.A.ID)
		}
		res := s.Admin.Post(t, `mutation($c: ID!, $m: ID!) { removeCircleMember(circleID: $c, memberID: $m) }`, vars)
		wantError(t, res, "NOT_FOUND", "memberID")
		res = s.Admin.Post(t, `mutation($m: ID!) { addCircleMember(circleID: "cir_00000000000000000000000000", memberID: $m) { id } }`, vars)
		wantError(t, res, "NOT_FOUND", "circleID")
		res = s.Admin.Post(t, `mutation($c: ID!) { addCircleMember(circleID: $c, memberID: "mem_00000000000000000000000000") { id } }`, vars)
		wantError(t, res, "BAD_USER_INPUT", "memberID")
	})
}
