package search

import "testing"

// Spellings and inflections a member types reduce to the same term as the umlaut forms.
func TestTerm(t *testing.T) {
	for _, row := range []struct {
		name  string
		words []string
	}{
		{"umlaut, transliteration, plural", []string{"bürgerbüro", "buergerbuero", "bürgerbüros", "buergerbueros", "bürgerbüro"}},
		{"ß and ss", []string{"straße", "strasse", "straßen", "strassen"}},
		{"oe and ö", []string{"behörde", "behoerde", "behörden"}},
		{"ae and ä", []string{"anträge", "antraege"}},
		{"accents", []string{"café", "cafe"}},
		{"ue after q stays", []string{"quelle", "quellen"}},
		{"ue between vowels stays", []string{"neue", "neuen"}},
	} {
		t.Run(row.name, func(t *testing.T) {
			want := term(row.words[0])
			for _, w := range row.words[1:] {
				if got := term(w); got != want {
					t.Errorf("term(%q) = %q, term(%q) = %q", w, got, row.words[0], want)
				}
			}
		})
	}
	for _, pair := range [][2]string{{"bürger", "burgenlandkreis"}, {"quelle", "qelle"}} {
		if term(pair[0]) == term(pair[1]) {
			t.Errorf("%q and %q must stay apart: %q", pair[0], pair[1], term(pair[0]))
		}
	}
	for _, w := range []string{"neue", "feuer", "quelle"} {
		if got := fold(w); got != w {
			t.Errorf("fold(%q) = %q: not a transliterated umlaut", w, got)
		}
	}
}
