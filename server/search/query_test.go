package search

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParse: whatever a member types, the terms and the prefix of a query are made only of
// letters and digits (no quote or operator reaches FTS5 or to_tsquery), a query with a
// word has a last term, and the snippet of a text that contains the query marks it.
func FuzzParse(f *testing.F) {
	for _, q := range []string{"Bürgerbüro", `"digitale Verwaltung" Bürgerservice.`, `"unclosed quote`, `""`, `"Prozess" AND OR NOT * :* & | !`, "Straße Buergerbueros", "ǅ ﬁ İ ß", "a'b\"c", ""} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		m, ok := parse(query)
		if !ok {
			return
		}
		onlyWordRunes := func(s string) bool {
			return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) < 0
		}
		for _, g := range m.groups {
			for _, s := range append(append(append([]string{}, g.terms...), g.parts()...), g.prefix) {
				if s != "" && !onlyWordRunes(s) || len(g.terms) == 0 {
					t.Fatalf("term %q of %q", s, query)
				}
			}
		}
		for _, f := range []Filter{{}, {Kinds: []string{"MESSAGE"}, Organisation: "org_abc"}} {
			if q := m.fts5(f); strings.Count(q, `"`)%2 != 0 {
				t.Fatalf("unbalanced quotes in %q", q)
			}
		}
		snippet := Snippet(query, "", query)
		if !strings.Contains(snippet, "<mark>") {
			t.Fatalf("the snippet of %q marks nothing", query)
		}
		for _, p := range []string{".</mark>", ",</mark>", ";</mark>", ":</mark>", "!</mark>", "?</mark>"} {
			if strings.Contains(snippet, p) {
				t.Fatalf("a highlight ends in punctuation: %q", snippet)
			}
		}
	})
}
