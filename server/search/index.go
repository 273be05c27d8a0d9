// Package search is Zirkel's German full-text search over practices, discussions, messages,
// members, organisations, events, software products and usages, topics, indicators and
// circles. Both databases index the same tokens, made in Go: the terms of the words (fold,
// then Snowball German stem, see term) in order, for words and phrases; the folded words, for
// the prefix of the word being typed; and the compound parts and facets (see parts.go):
// SQLite in three columns of an FTS5 table, PostgreSQL in one tsvector of the 'simple'
// configuration with one GIN index (the kinds of tokens told apart by a prefix, see
// pgMatched), so both find the same. Hooks keep the index current on every write, inside the
// writing transaction; a rebuild writes in chunks (Reindex).
package search

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode"

	"entgo.io/ent/dialect"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
)

// Index is the search index of one database.
type Index struct {
	dialect string
}

// doc is what the index keeps of an object: its text, and what searches filter on (the
// time it is dated at, and facets: the ids of its organisation and topics).
type doc struct {
	id          gid.ID
	kind        string
	title, body string
	at          time.Time
	facets      []gid.ID
	gone        bool // not in the index (a deleted message)
}

// Open creates the index tables if needed; Consume, registered with the event pipeline, keeps
// them current.
func Open(ctx context.Context, db *sql.DB, client *ent.Client, dialectName string) (*Index, error) {
	ix := &Index{dialect: dialectName}
	if err := ix.dropIfOutdated(ctx, db); err != nil {
		return nil, fmt.Errorf("upgrading the search index: %w", err)
	}
	for _, stmt := range ix.schema() {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("creating the search index: %w", err)
		}
	}
	if err := ix.fillIfEmpty(ctx, client); err != nil {
		return nil, err
	}
	return ix, nil
}

// version is the version of the index's tables and terms; an index of another version is
// dropped and filled anew when the server starts.
const version = 7

// dropIfOutdated drops index tables written by another version of the terms.
func (ix *Index) dropIfOutdated(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS search_version (version integer NOT NULL)`); err != nil {
		return err
	}
	var have int
	err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM search_version`).Scan(&have)
	if err != nil || have == version {
		return err
	}
	stmts := []string{`DROP TABLE IF EXISTS search_index`, `DROP TABLE IF EXISTS search_rows`}
	if ix.dialect == dialect.Postgres {
		stmts = append(stmts, `DROP FUNCTION IF EXISTS search_matched(tsvector, text)`)
	}
	for _, stmt := range append(stmts, `DELETE FROM search_version`, fmt.Sprintf(`INSERT INTO search_version (version) VALUES (%d)`, version)) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

func (ix *Index) schema() []string {
	if ix.dialect == dialect.Postgres {
		// tsv holds the terms with their positions (weighted A in the title, B in the body)
		// for ranking and phrases; fsv what queries match, with one GIN index: the terms,
		// the marked tokens of marks (see pgMarks) and the strong terms (see pgMatched).
		// Marks contain a colon, which no term has, so the kinds of tokens never meet.
		//
		// A query reads the rows of its matches to rank them, so a row that is toasted at all
		// (over 2 kB) keeps only the id, kind and date (STORAGE PLAIN: a toasted id was read
		// anew for every comparison of the sort, 74,000 buffer reads for 15,000 matches), tsv
		// and fsv (STORAGE MAIN: compressed, in the row, so that a scan of the table, which
		// the planner chooses when a query matches much of it, reads no toast) in the row;
		// the texts go out of it (toast_tuple_target).
		return []string{
			`DO $do$ BEGIN
			IF to_regprocedure('search_matched(tsvector, text)') IS NULL THEN
				CREATE FUNCTION search_matched(terms tsvector, marks text) RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
					AS $f$ SELECT terms || array_to_tsvector(string_to_array(marks, ' ') || ARRAY(
						SELECT '` + strongMark + `' || u.lexeme FROM unnest(terms) u
						WHERE (cardinality(u.positions) > 1 OR 'A' = ANY(u.weights)) AND octet_length(u.lexeme) <= ` + maxStrongLexeme + `)) $f$;
			END IF;
			IF to_regclass('search_index') IS NULL THEN
				CREATE TABLE search_index (doc_id text PRIMARY KEY, kind text NOT NULL, at bigint NOT NULL,
					title text NOT NULL, body text NOT NULL,
					title_terms text NOT NULL, body_terms text NOT NULL, marks text NOT NULL,
					tsv tsvector GENERATED ALWAYS AS (` + pgTerms + `) STORED,
					fsv tsvector GENERATED ALWAYS AS (search_matched(` + pgTerms + `, marks)) STORED)
					WITH (toast_tuple_target = 128);
				ALTER TABLE search_index ALTER COLUMN tsv SET STORAGE MAIN, ALTER COLUMN fsv SET STORAGE MAIN,
					ALTER COLUMN doc_id SET STORAGE PLAIN, ALTER COLUMN kind SET STORAGE PLAIN;
				CREATE INDEX search_index_fsv ON search_index USING gin (fsv);
			END IF;
			END $do$`,
		}
	}
	// search_rows maps ids to FTS5 rowids, so that replacing a document is two lookups by key
	// instead of a scan of the whole index. Only the made columns are indexed: the title and
	// the body are kept for snippets.
	return []string{
		`CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(doc_id UNINDEXED, kind UNINDEXED, at UNINDEXED, title UNINDEXED, body UNINDEXED,
			terms, words, parts, tokenize = 'unicode61 remove_diacritics 0', detail = full)`,
		`CREATE TABLE IF NOT EXISTS search_rows (doc_id TEXT PRIMARY KEY, fts_row INTEGER NOT NULL)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS search_rows_fts_row ON search_rows (fts_row)`,
		// A removed document leaves no terms behind in the index's segments (FTS5 would keep
		// them until segments merge): erased accounts' texts must not stay in the file.
		`INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1)`,
	}
}

// execer runs statements in the mutation's transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// put replaces the index entry of a document. Each step is one statement that is safe when
// writers outside a transaction replace the same document at the same time: an upsert on
// PostgreSQL; on SQLite, a document keeps its FTS5 row for good (search_rows), and the row is
// replaced in place.
func (ix *Index) put(ctx context.Context, x execer, d doc) error {
	text := d.title + " " + d.body
	// parts: the compound parts, then the facets (the kind and the ids filtered on); facet
	// tokens ("kindmessage", "top8x…") are no German words.
	parts := append(partsOf(text), facetMark+kindToken(d.kind))
	parts = append(parts, facetTokens(d.facets)...)
	at := d.at.Unix()
	if ix.dialect == dialect.Postgres {
		_, err := x.ExecContext(ctx, `INSERT INTO search_index (doc_id, kind, at, title, body, title_terms, body_terms, marks)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (doc_id) DO UPDATE SET kind = excluded.kind, at = excluded.at, title = excluded.title, body = excluded.body,
				title_terms = excluded.title_terms, body_terms = excluded.body_terms, marks = excluded.marks`,
			string(d.id), d.kind, at, d.title, d.body, strings.Join(terms(d.title), " "), strings.Join(terms(d.body), " "), pgMarks(text, parts))
		return err
	}
	if _, err := x.ExecContext(ctx, `INSERT INTO search_rows (doc_id, fts_row)
		VALUES (?, (SELECT coalesce(max(fts_row), 0) + 1 FROM search_rows))
		ON CONFLICT (doc_id) DO NOTHING`, string(d.id)); err != nil {
		return err
	}
	_, err := x.ExecContext(ctx, `INSERT OR REPLACE INTO search_index (rowid, doc_id, kind, at, title, body, terms, words, parts)
		VALUES ((SELECT fts_row FROM search_rows WHERE doc_id = ?), ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(d.id), string(d.id), d.kind, at, d.title, d.body, strings.Join(terms(text), " "), folded(text), strings.Join(parts, " "))
	return err
}

// facetToken is how an id is written among a document's facets: one token of letters and
// digits (gid's prefix and random part, without the underscore).
func facetToken(id gid.ID) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToLower(r)
		}
		return -1
	}, string(id))
}

func facetTokens(ids []gid.ID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if t := facetToken(id); t != "" {
			out = append(out, facetMark+t)
		}
	}
	return out
}

// PostgreSQL's marks: the folded words (wordMark, for the prefix of the word being typed)
// and the compound parts and facets (partMark), each distinct, written as tokens that are
// taken as they are (array_to_tsvector, no parser).
const (
	wordMark = "w:"
	partMark = "p:"
)

// pgTerms is PostgreSQL's tsvector of a document's terms, weighted A in the title and B in
// the body.
const pgTerms = `setweight(to_tsvector('simple', title_terms), 'A') || setweight(to_tsvector('simple', body_terms), 'B')`

// pgMatched is the tsvector that PostgreSQL's queries match and its GIN index holds: the
// terms, the marks (array_to_tsvector, no parser), and a strong mark (strongMark) for each
// term that occurs more than once or in the title (see Index.pgSearch). It is stored: a
// plan that scans the table matches it as it is, without making it for every row.
const pgMatched = `fsv`

// strongMark marks a term that is strong in a document; maxStrongLexeme is the longest term
// that gets one (a lexeme of a tsvector has at most maxLexeme bytes, the mark included; a
// query, at most 200 characters, has no longer term).
const (
	strongMark      = "s:"
	maxStrongLexeme = "2045"
)

// pgMarks are a document's marks, separated by spaces; like to_tsvector, it leaves out
// tokens longer than a tsvector holds.
func pgMarks(text string, parts []string) string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] && len(t) <= maxLexeme {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, w := range words(text) {
		add(wordMark + fold(w))
	}
	for _, p := range parts {
		add(partMark + p)
	}
	return strings.Join(out, " ")
}

// maxLexeme is the longest lexeme of a tsvector, in bytes.
const maxLexeme = 2047

// remove deletes a document from the index. On SQLite the document keeps its row number in
// search_rows, so that a concurrent put cannot leave a second row behind.
func (ix *Index) remove(ctx context.Context, x execer, id gid.ID) error {
	if ix.dialect == dialect.Postgres {
		_, err := x.ExecContext(ctx, `DELETE FROM search_index WHERE doc_id = $1`, string(id))
		return err
	}
	_, err := x.ExecContext(ctx, `DELETE FROM search_index WHERE rowid = (SELECT fts_row FROM search_rows WHERE doc_id = ?)`, string(id))
	return err
}

// words splits text into lower-case words.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// folded is the words of a text, folded and not stemmed, for matching the start of words.
func folded(text string) string {
	ws := words(text)
	for i, w := range ws {
		ws[i] = fold(w)
	}
	return strings.Join(ws, " ")
}

// terms are the index terms of the words of a text (see term).
func terms(text string) []string {
	ws := words(text)
	for i, w := range ws {
		ws[i] = term(w)
	}
	return ws
}

// PutForBenchmark writes a document directly, for generating benchmark corpora, dated now.
func (ix *Index) PutForBenchmark(ctx context.Context, x execer, id gid.ID, kind, title, body string) error {
	return ix.put(ctx, x, doc{id: id, kind: kind, title: title, body: body, at: time.Now()})
}
