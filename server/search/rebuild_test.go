package search_test

import (
	"context"
	"fmt"
	"testing"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/policy"
	"zirkel/server/search"
)

// TestRebuildLetsWritersIn: a rebuild of the index writes in chunks of ReindexChunk objects,
// each in its own transaction, and does not block writers between them: in the middle of a
// rebuild, an admin creates a topic through the GraphQL handler (on SQLite a rebuild that held
// its write transaction would make this write wait until busy_timeout and fail). Afterwards
// the index finds the objects written before and during the rebuild, on both databases.
func TestRebuildLetsWritersIn(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{Name: "Admin", PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
		st := env.App.Store
		ctx := policy.System(context.Background())
		n := 2*search.ReindexChunk + 7
		builders := make([]*ent.TopicCreate, n)
		for i := range builders {
			builders[i] = st.Client.Topic.Create().SetSlug(fmt.Sprintf("thema-%d", i)).SetName(fmt.Sprintf("Thema Nummer%d", i))
		}
		st.Client.Topic.CreateBulk(builders...).ExecX(ctx)

		var chunks []int
		var written string
		err := st.Search.ReindexWithProgress(context.Background(), st.Client, func(kind string, size int) {
			if kind != "TOPIC" {
				return
			}
			chunks = append(chunks, size)
			if len(chunks) == 1 {
				var out struct{ CreateTopic struct{ ID string } }
				admin.MustPost(t, `mutation { createTopic(input: {slug: "mitten", name: "Mittendrin geschrieben"}) { id } }`, nil, &out)
				written = out.CreateTopic.ID
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(chunks) < 3 {
			t.Fatalf("topics were rebuilt in %d chunks (%v), want at least 3 of at most %d", len(chunks), chunks, search.ReindexChunk)
		}
		for _, c := range chunks {
			if c > search.ReindexChunk {
				t.Fatalf("a chunk of %d objects", c)
			}
		}
		for q, want := range map[string]int{"Mittendrin": 1, fmt.Sprintf("Nummer%d", n-1): 1, "Nummer0": 1} {
			var out struct {
				Search struct {
					Hits       []struct{ Node struct{ ID string } }
					TotalCount int
				}
			}
			admin.MustPost(t, `query($q: String!) { search(query: $q, types: [TOPIC]) { hits { node { id } } totalCount } }`, map[string]any{"q": q}, &out)
			if out.Search.TotalCount != want || len(out.Search.Hits) != want {
				t.Fatalf("%q: %d hits, total %d, want %d", q, len(out.Search.Hits), out.Search.TotalCount, want)
			}
			if q == "Mittendrin" && out.Search.Hits[0].Node.ID != written {
				t.Fatalf("the topic written during the rebuild: %v", out.Search.Hits)
			}
		}
	})
}
