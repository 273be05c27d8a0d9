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
	for _, q := range []string{"Bürgerbüro", `"Prozess" AND OR NOT * :* & | !`, "Straße Buergerbueros", "ǅ ﬁ İ ß", "a'b\"c", ""} {
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
		for _, s := range append(append([]string{}, m.terms...), m.last) {
			if !onlyWordRunes(s) {
				t.Fatalf("term %q of %q", s, query)
			}
		}
		if m.prefix != "" && !onlyWordRunes(m.prefix) {
			t.Fatalf("prefix %q of %q", m.prefix, query)
		}
		if !strings.Contains(Snippet(query, "", query), "<mark>") {
			t.Fatalf("the snippet of %q marks nothing", query)
		}
	})
}
