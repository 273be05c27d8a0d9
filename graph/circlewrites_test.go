package graph_test

import (
	"testing"

	"zirkel/server/apitest"
)

// TestAdminsDoNotWriteInClosedCirclesTheyAreNotIn: writing in a circle needs membership. An
// admin who does not belong to a closed circle neither starts a discussion in it nor posts
// into one; once a member, they may.
func TestAdminsDoNotWriteInClosedCirclesTheyAreNotIn(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`,
			map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
		var d struct {
			D struct{ ID string } `json:"createDiscussion"`
		}
		s.Anna.MustPost(t, `mutation($c: ID!) { createDiscussion(input: {title: "Nur im Kreis", circleID: $c}) { id } }`,
			map[string]any{"c": s.CircleID}, &d)
		post(t, s.Anna, d.D.ID, "Erste Nachricht", nil)

		res := s.Admin.Post(t, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "Als Admin"}) { id } }`,
			map[string]any{"d": d.D.ID})
		if len(res.Errors) == 0 {
			t.Fatalf("an admin outside the closed circle posted: %s", res.Data)
		}
		res = s.Admin.Post(t, `mutation($c: ID!) { createDiscussion(input: {title: "Von außen", circleID: $c}) { id } }`,
			map[string]any{"c": s.CircleID})
		wantError(t, res, "FORBIDDEN", "")

		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`,
			map[string]any{"c": s.CircleID, "m": s.Admin.MemberID}, nil)
		post(t, s.Admin, d.D.ID, "Jetzt als Mitglied", nil)
	})
}
