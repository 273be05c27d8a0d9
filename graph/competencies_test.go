package graph_test

import (
	"testing"

	"zirkel/server/apitest"
)

// TestCompetencyInventory: members rate themselves; an organisation sees what nobody in it
// has; "who knows X" finds only those who rate themselves high and agreed to be found.
func TestCompetencyInventory(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
		var c struct{ A, B, C struct{ ID string } }
		admin.MustPost(t, `mutation {
			a: createCompetency(input: {name: "Ausschreibungen agil gestalten", side: AUTHORITY}) { id }
			b: createCompetency(input: {name: "Anforderungen formulieren", side: AUTHORITY}) { id }
			c: createCompetency(input: {name: "Verwaltungsprozesse verstehen", side: VENDOR}) { id }
		}`, nil, &c)
		org := newOrg(t, admin, "Kreis Kompetent", "LANDKREIS", 100000)
		anna := env.NewMember(t, apitest.Spec{Name: "Anna", OrganisationID: org})
		jonas := env.NewMember(t, apitest.Spec{Name: "Jonas", OrganisationID: org})
		other := env.NewMember(t, apitest.Spec{Name: "Otto", OrganisationID: newOrg(t, admin, "Kreis Anders", "LANDKREIS", 90000)})
		rate := `mutation($c: ID!, $l: Int!, $f: Boolean) { rateCompetency(competencyID: $c, level: $l, findable: $f) { level } }`
		anna.MustPost(t, rate, map[string]any{"c": c.A.ID, "l": 4, "f": true}, nil)
		jonas.MustPost(t, rate, map[string]any{"c": c.A.ID, "l": 3, "f": false}, nil)
		jonas.MustPost(t, rate, map[string]any{"c": c.B.ID, "l": 1, "f": true}, nil)
		wantError(t, anna.Post(t, rate, map[string]any{"c": c.B.ID, "l": 5}), "BAD_USER_INPUT", "level")

		var gaps struct{ CompetencyGaps []struct{ Name string } }
		anna.MustPost(t, `{ competencyGaps(side: AUTHORITY) { name } }`, nil, &gaps)
		if len(gaps.CompetencyGaps) != 0 {
			t.Fatalf("with 2 members who rated themselves, gaps would tell their ratings: %+v", gaps.CompetencyGaps)
		}
		for range 3 { // 5 members who rated themselves: Anna, Jonas and three colleagues
			env.NewMember(t, apitest.Spec{OrganisationID: org}).MustPost(t, rate, map[string]any{"c": c.C.ID, "l": 2}, nil)
		}
		anna.MustPost(t, `{ competencyGaps(side: AUTHORITY) { name } }`, nil, &gaps)
		if len(gaps.CompetencyGaps) != 1 || gaps.CompetencyGaps[0].Name != "Anforderungen formulieren" {
			t.Fatalf("gaps: %+v", gaps.CompetencyGaps)
		}
		var who struct {
			WhoKnows []struct {
				Level  int
				Member struct{ DisplayName string }
			}
		}
		other.MustPost(t, `query($c: ID!) { whoKnows(competencyID: $c) { level member { displayName } } }`, map[string]any{"c": c.A.ID}, &who)
		if len(who.WhoKnows) != 0 {
			t.Fatalf("who knows: %+v (nobody is findable as an expert yet: the default)", who.WhoKnows)
		}
		for _, m := range []*apitest.Session{anna, jonas} {
			m.MustPost(t, `mutation { updatePrivacySettings(input: {findableAsExpert: true}) { findableAsExpert } }`, nil, nil)
		}
		other.MustPost(t, `query($c: ID!) { whoKnows(competencyID: $c) { level member { displayName } } }`, map[string]any{"c": c.A.ID}, &who)
		if len(who.WhoKnows) != 1 || who.WhoKnows[0].Member.DisplayName != "Anna" {
			t.Fatalf("who knows: %+v (Jonas did not agree to be found)", who.WhoKnows)
		}
	})
}
