package graph_test

import (
	"testing"

	"zirkel/server/apitest"
)

// TestExpertiseFollowsFindableAsExpert: a member's expertise (Member.expertise, Topic.experts,
// search's member facets by topic) reaches others only while the member is findable as an
// expert (privacy setting, off by default); the member themself and admins always see it; the
// edge is not filterable, so no filter tells it either.
func TestExpertiseFollowsFindableAsExpert(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env) // Anna names the topic as her expertise; not findable (the default)
		experts := func(as *apitest.Session) (map[string]bool, int) {
			t.Helper()
			var out struct {
				Node struct {
					Experts struct {
						TotalCount int
						Edges      []struct{ Node struct{ ID string } }
					}
				}
			}
			as.MustPost(t, `query($t: ID!) { node(id: $t) { ... on Topic { experts(first: 10) { totalCount edges { node { id } } } } } }`,
				map[string]any{"t": s.TopicID}, &out)
			ids := map[string]bool{}
			for _, e := range out.Node.Experts.Edges {
				ids[e.Node.ID] = true
			}
			return ids, out.Node.Experts.TotalCount
		}
		expertise := func(as *apitest.Session) (map[string]bool, int) {
			t.Helper()
			var out struct {
				Node struct {
					Expertise struct {
						TotalCount int
						Edges      []struct{ Node struct{ ID string } }
					}
				}
			}
			as.MustPost(t, `query($m: ID!) { node(id: $m) { ... on Member { expertise(first: 10) { totalCount edges { node { id } } } } } }`,
				map[string]any{"m": s.MemberID}, &out)
			ids := map[string]bool{}
			for _, e := range out.Node.Expertise.Edges {
				ids[e.Node.ID] = true
			}
			return ids, out.Node.Expertise.TotalCount
		}
		byTopic := func(as *apitest.Session) map[string]bool {
			t.Helper()
			return pageIDs(searchWith(t, as, map[string]any{"q": "Anna", "topic": s.TopicID, "types": []string{"MEMBER"}}))
		}
		sees := func(as *apitest.Session, who string, want bool, withSearch bool) {
			t.Helper()
			if ids, n := experts(as); ids[s.MemberID] != want || (n == 1) != want || len(ids) != n {
				t.Errorf("%s: Topic.experts = %v (total %d), want Anna there: %v", who, ids, n, want)
			}
			if ids, n := expertise(as); ids[s.TopicID] != want || (n == 1) != want || len(ids) != n {
				t.Errorf("%s: Member.expertise = %v (total %d), want the topic there: %v", who, ids, n, want)
			}
			if withSearch {
				if got := byTopic(as); got[s.MemberID] != want {
					t.Errorf("%s: search(topicID, MEMBER) = %v, want Anna there: %v", who, got, want)
				}
			}
		}

		// Not findable: other members do not see it, Anna and admins do.
		sees(s.Jonas, "Jonas", false, true)
		sees(s.Anna, "Anna", true, false)
		sees(s.Admin, "Admin", true, false)
		// The name alone still finds her: only the expertise is hidden.
		if got := pageIDs(searchWith(t, s.Jonas, map[string]any{"q": "Anna", "types": []string{"MEMBER"}})); !got[s.MemberID] {
			t.Errorf("search by name does not find Anna: %v", got)
		}

		// No filter reaches the edge: the conditions do not exist.
		for _, q := range []string{
			`query($t: ID!) { members(first: 10, where: {hasExpertiseWith: [{id: $t}]}) { totalCount } }`,
			`query { members(first: 10, where: {hasExpertise: true}) { totalCount } }`,
			`query($m: ID!) { topics(first: 10, where: {hasExpertsWith: [{id: $m}]}) { totalCount } }`,
			`query { topics(first: 10, where: {hasExperts: true}) { totalCount } }`,
		} {
			res := s.Jonas.Post(t, q, map[string]any{"t": s.TopicID, "m": s.MemberID})
			if len(res.Errors) == 0 || res.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("a filter on expertise is accepted: %s -> %s %+v", q, res.Data, res.Errors)
			}
		}

		// Findable: everyone sees it.
		s.Anna.MustPost(t, `mutation { updatePrivacySettings(input: {findableAsExpert: true}) { findableAsExpert } }`, nil, nil)
		sees(s.Jonas, "Jonas after opting in", true, true)
		sees(s.Anna, "Anna after opting in", true, true)
		sees(s.Admin, "Admin after opting in", true, false)

		// And hidden again when she takes it back.
		s.Anna.MustPost(t, `mutation { updatePrivacySettings(input: {findableAsExpert: false}) { findableAsExpert } }`, nil, nil)
		sees(s.Jonas, "Jonas after opting out", false, true)
	})
}
