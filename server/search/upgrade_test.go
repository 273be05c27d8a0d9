package search_test

import (
	"context"
	"testing"

	"zirkel/server/apitest"
	"zirkel/server/policy"
	"zirkel/server/search"
	"zirkel/server/store"
)

// TestOutdatedIndexIsRebuilt: an index written by an older version of the terms (here an
// empty one of the old layout) is dropped and filled anew when the server starts.
func TestOutdatedIndexIsRebuilt(t *testing.T) {
	oldLayout := map[string]string{
		"sqlite":   `CREATE VIRTUAL TABLE search_index USING fts5(doc_id UNINDEXED, kind UNINDEXED, title, body, terms)`,
		"postgres": `CREATE TABLE search_index (doc_id text PRIMARY KEY, kind text NOT NULL, title text NOT NULL, body text NOT NULL)`,
	}
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			opts := store.Options{DataDir: t.TempDir()}
			if backend == "postgres" {
				opts.DatabaseURL = apitest.FreshPostgres(t)
			}
			st, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			topic := st.Client.Topic.Create().SetSlug("buergerservice").SetName("Bürgerservice").SaveX(policy.System(ctx))
			for _, stmt := range []string{`DROP TABLE search_index`, `DELETE FROM search_rows`, `UPDATE search_version SET version = 1`, oldLayout[backend]} {
				if backend == "postgres" && stmt == `DELETE FROM search_rows` {
					continue
				}
				if _, err := st.DB.ExecContext(ctx, stmt); err != nil {
					t.Fatal(stmt, err)
				}
			}
			st.Close()

			st, err = store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			hits, err := st.Search.Search(ctx, st.Client, "Buergerservice", search.Filter{}, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 1 || hits[0].ID != topic.ID {
				t.Fatalf("the rebuilt index must find the topic: %v", hits)
			}
		})
	}
}
