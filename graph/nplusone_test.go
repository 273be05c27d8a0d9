package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"zirkel/server/apitest"
)

// seedPractices creates n organisations, each with a member who authored one practice with two
// topics, so that pages of any size have edges to load.
func seedPractices(t testing.TB, env *apitest.Env, n int) {
	t.Helper()
	var topics struct {
		A, B struct{ ID string }
	}
	env.MustPost(t, `mutation { a: createTopic(input: {slug: "a", name: "A"}) { id } b: createTopic(input: {slug: "b", name: "B"}) { id } }`, nil, &topics)
	for i := range n {
		var b strings.Builder
		var org struct {
			CreateOrganisation struct{ ID string }
		}
		env.MustPost(t, fmt.Sprintf(`mutation { createOrganisation(input: {name: "Kreis %d", kind: LANDKREIS}) { id } }`, i), nil, &org)
		var mem struct {
			CreateMember struct{ ID string }
		}
		env.MustPost(t, `mutation($o: ID!, $e: String!) { createMember(input: {displayName: "M", email: $e, communityRole: CDO, organisationID: $o}) { id } }`,
			map[string]any{"o": org.CreateOrganisation.ID, "e": fmt.Sprintf("m%d@kreis.example", i)}, &mem)
		b.WriteString(`mutation($o: ID!, $m: ID!, $a: ID!, $b: ID!) { createPractice(input: {title: "P", organisationID: $o, authorIDs: [$m], topicIDs: [$a, $b]}) { id } }`)
		env.MustPost(t, b.String(), map[string]any{"o": org.CreateOrganisation.ID, "m": mem.CreateMember.ID, "a": topics.A.ID, "b": topics.B.ID}, nil)
	}
}

// TestNoNPlusOne: a page costs the same number of SQL statements whether it holds 5 or 50 rows.
func TestNoNPlusOne(t *testing.T) {
	queries := map[string]string{
		"practices with organisation, topics and authors": `query($n: Int!) { practices(first: $n) { totalCount edges { node {
			title organisation { name state } topics(first: 10) { edges { node { slug } } }
			authors(first: 10) { edges { node { displayName } } } } } } }`,
		"organisations with members and their practices": `query($n: Int!) { organisations(first: $n) { edges { node {
			name members(first: 20) { totalCount edges { node { displayName practices(first: 10) { totalCount edges { node { title } } } } } } } } } }`,
	}
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		seedPractices(t, env, 50)
		for name, q := range queries {
			t.Run(name, func(t *testing.T) {
				count := func(n int) int64 {
					return env.Statements(func() { env.MustPost(t, q, map[string]any{"n": n}, nil) })
				}
				small, large := count(5), count(50)
				t.Logf("statements: %d for 5 rows, %d for 50 rows", small, large)
				if large != small || large > 8 {
					t.Fatalf("statements grow with the page: %d for 5 rows, %d for 50", small, large)
				}
			})
		}
	})
}
