package graph_test

import (
	"regexp"
	"testing"

	"zirkel/server/apitest"
)

// idPattern is the shape of every global id: a type prefix and 26 random base32 characters.
var idPattern = regexp.MustCompile(`^[a-z]{3}_[0-9a-z]{26}$`)

// wantError checks that a response failed with one error of the given code and field, and
// that it carries no data for the failed mutation.
func wantError(t *testing.T, res apitest.Response, code, field string) {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("want error %s on %q, got data %s", code, field, res.Data)
	}
	e := res.Errors[0]
	if e.Code() != code || e.Field() != field {
		t.Fatalf("want error %s on %q, got %s on %q: %s", code, field, e.Code(), e.Field(), e.Message)
	}
}

// seed holds the ids of a small community that most tests start from.
type seed struct {
	OrgID, MemberID, Member2ID, TopicID, CircleID string
}

func newSeed(t testing.TB, env *apitest.Env) seed {
	t.Helper()
	var s seed
	var out struct {
		O struct{ ID string } `json:"o"`
		T struct{ ID string } `json:"t"`
		C struct{ ID string } `json:"c"`
	}
	env.MustPost(t, `mutation {
		o: createOrganisation(input: {name: "Landkreis Musterhausen", kind: LANDKREIS, ags: "09162000", population: 120000}) { id }
		t: createTopic(input: {slug: "low-code", name: "Low Code"}) { id }
		c: createCircle(input: {name: "CDO-Zirkel", slug: "cdo-zirkel", visibility: CLOSED}) { id }
	}`, nil, &out)
	s.OrgID, s.TopicID, s.CircleID = out.O.ID, out.T.ID, out.C.ID
	var m struct {
		A struct{ ID string } `json:"a"`
		B struct{ ID string } `json:"b"`
	}
	env.MustPost(t, `mutation($org: ID!, $topic: ID!) {
		a: createMember(input: {displayName: "Anna Becker", email: "Anna.Becker@Musterhausen.example", communityRole: CDO, organisationID: $org, expertiseIDs: [$topic]}) { id }
		b: createMember(input: {displayName: "Jonas Wolf", email: "jonas.wolf@musterhausen.example", communityRole: CIO, organisationID: $org}) { id }
	}`, map[string]any{"org": s.OrgID, "topic": s.TopicID}, &m)
	s.MemberID, s.Member2ID = m.A.ID, m.B.ID
	return s
}
