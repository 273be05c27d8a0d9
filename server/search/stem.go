package search

import (
	"strings"
	"unicode"
)

// Stem reduces a lower-case German word to its stem with the Snowball German algorithm
// (snowballstem.org/algorithms/german): "prozesse" and "prozess" both become "prozess".
// PostgreSQL's 'german' text search configuration uses the same algorithm, so both
// databases agree on what matches.
func Stem(word string) string {
	w := []rune(strings.ReplaceAll(word, "ß", "ss"))
	for i := 1; i+1 < len(w); i++ { // u and y between vowels are consonants here
		if isVowel(w[i-1]) && isVowel(w[i+1]) && (w[i] == 'u' || w[i] == 'y') {
			w[i] = unicode.ToUpper(w[i])
		}
	}
	r1, r2 := regions(w)
	w = step1(w, r1)
	w = step2(w, r1)
	w = step3(w, r1, r2)
	return unmark.Replace(string(w))
}

// unmark undoes the vowel marks and folds umlauts, the stemmer's last step.
var unmark = strings.NewReplacer("U", "u", "Y", "y", "ä", "a", "ö", "o", "ü", "u")

func isVowel(r rune) bool { return strings.ContainsRune("aeiouyäöü", r) }

// regions finds R1 (after the first non-vowel following a vowel, at least 3 letters in) and R2
// (the same within R1).
func regions(w []rune) (int, int) {
	next := func(from int) int {
		for i := from + 1; i < len(w); i++ {
			if !isVowel(w[i]) && isVowel(w[i-1]) {
				return i + 1
			}
		}
		return len(w)
	}
	r1 := next(0)
	r2 := next(r1)
	return max(r1, 3), r2
}

func hasSuffix(w []rune, s string) bool { return strings.HasSuffix(string(w), s) }

// inRegion tells whether the suffix of length n starts within the region.
func inRegion(w []rune, n, region int) bool { return len(w)-n >= region }

func step1(w []rune, r1 int) []rune {
	for _, s := range []string{"ern", "em", "er"} {
		if hasSuffix(w, s) {
			if inRegion(w, len(s), r1) {
				return w[:len(w)-len(s)]
			}
			return w
		}
	}
	for _, s := range []string{"en", "es", "e"} {
		if hasSuffix(w, s) {
			if inRegion(w, len(s), r1) {
				w = w[:len(w)-len(s)]
				if hasSuffix(w, "niss") {
					w = w[:len(w)-1]
				}
			}
			return w
		}
	}
	if hasSuffix(w, "s") && inRegion(w, 1, r1) && len(w) > 1 && strings.ContainsRune("bdfghklmnrt", w[len(w)-2]) {
		return w[:len(w)-1]
	}
	return w
}

func step2(w []rune, r1 int) []rune {
	for _, s := range []string{"est", "en", "er"} {
		if hasSuffix(w, s) {
			if inRegion(w, len(s), r1) {
				return w[:len(w)-len(s)]
			}
			return w
		}
	}
	if hasSuffix(w, "st") && inRegion(w, 2, r1) && len(w) > 5 && strings.ContainsRune("bdfghklmnt", w[len(w)-3]) {
		return w[:len(w)-2]
	}
	return w
}

func step3(w []rune, r1, r2 int) []rune {
	cut := func(n int) []rune { return w[:len(w)-n] }
	switch {
	case hasSuffix(w, "end") || hasSuffix(w, "ung"):
		if inRegion(w, 3, r2) {
			w = cut(3)
			if hasSuffix(w, "ig") && inRegion(w, 2, r2) && !hasSuffix(w, "eig") {
				w = w[:len(w)-2]
			}
		}
	case hasSuffix(w, "isch") || hasSuffix(w, "ig") || hasSuffix(w, "ik"):
		n := 2
		if hasSuffix(w, "isch") {
			n = 4
		}
		if inRegion(w, n, r2) && !hasSuffix(cut(n), "e") {
			w = cut(n)
		}
	case hasSuffix(w, "lich") || hasSuffix(w, "heit"):
		if inRegion(w, 4, r2) {
			w = cut(4)
			if (hasSuffix(w, "er") || hasSuffix(w, "en")) && inRegion(w, 2, r1) {
				w = w[:len(w)-2]
			}
		}
	case hasSuffix(w, "keit"):
		if inRegion(w, 4, r2) {
			w = cut(4)
			for _, s := range []string{"lich", "ig"} {
				if hasSuffix(w, s) && inRegion(w, len(s), r2) {
					w = w[:len(w)-len(s)]
					break
				}
			}
		}
	}
	return w
}
