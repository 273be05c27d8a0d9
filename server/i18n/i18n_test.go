package i18n

import (
	"regexp"
	"testing"
)

func TestNegotiate(t *testing.T) {
	cases := []struct {
		header string
		want   Lang
	}{
		{"", English},
		{"de", German},
		{"de-AT", German},
		{"de-DE,de;q=0.9,en;q=0.8", German},
		{"en-US,en;q=0.9,de;q=0.8", English},
		{"en;q=0.5, de;q=0.9", German},
		{"fr", English},
		{"fr, de;q=0.3", German},
		{"de;q=0", English},
		{"*", English},
		{"garbage;;q=x", English},
	}
	for _, c := range cases {
		t.Run(c.header, func(t *testing.T) {
			if got := Negotiate(c.header); got != c.want {
				t.Fatalf("Negotiate(%q) = %s, want %s", c.header, got, c.want)
			}
		})
	}
}

func TestTranslate(t *testing.T) {
	cases := []struct{ english, german string }{
		{"internal error", "interner Fehler"},
		{`Cannot query field "x" on type "Query".`, `Das Feld "x" gibt es im Typ "Query" nicht.`},
		{`Variable "$id" is never used in operation "Q".`, `Die Variable "$id" wird nicht verwendet.`},
		{"the query is nested deeper than 12 levels", "Die Abfrage ist tiefer als 12 Ebenen verschachtelt."},
		{"operation has complexity 200001, which exceeds the limit of 100000", "Die Operation hat die Komplexität 200001 und überschreitet damit die Grenze von 100000."},
		{"a message nobody translated", "a message nobody translated"},
	}
	for _, c := range cases {
		if got := Translate(German, c.english); got != c.german {
			t.Errorf("Translate(%q) = %q, want %q", c.english, got, c.german)
		}
		if got := Translate(English, c.english); got != c.english {
			t.Errorf("English must stay as it is: %q", got)
		}
	}
}

func TestWithoutSuggestions(t *testing.T) {
	for in, want := range map[string]string{
		`Unknown argument "firstt" on field "Query.topics". Did you mean "first"?`:           `Unknown argument "firstt" on field "Query.topics".`,
		`Value "X" does not exist in "E!" enum. Did you mean the enum value "Y" or "Z"?`:     `Value "X" does not exist in "E!" enum.`,
		`Cannot query field "a" on type "U". Did you mean to use an inline fragment on "B"?`: `Cannot query field "a" on type "U".`,
	} {
		if got := WithoutSuggestions(in); got != want {
			t.Errorf("WithoutSuggestions(%q) = %q", in, got)
		}
	}
}

// TestCatalogueKeepsTheValues: a German text has the same fmt verbs as its English key, so
// no value is lost or garbled in translation.
func TestCatalogueKeepsTheValues(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	for en, de := range german {
		if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(de, -1); len(a) != len(b) {
			t.Errorf("%q has verbs %v, its German %q has %v", en, a, de, b)
		}
	}
}
