package search

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"slices"
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

// minPrefix is the shortest typed word that also matches as the start of longer words.
const minPrefix = 3

// match is what a query asks for: every word of it must occur in the document with the same
// term (fold and stem, see term), and the last word, the one a member may still be typing,
// may also be the start of a document's word as written (folded, not stemmed) if it has at
// least minPrefix letters: "Prozess" finds "Prozessmanagement" and "Bürger" finds
// "Bürgermeisterin", but the stem "burg" of "Bürger" does not find "Burgenlandkreis".
type match struct {
	terms  []string // the terms of all words but the last
	last   string   // the term of the last word
	prefix string   // the folded last word as a prefix, or "" when too short
}

func parse(query string) (match, bool) {
	ws := words(query)
	if len(ws) == 0 {
		return match{}, false
	}
	ws = ws[:min(len(ws), maxTerms)]
	m := match{terms: make([]string, len(ws)-1), last: term(ws[len(ws)-1])}
	for i, w := range ws[:len(ws)-1] {
		m.terms[i] = term(w)
	}
	if p := fold(ws[len(ws)-1]); len([]rune(p)) >= minPrefix {
		m.prefix = p
	}
	return m, true
}

// fts5 is the match as an FTS5 query: terms in the terms column, the prefix in the words one.
func (m match) fts5() string {
	quote := func(ts []string) []string {
		out := make([]string, len(ts))
		for i, t := range ts {
			out[i] = `"` + t + `"`
		}
		return out
	}
	last := `terms: "` + m.last + `"`
	if m.prefix != "" {
		last = `(` + last + ` OR words: "` + m.prefix + `"*)`
	}
	if len(m.terms) == 0 {
		return last
	}
	return `terms: (` + strings.Join(quote(m.terms), " AND ") + `) AND ` + last
}

// postgres is the match as a WHERE condition and a score over PostgreSQL's tsvectors, with
// its arguments from $n on.
func (m match) postgres(n int) (where, score string, args []any) {
	all := strings.Join(append(slices.Clone(m.terms), m.last), " & ")
	if m.prefix == "" {
		return fmt.Sprintf(`tsv @@ to_tsquery('simple', $%d)`, n), fmt.Sprintf(`ts_rank(tsv, to_tsquery('simple', $%d))`, n), []any{all}
	}
	where = fmt.Sprintf(`(tsv @@ to_tsquery('simple', $%d) OR wsv @@ to_tsquery('simple', $%d)`, n, n+1)
	args = []any{all, m.prefix + ":*"}
	if len(m.terms) > 0 {
		where += fmt.Sprintf(` AND tsv @@ to_tsquery('simple', $%d)`, n+2)
		args = append(args, strings.Join(m.terms, " & "))
	}
	where += ")"
	score = fmt.Sprintf(`ts_rank(tsv, to_tsquery('simple', $%d)) + ts_rank(wsv, to_tsquery('simple', $%d))`, n, n+1)
	return where, score, args
}

// Search returns the hits for a query from the offset-th on (best first, at most limit); see
// match for what a query finds.
func (ix *Index) Search(ctx context.Context, q querier, query string, kinds []string, offset, limit int) ([]Hit, error) {
	m, ok := parse(query)
	if !ok {
		return nil, nil
	}
	var (
		stmt string
		args []any
	)
	if ix.dialect == dialect.Postgres {
		where, score, margs := m.postgres(1)
		stmt = `SELECT doc_id, kind, title, body, ` + score + ` FROM search_index
			WHERE ` + where + kindFilter(kinds, &args, len(margs)+1) + fmt.Sprintf(` ORDER BY 5 DESC, doc_id LIMIT %d OFFSET %d`, limit, offset)
		args = append(margs, args...)
	} else {
		stmt = `SELECT doc_id, kind, title, body, -bm25(search_index) FROM search_index
			WHERE search_index MATCH ?` + kindFilter(kinds, &args, 0) + fmt.Sprintf(` ORDER BY 5 DESC, doc_id LIMIT %d OFFSET %d`, limit, offset)
		args = append([]any{m.fts5()}, args...)
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
	m, _ := parse(query)
	fields := strings.Fields(text)
	first := -1
	marked := make([]string, len(fields))
	for i, f := range fields {
		marked[i] = html.EscapeString(f)
		if m.matches(f) {
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

// matches tells whether a word of the text matches the query's: the same term as one of
// them, or the last one's prefix.
func (m match) matches(field string) bool {
	for _, w := range words(field) {
		t := term(w)
		if t == m.last || slices.Contains(m.terms, t) || m.prefix != "" && strings.HasPrefix(fold(w), m.prefix) {
			return true
		}
	}
	return false
}
