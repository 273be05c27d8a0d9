package apitest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// Rows reads every row as its column values, in order, and closes rows.
func Rows(t testing.TB, rows *sql.Rows) [][]any {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Plan is the database's plan of a query, a line per step: EXPLAIN QUERY PLAN on SQLite; on
// PostgreSQL EXPLAIN with sequential scans discouraged, so that the plan shows whether a
// fitting index exists (on a small test table the planner would rightly prefer a scan).
func Plan(t testing.TB, db *sql.DB, backend, query string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prefix := "EXPLAIN QUERY PLAN "
	if backend == "postgres" {
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "RESET enable_seqscan") //nolint:errcheck
		prefix = "EXPLAIN "
	}
	rows, err := conn.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		t.Fatalf("explaining %s: %v", query, err)
	}
	var lines []string
	for _, vals := range Rows(t, rows) {
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	return lines
}
