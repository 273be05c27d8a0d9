package search_test

import (
	"context"
	"testing"

	"zirkel/server/apitest"
	"zirkel/server/policy"
	"zirkel/server/search"
	"zirkel/server/store"
)

// TestOutdatedIndexIsRebuilt: an index written by an older version of the terms is dropped
// and filled anew when the server starts: an empty one of the first layout, and one of
// version 6 (on PostgreSQL three tsvectors for terms, words and parts, the layout before the
// one GIN index) that holds a row of an object that no longer exists.
func TestOutdatedIndexIsRebuilt(t *testing.T) {
	layouts := []struct {
		name    string
		version string
		stmts   map[string][]string
	}{
		{"first", "1", map[string][]string{
			"sqlite":   {`CREATE VIRTUAL TABLE search_index USING fts5(doc_id UNINDEXED, kind UNINDEXED, title, body, terms)`},
			"postgres": {`CREATE TABLE search_index (doc_id text PRIMARY KEY, kind text NOT NULL, title text NOT NULL, body text NOT NULL)`},
		}},
		{"three tsvectors", "6", map[string][]string{
			"sqlite": {`CREATE VIRTUAL TABLE search_index USING fts5(doc_id UNINDEXED, kind UNINDEXED, at UNINDEXED, title UNINDEXED, body UNINDEXED,
				terms, words, parts, tokenize = 'unicode61 remove_diacritics 0', detail = full)`,
				`INSERT INTO search_index (rowid, doc_id, kind, at, title, body, terms, words, parts)
				VALUES (1, 'msg_gone', 'MESSAGE', 0, '', 'Bürgerservice', 'burgerservic', 'burgerservice', '0burge 0burger 1servic 2kindmessage')`,
				`INSERT INTO search_rows (doc_id, fts_row) VALUES ('msg_gone', 1)`},
			"postgres": {`CREATE TABLE search_index (doc_id text PRIMARY KEY, kind text NOT NULL, at bigint NOT NULL,
				title text NOT NULL, body text NOT NULL,
				title_terms text NOT NULL, body_terms text NOT NULL, words text NOT NULL, parts text NOT NULL,
				tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', title_terms), 'A') || setweight(to_tsvector('simple', body_terms), 'B')) STORED,
				wsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED,
				psv tsvector GENERATED ALWAYS AS (to_tsvector('simple', parts)) STORED)`,
				`CREATE INDEX search_index_wsv ON search_index USING gin (wsv)`,
				`CREATE INDEX search_index_tsv ON search_index USING gin (tsv)`,
				`CREATE INDEX search_index_psv ON search_index USING gin (psv)`,
				`INSERT INTO search_index (doc_id, kind, at, title, body, title_terms, body_terms, words, parts)
				VALUES ('msg_gone', 'MESSAGE', 0, '', 'Bürgerservice', '', 'burgerservic', 'burgerservice', '0burge 0burger 1servic 2kindmessage')`},
		}},
	}
	for _, backend := range apitest.Backends {
		for _, old := range layouts {
			t.Run(backend+"/"+old.name, func(t *testing.T) {
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
				stmts := []string{`DROP TABLE search_index`, `UPDATE search_version SET version = ` + old.version}
				if backend == "sqlite" {
					stmts = append(stmts, `DELETE FROM search_rows`)
				}
				for _, stmt := range append(stmts, old.stmts[backend]...) {
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
				for _, q := range []string{"Buergerservice", "Service", "Bürgers"} {
					hits, err := st.Search.Search(ctx, st.Client, q, search.Filter{}, 0, 10)
					if err != nil {
						t.Fatal(err)
					}
					if len(hits) != 1 || hits[0].ID != topic.ID {
						t.Fatalf("%q: the rebuilt index must find the topic alone: %v", q, hits)
					}
				}
			})
		}
	}
}
