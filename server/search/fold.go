package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold writes a lower-case word the way both indexing and querying see it, so that the
// spellings a member may type find the same: accents are dropped and umlauts become their
// vowel ("bürgerbüro" → "burgerburo"), ß becomes ss, and the transliterations ae, oe and ue
// become the vowel too ("buergerbuero" → "burgerburo"), except in "qu" and where the u stands
// between vowels ("neue", "Feuer"), as in Snowball's german2 variant.
func fold(word string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ReplaceAll(word, "ß", "ss")) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	w := []rune(b.String())
	out := make([]rune, 0, len(w))
	for i := 0; i < len(w); i++ {
		out = append(out, w[i])
		if i+1 < len(w) && w[i+1] == 'e' && isTransliteratedUmlaut(w, i) {
			i++ // drop the e of ae, oe, ue
		}
	}
	return string(out)
}

// isTransliteratedUmlaut tells whether w[i], followed by an e, stands for an umlaut.
func isTransliteratedUmlaut(w []rune, i int) bool {
	switch w[i] {
	case 'a', 'o':
		return true
	case 'u':
		return !(i > 0 && (w[i-1] == 'q' || isVowel(w[i-1])))
	}
	return false
}

func isVowel(r rune) bool { return strings.ContainsRune("aeiouy", r) }

// term is what the index keeps of a word: the Snowball stem of its folded spelling, less the
// plural s of words that end in a vowel ("büros" → "buro"), which Snowball leaves on.
func term(word string) string { return termOfFolded(fold(word)) }

// termOfFolded is term of a word that is folded already.
func termOfFolded(folded string) string {
	s := Stem(folded)
	if n := len(s); n >= 5 && s[n-1] == 's' && strings.IndexByte("aioy", s[n-2]) >= 0 {
		return s[:n-1]
	}
	return s
}
