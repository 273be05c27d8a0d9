package search

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"zirkel/ent/schema/gid"
)

// Hit is a candidate from the index, best first; visibility is checked by the caller.
type Hit struct {
	ID          gid.ID
	Kind        string
	Title, Body string
	Score       float64
}

// Filter narrows a search to kinds of documents, to those of an organisation or on a topic,
// and to those dated in [From, To).
type Filter struct {
	Kinds        []string
	Organisation gid.ID
	Topic        gid.ID
	From, To     *time.Time
}

// querier runs read queries.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// maxTerms bounds a query's words.
const maxTerms = 8

// minPrefix is the shortest typed word that also matches as the start of longer words.
const minPrefix = 3

// group is one thing a query asks for: a word, or a phrase in double quotes.
type group struct {
	terms  []string // the word's term, or the phrase's terms in order
	exact  bool     // in quotes: only the same terms, adjacent, in order
	folded string   // the folded word (not in quotes), matched against compound heads
	prefix string   // the last word typed, folded, as the start of a written word ("" if none)
}

// match is what a query asks for: every group must occur in the document. A word occurs
// with the same term (fold and stem, see term), as a part of a compound (see parts.go), or,
// the last word a member may still be typing, as the start of a document's word as written
// (folded, not stemmed) if it has at least minPrefix letters: "Prozess" finds
// "Prozessmanagement" and "Bürger" finds "Bürgermeisterin", but the stem "burg" of "Bürger"
// does not find "Burgenlandkreis". A phrase in double quotes occurs only as its words'
// terms, adjacent and in order.
type match struct{ groups []group }

func parse(query string) (match, bool) {
	var m match
	n := 0
	pieces := strings.Split(query, `"`)
	for i, piece := range pieces {
		quoted := i%2 == 1 && i < len(pieces)-1 // an unclosed quote quotes nothing
		ws := words(piece)
		if len(ws) > maxTerms-n {
			ws = ws[:maxTerms-n]
		}
		n += len(ws)
		if len(ws) == 0 {
			continue
		}
		if quoted {
			g := group{exact: true}
			for _, w := range ws {
				g.terms = append(g.terms, term(w))
			}
			m.groups = append(m.groups, g)
			continue
		}
		for _, w := range ws {
			f := fold(w)
			m.groups = append(m.groups, group{terms: []string{termOfFolded(f)}, folded: f})
		}
	}
	if len(m.groups) == 0 {
		return m, false
	}
	if last := &m.groups[len(m.groups)-1]; !last.exact && len([]rune(last.folded)) >= minPrefix {
		last.prefix = last.folded
	}
	return m, true
}

// head and tail are the compound parts a word may match, "" when it is too short or quoted.
func (g group) head() string {
	if g.exact || len([]rune(g.folded)) < minPart {
		return ""
	}
	return g.folded
}

func (g group) tail() string {
	if g.exact || len([]rune(g.terms[0])) < minPart {
		return ""
	}
	return g.terms[0]
}

// parts are the marked tokens of the parts column that a word matches.
func (g group) parts() []string {
	var out []string
	if h := g.head(); h != "" {
		out = append(out, headMark+h)
	}
	if t := g.tail(); t != "" {
		out = append(out, tailMark+t)
	}
	return out
}

// fts5 is the match and filter as an FTS5 query.
func (m match) fts5(f Filter) string {
	var and []string
	for _, g := range m.groups {
		if g.exact {
			and = append(and, `terms: "`+strings.Join(g.terms, " ")+`"`)
			continue
		}
		or := []string{`terms: "` + g.terms[0] + `"`}
		for _, p := range g.parts() {
			or = append(or, `parts: "`+p+`"`)
		}
		if g.prefix != "" {
			or = append(or, `words: "`+g.prefix+`"*`)
		}
		and = append(and, "("+strings.Join(or, " OR ")+")")
	}
	for _, fc := range f.facets() {
		and = append(and, `parts: (`+strings.Join(quoteAll(fc), " OR ")+`)`)
	}
	return strings.Join(and, " AND ")
}

func quoteAll(ts []string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = `"` + t + `"`
	}
	return out
}

// facets are the filter's facet tokens: each inner list is a choice, all lists must hold.
func (f Filter) facets() [][]string {
	var out [][]string
	if len(f.Kinds) > 0 {
		ks := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			ks[i] = facetMark + kindToken(k)
		}
		out = append(out, ks)
	}
	for _, id := range []gid.ID{f.Organisation, f.Topic} {
		if id != "" {
			out = append(out, []string{facetMark + facetToken(id)})
		}
	}
	return out
}

// kindToken is how a document's kind is written among its facets.
func kindToken(kind string) string { return "kind" + facetToken(gid.ID(kind)) }

// where writes the match and the filter as a condition on search_index.
func (ix *Index) where(b *entsql.Builder, m match, f Filter) {
	ix.whereStrong(b, m, f, "")
}

// whereStrong is where, on PostgreSQL also requiring a tsquery of marks (none if "").
func (ix *Index) whereStrong(b *entsql.Builder, m match, f Filter, strong string) {
	if ix.dialect != dialect.Postgres {
		b.WriteString("search_index MATCH ").Arg(m.fts5(f))
	} else {
		m.pgWhere(b, f, strong)
	}
	if f.From != nil {
		b.WriteString(" AND at >= ").Arg(f.From.Unix())
	}
	if f.To != nil {
		b.WriteString(" AND at < ").Arg(f.To.Unix())
	}
}

// pgWhere writes the match and the facets on PostgreSQL as one tsquery on pgMatched, which
// its GIN index answers without reading the rows: each group's terms (to_tsquery, as tsv is
// made) or its marks, all groups and facets required. A phrase is required there by its
// words and checked as a phrase on tsv alone (a phrase in the index condition would make
// PostgreSQL read every candidate's whole tsvector). A group whose terms make no lexeme and
// that has no marks finds nothing (an empty tsquery would drop out of the conjunction).
func (m match) pgWhere(b *entsql.Builder, f Filter, strong string) {
	b.WriteString(pgMatched + " @@ (")
	var phrases, bare []string
	for i, g := range m.groups {
		if i > 0 {
			b.WriteString(" && ")
		}
		b.WriteString("(to_tsquery('simple', ").Arg(strings.Join(g.terms, " & ")).WriteString(")")
		marks := g.pgMarks()
		if len(marks) > 0 {
			b.WriteString(" || ").Arg(strings.Join(marks, " | ")).WriteString("::tsquery")
		} else {
			bare = append(bare, strings.Join(g.terms, " & "))
		}
		b.WriteString(")")
		if len(g.terms) > 1 {
			phrases = append(phrases, strings.Join(g.terms, " <-> "))
		}
	}
	for _, fc := range f.facets() {
		ts := make([]string, len(fc))
		for i, t := range fc {
			ts[i] = tsqueryLexeme(partMark + t)
		}
		b.WriteString(" && ").Arg(strings.Join(ts, " | ")).WriteString("::tsquery")
	}
	if strong != "" {
		b.WriteString(" && ").Arg(strong).WriteString("::tsquery")
	}
	b.WriteString(")")
	for _, p := range phrases {
		b.WriteString(" AND tsv @@ to_tsquery('simple', ").Arg(p).WriteString(")")
	}
	for _, t := range bare {
		b.WriteString(" AND numnode(to_tsquery('simple', ").Arg(t).WriteString(")) > 0")
	}
}

// pgMarks are the tsquery items of a group's marks: its compound parts and the prefix of the
// word being typed.
func (g group) pgMarks() []string {
	var out []string
	for _, p := range g.parts() {
		out = append(out, tsqueryLexeme(partMark+p))
	}
	if g.prefix != "" {
		out = append(out, tsqueryLexeme(wordMark+g.prefix)+":*")
	}
	return out
}

// tsqueryLexeme quotes a token as one lexeme of a tsquery.
func tsqueryLexeme(t string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", "''").Replace(t) + "'"
}

// pgScore writes PostgreSQL's score: the rank of the terms (parts and prefixes are not
// ranked: ranking them read two more tsvectors of every match, see the benchmark).
func (m match) pgScore(b *entsql.Builder) {
	ts := make([]string, len(m.groups))
	for i, g := range m.groups {
		ts[i] = strings.Join(g.terms, " <-> ")
	}
	b.WriteString("ts_rank(tsv, to_tsquery('simple', ").Arg(strings.Join(ts, " | ")).WriteString("))")
}

// sqliteScore is SQLite's score: BM25 over terms (weight 1), words as written and compound
// parts (0.5 each), negated so that higher is better.
const sqliteScore = `-bm25(search_index, 0, 0, 0, 0, 0, 1.0, 0.5, 0.5)`

// Search returns the hits for a query from the offset-th on (best first, ties in the
// index's order, at most limit); see match for what a query finds and Filter for filters.
func (ix *Index) Search(ctx context.Context, q querier, query string, f Filter, offset, limit int) ([]Hit, error) {
	m, ok := parse(query)
	if !ok {
		return nil, nil
	}
	if ix.dialect == dialect.Postgres {
		return ix.pgSearch(ctx, q, m, f, offset, limit)
	}
	return hitsOf(ctx, q, ix.sqliteQuery(m, f, offset, limit))
}

// sqliteQuery is the statement of a page of ranked matches on SQLite. The ranking reads
// only the index; the texts are read for the page's rows alone.
func (ix *Index) sqliteQuery(m match, f Filter, offset, limit int) *entsql.Builder {
	b := &entsql.Builder{}
	b.SetDialect(ix.dialect)
	b.WriteString("SELECT s.doc_id, s.kind, s.title, s.body, r.score FROM (SELECT rowid AS row, " + sqliteScore + " AS score FROM search_index WHERE ")
	ix.where(b, m, f)
	b.WriteString(fmt.Sprintf(" ORDER BY score DESC, row LIMIT %d OFFSET %d) r JOIN search_index s ON s.rowid = r.row ORDER BY r.score DESC, r.row", limit, offset))
	return b
}

// pgSearch is Search on PostgreSQL. It ranks the matches in which a term of the query is
// strong first (see strongScore): when those fill the page up to its end with scores of at
// least strongScore, no other match can come before them, and the page is the same as from
// ranking every match, which it reads otherwise.
func (ix *Index) pgSearch(ctx context.Context, q querier, m match, f Filter, offset, limit int) ([]Hit, error) {
	if strong, ok := m.pgStrong(); ok && offset+limit <= maxStrongWindow {
		hits, err := hitsOf(ctx, q, ix.pgQuery(m, f, strong, 0, offset+limit))
		if err != nil {
			return nil, err
		}
		if len(hits) == offset+limit && hits[len(hits)-1].Score >= strongScore {
			return hits[offset:], nil
		}
	}
	return hitsOf(ctx, q, ix.pgQuery(m, f, "", offset, limit))
}

// pgQuery is the statement of a page of ranked matches on PostgreSQL, of those that also
// match strong if it is not "".
func (ix *Index) pgQuery(m match, f Filter, strong string, offset, limit int) *entsql.Builder {
	b := &entsql.Builder{}
	b.SetDialect(ix.dialect)
	b.WriteString("SELECT doc_id, kind, title, body, ")
	m.pgScore(b)
	b.WriteString(" AS score FROM search_index WHERE ")
	ix.whereStrong(b, m, f, strong)
	b.WriteString(fmt.Sprintf(" ORDER BY score DESC, doc_id LIMIT %d OFFSET %d", limit, offset))
	return b
}

// A term is strong in a document when it occurs there more than once or in the title (the
// index marks it, see pgMatched). ts_rank of a query that is not a single phrase is the mean
// over the query's distinct terms of each term's weight in the document, (wmax + Σ w_j/j² −
// wmax/jmax²)/1.6449 over its occurrences j in order (weights A 1.0, B 0.4): at most
// 0.4/1.6449 = 0.2432 for a term that is not strong (one occurrence in the body), at least
// 0.4·1.25/1.6449 = 0.304 for a strong one. So a match in which no term of the query is
// strong scores at most 0.2432, below strongScore.
const strongScore = 0.25

// maxStrongWindow is the farthest end of a page that is looked for among the strong matches.
const maxStrongWindow = 5000

// pgStrong is the tsquery of the strong marks of the query's terms, and whether the bound
// of strongScore holds for the query: not for a single phrase (ts_rank then weighs the
// distances of the words), and only for terms that PostgreSQL's parser takes as one lexeme
// as they are (ASCII letters and digits), as the ranking does (see pgScore).
func (m match) pgStrong() (string, bool) {
	if len(m.groups) == 1 && len(m.groups[0].terms) > 1 {
		return "", false
	}
	var or []string
	seen := map[string]bool{}
	for _, g := range m.groups {
		for _, t := range g.terms {
			if t == "" || strings.IndexFunc(t, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') }) >= 0 {
				return "", false
			}
			if !seen[t] {
				seen[t] = true
				or = append(or, tsqueryLexeme(strongMark+t))
			}
		}
	}
	return strings.Join(or, " | "), true
}

// hitsOf runs a statement that reads doc_id, kind, title, body and score.
func hitsOf(ctx context.Context, q querier, b *entsql.Builder) ([]Hit, error) {
	stmt, args := b.Query()
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

// Matching is a condition for a query of another table: its id column (named by the
// selector) is among the documents of a kind that match a query and filter. Counting
// through it under the viewer's privacy rules counts only what the viewer may read.
func (ix *Index) Matching(query, kind string, f Filter) func(*entsql.Selector, string) {
	m, ok := parse(query)
	f.Kinds = []string{kind}
	return func(s *entsql.Selector, idColumn string) {
		if !ok {
			s.Where(entsql.False())
			return
		}
		s.Where(entsql.P(func(b *entsql.Builder) {
			b.WriteString(s.C(idColumn) + " IN (SELECT doc_id FROM search_index WHERE ")
			ix.where(b, m, f)
			b.WriteString(")")
		}))
	}
}
