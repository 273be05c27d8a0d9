package search

// German compounds ("Bürgerservice", "Terminvergabe") are found by their parts without a
// dictionary: each long word is indexed with its heads (the folded word's beginnings) and
// its tails (the terms of the folded word's endings), each at least minPart letters long and
// leaving at least minRest letters of the word. A query word of at least minPart letters
// matches a head by its folded spelling ("Termin" → "termin", a head of "terminvergabe") and
// a tail by its term ("Services" → "servic", the term of the tail "service" of
// "burgerservice"). A head is never matched by a stem, so "Landschaften" (stem "landschaft")
// does not find "Landschaftsplanung", and words shorter than minPart match no parts ("Amt",
// "Burg", and the stem "burg" of "Bürger", which therefore does not find "Burgenlandkreis" or
// "Hamburg"). Heads, tails and facets share one indexed column, told apart by a leading
// digit (headMark, tailMark, facetMark), so that each database looks them up in one index.
const (
	headMark  = "0"
	tailMark  = "1"
	facetMark = "2"
)

const (
	minPart = 5
	minRest = 3
)

// heads are the beginnings of a folded word that are compound parts, shortest first.
func heads(folded string) []string {
	r := []rune(folded)
	var out []string
	for n := minPart; n <= len(r)-minRest; n++ {
		out = append(out, string(r[:n]))
	}
	return out
}

// tails are the terms of the endings of a folded word that are compound parts.
func tails(folded string) []string {
	r := []rune(folded)
	var out []string
	for from := minRest; from <= len(r)-minPart; from++ {
		if t := termOfFolded(string(r[from:])); len([]rune(t)) >= minPart {
			out = append(out, t)
		}
	}
	return out
}

// partsOf are the distinct heads and tails of the words of a text, marked.
func partsOf(text string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, w := range words(text) {
		f := fold(w)
		for _, h := range heads(f) {
			add(headMark + h)
		}
		for _, t := range tails(f) {
			add(tailMark + t)
		}
	}
	return out
}
