package search

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"strings"

	"entgo.io/ent/dialect"

	"zirkel/ent/schema/gid"
)

// Hit is a candidate from the index, best first; visibility is checked by the caller.
type Hit struct {
	ID          gid.ID
	Kind        string
	Title, Body string
	Score       float64
}

// querier runs read queries.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// maxTerms bounds a query's words.
const maxTerms = 8

// Search returns the hits for a query from the offset-th on (best first, at most limit), every
// word of which must match a word of the document by stem prefix ("Prozesse" finds "Prozess"
// and "Prozessmanagement").
func (ix *Index) Search(ctx context.Context, q querier, query string, kinds []string, offset, limit int) ([]Hit, error) {
	terms := words(query)
	if len(terms) == 0 {
		return nil, nil
	}
	terms = terms[:min(len(terms), maxTerms)]
	var (
		stmt string
		args []any
	)
	if ix.dialect == dialect.Postgres {
		parts := make([]string, len(terms))
		for i, t := range terms {
			parts[i] = term(t) + ":*"
		}
		stmt = `SELECT doc_id, kind, title, body, ts_rank(tsv, q) FROM search_index, to_tsquery('simple', $1) q
			WHERE tsv @@ q` + kindFilter(kinds, &args, 2) + fmt.Sprintf(` ORDER BY 5 DESC, doc_id LIMIT %d OFFSET %d`, limit, offset)
		args = append([]any{strings.Join(parts, " & ")}, args...)
	} else {
		parts := make([]string, len(terms))
		for i, t := range terms {
			parts[i] = `"` + term(t) + `"*`
		}
		stmt = `SELECT doc_id, kind, title, body, -bm25(search_index) FROM search_index
			WHERE search_index MATCH ?` + kindFilter(kinds, &args, 0) + fmt.Sprintf(` ORDER BY 5 DESC, doc_id LIMIT %d OFFSET %d`, limit, offset)
		args = append([]any{"terms: (" + strings.Join(parts, " AND ") + ")"}, args...)
	}
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		var id string
		if err := rows.Scan(&id, &h.Kind, &h.Title, &h.Body, &h.Score); err != nil {
			return nil, err
		}
		h.ID = gid.ID(id)
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// kindFilter restricts to kinds; n is the next positional parameter on PostgreSQL (0: "?").
func kindFilter(kinds []string, args *[]any, n int) string {
	if len(kinds) == 0 {
		return ""
	}
	marks := make([]string, len(kinds))
	for i, k := range kinds {
		*args = append(*args, k)
		marks[i] = "?"
		if n > 0 {
			marks[i] = fmt.Sprintf("$%d", n+i)
		}
	}
	return " AND kind IN (" + strings.Join(marks, ", ") + ")"
}

// Snippet is up to about 20 words of the document around the first match, HTML-escaped, with
// the matching words in <mark>.
func Snippet(query, title, body string) string {
	text := strings.TrimSpace(body)
	if text == "" {
		text = title
	}
	want := terms(query)
	fields := strings.Fields(text)
	first := -1
	marked := make([]string, len(fields))
	for i, f := range fields {
		marked[i] = html.EscapeString(f)
		if matchesAny(f, want) {
			marked[i] = "<mark>" + marked[i] + "</mark>"
			if first < 0 {
				first = i
			}
		}
	}
	from := max(0, first-8)
	to := min(len(fields), from+20)
	out := strings.Join(marked[from:to], " ")
	if from > 0 {
		out = "… " + out
	}
	if to < len(fields) {
		out += " …"
	}
	return out
}

func matchesAny(field string, want []string) bool {
	for _, w := range words(field) {
		s := term(w)
		for _, q := range want {
			if strings.HasPrefix(s, q) {
				return true
			}
		}
	}
	return false
}
