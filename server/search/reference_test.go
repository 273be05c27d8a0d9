package search_test

import (
	"context"
	"slices"
	"testing"

	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/search"
)

// TestSearchMatchesReference: on a generated corpus (the benchmark's generator, smaller), the
// index finds exactly the documents that a brute-force match in Go over every row finds
// (search.ReferenceMatches), in the order of a plain statement that ranks every match
// (NaiveSearch), whole and page by page, on both databases.
func TestSearchMatchesReference(t *testing.T) {
	c := corpusSpec{name: "reference", words: zipfRanks(vocabulary), zipf: true}
	texts := c.messages(1500)
	queries := append(benchQueries(c), "Servicekonten", "konto", `"Kosten Aufwand"`, `"Nutzen Team" Projekt`, "Plattformen Schnittstelle Cloud",
		"Buergerservice", "Souveraenitaet", "Förder", "unbekanntes Wort", "Akte", "Zugang", "Verkehr")
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			st := openStore(t, backend)
			fill(t, st, texts)
			ctx := context.Background()
			rows, err := st.DB.QueryContext(ctx, `SELECT doc_id, title, body FROM search_index`)
			if err != nil {
				t.Fatal(err)
			}
			type row struct{ id, title, body string }
			var all []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.title, &r.body); err != nil {
					t.Fatal(err)
				}
				all = append(all, r)
			}
			rows.Close()
			if len(all) != len(texts) {
				t.Fatalf("%d rows for %d texts", len(all), len(texts))
			}
			for _, q := range queries {
				want := map[gid.ID]bool{}
				for _, r := range all {
					if search.ReferenceMatches(q, r.title, r.body) {
						want[gid.ID(r.id)] = true
					}
				}
				hits, err := st.Search.Search(ctx, st.Client, q, search.Filter{}, 0, 100_000)
				if err != nil {
					t.Fatal(err)
				}
				var got []gid.ID
				for _, h := range hits {
					if !want[h.ID] {
						t.Fatalf("%q: the index finds %s, the reference does not", q, h.ID)
					}
					got = append(got, h.ID)
				}
				if len(got) != len(want) {
					t.Fatalf("%q: the index finds %d, the reference %d", q, len(got), len(want))
				}
				naive, err := st.Search.NaiveSearch(ctx, st.DB, q)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, naive) {
					t.Fatalf("%q: the order differs from the plain ranking", q)
				}
				var paged []gid.ID
				for off := 0; off < len(got)+7; off += 7 {
					page, err := st.Search.Search(ctx, st.Client, q, search.Filter{}, off, 7)
					if err != nil {
						t.Fatal(err)
					}
					for _, h := range page {
						paged = append(paged, h.ID)
					}
				}
				if !slices.Equal(got, paged) {
					t.Fatalf("%q: pages of 7 give another order", q)
				}
				t.Logf("%q: %d hits", q, len(got))
			}
		})
	}
}
