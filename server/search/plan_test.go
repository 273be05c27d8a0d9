package search_test

import (
	"context"
	"strings"
	"testing"

	"zirkel/server/apitest"
)

// TestSearchIsOneIndexLookup: a search is one lookup in one index, on both databases: on
// PostgreSQL one bitmap scan of the GIN index, with sequential scans discouraged (on a small
// table that matches half the query the planner rightly prefers a scan of the stored fsv),
// on SQLite one FTS5 query (the texts of the page are then read by rowid).
func TestSearchIsOneIndexLookup(t *testing.T) {
	texts := corpusSpec{name: "worst", words: vocabulary}.messages(3000)
	queries := []string{"Prozesse", "Proz", "Service", `"Digitalisierung Verwaltung"`, "Termin Kosten", "Straße"}
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			st := openStore(t, backend)
			fill(t, st, texts)
			if backend == "postgres" {
				if _, err := st.DB.ExecContext(context.Background(), `ANALYZE search_index`); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range queries {
				stmt, args := st.Search.RankingStatement(q, 0, 200)
				plan := apitest.Plan(t, st.DB, backend, stmt, args...)
				text := strings.Join(plan, "\n")
				var lookups int
				if backend == "postgres" {
					lookups = strings.Count(text, "Bitmap Index Scan on search_index_fsv")
				} else {
					lookups = strings.Count(text, "VIRTUAL TABLE INDEX 0:M")
				}
				if lookups != 1 {
					t.Errorf("%q: %d index lookups, want 1:\n%s", q, lookups, text)
				}
			}
		})
	}
}
