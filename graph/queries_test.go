package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"zirkel/server/apitest"
)

func TestPaginationFiltersAndOrder(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		var b strings.Builder
		b.WriteString("mutation {")
		for i := range 7 {
			fmt.Fprintf(&b, ` t%d: createTopic(input: {slug: "thema-%d", name: "Thema %d"}) { id }`, i, i, i)
		}
		b.WriteString("}")
		env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"}).MustPost(t, b.String(), nil, nil)

		type page struct {
			Topics struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct{ Node struct{ Slug string } }
			}
		}
		var p1, p2 page
		q := `query($after: Cursor) { topics(first: 4, after: $after, orderBy: {field: SLUG, direction: DESC}) {
			totalCount pageInfo { hasNextPage endCursor } edges { node { slug } } } }`
		env.MustPost(t, q, nil, &p1)
		env.MustPost(t, q, map[string]any{"after": p1.Topics.PageInfo.EndCursor}, &p2)
		if p1.Topics.TotalCount != 7 || !p1.Topics.PageInfo.HasNextPage || len(p1.Topics.Edges) != 4 ||
			p1.Topics.Edges[0].Node.Slug != "thema-6" || len(p2.Topics.Edges) != 3 || p2.Topics.PageInfo.HasNextPage {
			t.Fatalf("pages %+v / %+v", p1.Topics, p2.Topics)
		}

		var filtered page
		env.MustPost(t, `{ topics(first: 10, where: {slugIn: ["thema-1", "thema-3"], nameContainsFold: "THEMA"}) { totalCount edges { node { slug } } } }`, nil, &filtered)
		if filtered.Topics.TotalCount != 2 {
			t.Fatalf("filtered %+v", filtered.Topics)
		}

		for name, q := range map[string]string{
			"no page size":          `{ topics { totalCount } }`,
			"page too large":        `{ topics(first: 101) { totalCount } }`,
			"nested page missing":   `{ organisations(first: 5) { edges { node { members { totalCount } } } } }`,
			"negative page":         `{ topics(last: -1) { totalCount } }`,
			"page too large as var": `query($n: Int) { topics(first: $n) { totalCount } }`,
		} {
			t.Run(name, func(t *testing.T) {
				res := env.Post(t, q, map[string]any{"n": 1000})
				if len(res.Errors) == 0 || res.Errors[0].Code() != "BAD_USER_INPUT" {
					t.Fatalf("want BAD_USER_INPUT, got %+v", res.Errors)
				}
			})
		}
	})
}

func TestNodeLookup(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		res := s.Anna.Post(t, `query($missing: ID!, $ids: [ID!]!) { node(id: $missing) { id } nodes(ids: $ids) { __typename } }`,
			map[string]any{"missing": "org_00000000000000000000000000", "ids": []string{s.OrgID, s.MemberID, s.TopicID, "top_00000000000000000000000000"}})
		var out struct {
			Node  *struct{ ID string } `json:"node"`
			Nodes []*struct {
				Typename string `json:"__typename"`
			} `json:"nodes"`
		}
		if err := json.Unmarshal(res.Data, &out); err != nil {
			t.Fatal(err)
		}
		if out.Node != nil {
			t.Fatalf("a missing id must give null, got %+v", out.Node)
		}
		if len(out.Nodes) != 4 || out.Nodes[0].Typename != "Organisation" || out.Nodes[1].Typename != "Member" ||
			out.Nodes[2].Typename != "Topic" || out.Nodes[3] != nil {
			t.Fatalf("nodes: %+v", out.Nodes)
		}
		if len(res.Errors) != 1 || res.Errors[0].Code() != "NOT_FOUND" || fmt.Sprint(res.Errors[0].Path) != "[nodes 3]" {
			t.Fatalf("a missing id in nodes gives null and NOT_FOUND at its index: %+v", res.Errors)
		}
		res = env.Post(t, `{ node(id: "42") { id } }`, nil)
		wantError(t, res, "BAD_USER_INPUT", "id")
	})
}
