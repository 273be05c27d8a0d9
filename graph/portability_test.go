package graph_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"entgo.io/ent/schema/field"

	"zirkel/ent/migrate"
	"zirkel/server/apitest"
)

// TestIdsSurviveAnExport: data exported from SQLite into PostgreSQL keeps its ids and so every
// link; the same queries by id give the same answers on both.
func TestIdsSurviveAnExport(t *testing.T) {
	from := apitest.Start(t, "sqlite", nil)
	to := apitest.Start(t, "postgres", nil)
	s := newSeed(t, from)
	d := newDiscussion(t, s)
	m := post(t, s.Anna, d, "Erster Beitrag", nil)
	post(t, s.Jonas, d, "Antwort", m.ID)

	copyRows(t, from.App.Store.DB, to.App.Store.DB)

	q := `query($ids: [ID!]!) { nodes(ids: $ids) {
		id
		... on Organisation { name state members(first: 10, orderBy: {field: DISPLAY_NAME}) { edges { node { id email expertise(first: 5) { edges { node { id slug } } } } } } }
		... on Discussion { title author { id } topics(first: 5) { edges { node { id } } }
			messages(first: 10, orderBy: {field: POSITION}) { edges { node { id position body author { id } parent { id } } } } }
	} }`
	vars := map[string]any{"ids": []string{s.OrgID, d}}
	// The sessions moved too: Anna's token works on the new database.
	a, b := s.Anna.Post(t, q, vars), to.WithToken(s.Anna.Token).Post(t, q, vars)
	if len(a.Errors) > 0 || len(b.Errors) > 0 {
		t.Fatalf("errors: %+v / %+v", a.Errors, b.Errors)
	}
	if !bytes.Equal(a.Data, b.Data) {
		t.Fatalf("answers differ after the export:\nsqlite:   %s\npostgres: %s", a.Data, b.Data)
	}
	if !strings.Contains(string(b.Data), m.ID) {
		t.Fatalf("the message id is missing: %s", b.Data)
	}

	// The search index is derived data: rebuilt after an import (a restart does it too).
	if err := to.App.Store.Search.Reindex(context.Background(), to.App.Store.Client); err != nil {
		t.Fatal(err)
	}
	hits := hitIDs(searchFor(t, to.WithToken(s.Anna.Token), "Beitrag"))
	if _, ok := hits[m.ID]; !ok {
		t.Fatalf("the imported message is not found: %v", hits)
	}
}

// copyRows copies every table as it is, the way an export/import tool would.
func copyRows(t *testing.T, src, dst *sql.DB) {
	t.Helper()
	ctx := context.Background()
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	// Load the rows in any order (foreign-key triggers are off while loading); the comparison
	// of the answers below shows that every link survived.
	if _, err := tx.ExecContext(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	for _, table := range migrate.Tables {
		names := make([]string, len(table.Columns))
		marks := make([]string, len(table.Columns))
		for i, c := range table.Columns {
			names[i], marks[i] = `"`+c.Name+`"`, fmt.Sprintf("$%d", i+1)
		}
		rows, err := src.QueryContext(ctx, "SELECT "+strings.Join(names, ",")+" FROM "+table.Name)
		if err != nil {
			t.Fatal(err)
		}
		insert := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table.Name, strings.Join(names, ","), strings.Join(marks, ","))
		for rows.Next() {
			values := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range table.Columns {
				values[i] = portable(c.Type, values[i])
			}
			if _, err := tx.ExecContext(ctx, insert, values...); err != nil {
				t.Fatalf("inserting into %s: %v", table.Name, err)
			}
		}
		rows.Close()
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// portable turns SQLite's storage of a value into what PostgreSQL takes.
func portable(typ field.Type, v any) any {
	switch x := v.(type) {
	case int64:
		if typ == field.TypeBool {
			return x != 0
		}
	case []byte:
		return string(x)
	}
	return v
}
