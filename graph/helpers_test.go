package graph_test

import (
	"regexp"
	"testing"

	"zirkel/ent/member"
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

// seed holds a small community that most tests start from: an admin, two members of one
// organisation (Anna, a CDO with Low Code expertise, and Jonas, a CIO), a topic and a closed
// circle.
type seed struct {
	Admin, Anna, Jonas                            *apitest.Session
	OrgID, MemberID, Member2ID, TopicID, CircleID string
}

func newSeed(t testing.TB, env *apitest.Env) seed {
	t.Helper()
	s := seed{Admin: env.NewMember(t, apitest.Spec{Name: "Admin", PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})}
	var out struct {
		O struct{ ID string } `json:"o"`
		T struct{ ID string } `json:"t"`
		C struct{ ID string } `json:"c"`
	}
	s.Admin.MustPost(t, `mutation {
		o: createOrganisation(input: {name: "Landkreis Musterhausen", kind: LANDKREIS, ags: "09162000", population: 120000}) { id }
		t: createTopic(input: {slug: "low-code", name: "Low Code"}) { id }
		c: createCircle(input: {name: "CDO-Zirkel", slug: "cdo-zirkel", visibility: CLOSED}) { id }
	}`, nil, &out)
	s.OrgID, s.TopicID, s.CircleID = out.O.ID, out.T.ID, out.C.ID
	s.Anna = env.NewMember(t, apitest.Spec{Name: "Anna Becker", Email: "Anna.Becker@Musterhausen.example", OrganisationID: s.OrgID})
	s.Jonas = env.NewMember(t, apitest.Spec{Name: "Jonas Wolf", Email: "jonas.wolf@musterhausen.example", CommunityRole: member.CommunityRoleCIO, OrganisationID: s.OrgID})
	s.MemberID, s.Member2ID = s.Anna.MemberID, s.Jonas.MemberID
	s.Anna.MustPost(t, `mutation($id: ID!, $topic: ID!) { updateMember(id: $id, input: {addExpertiseIDs: [$topic]}) { id } }`,
		map[string]any{"id": s.MemberID, "topic": s.TopicID}, nil)
	return s
}
