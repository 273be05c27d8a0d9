package search

import (
	"context"
	"slices"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"zirkel/ent/schema/gid"
)

// ReferenceMatches tells by brute force in Go, word by word, whether a document matches a
// query (see match): the slow reference that the index's answers are compared with.
func ReferenceMatches(query, title, body string) bool {
	m, ok := parse(query)
	if !ok {
		return false
	}
	toks := tokenize(title + " " + body)
	for _, g := range m.groups {
		if !slices.Contains(match{groups: []group{g}}.marks(toks), true) {
			return false
		}
	}
	return true
}

// NaiveSearch ranks every match in one plain statement, without the ranking subquery of
// Search: the ids in the order Search must give them.
func (ix *Index) NaiveSearch(ctx context.Context, q querier, query string) ([]gid.ID, error) {
	m, ok := parse(query)
	if !ok {
		return nil, nil
	}
	b := &entsql.Builder{}
	b.SetDialect(ix.dialect)
	if ix.dialect == dialect.Postgres {
		b.WriteString("SELECT doc_id FROM search_index WHERE ")
		ix.where(b, m, Filter{})
		b.WriteString(" ORDER BY ")
		m.pgScore(b)
		b.WriteString(" DESC, doc_id")
	} else {
		b.WriteString("SELECT doc_id FROM search_index WHERE ")
		ix.where(b, m, Filter{})
		b.WriteString(" ORDER BY " + sqliteScore + " DESC, rowid")
	}
	stmt, args := b.Query()
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gid.ID
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, gid.ID(id))
	}
	return out, rows.Err()
}

// RankingStatement is the statement that ranks every match of a query (on PostgreSQL the
// one Search falls back to when the strong matches do not fill the page).
func (ix *Index) RankingStatement(query string, offset, limit int) (string, []any) {
	m, _ := parse(query)
	if ix.dialect == dialect.Postgres {
		return ix.pgQuery(m, Filter{}, "", offset, limit).Query()
	}
	return ix.sqliteQuery(m, Filter{}, offset, limit).Query()
}
