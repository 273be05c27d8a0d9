package search

// German compounds ("Bürgerservice", "Terminvergabe") are found by their parts without a
// dictionary: each long word is indexed with its heads (the folded word's beginnings) and
// its tails (the terms of the folded word's endings), each at least minPart letters long
// and leaving at least minRest letters of the word. A query word of at least minPart letters
// matches a head by its folded spelling ("Termin" → "termin", a head of "terminvergabe") and a
// tail by its term ("Services" → "servic", the term of the tail "service" of
// "burgerservice"). A head is never matched by a stem, so "Bürger" ("burger", stem "burg")
// does not match "Burgenlandkreis", and short words ("Amt", "Burg", "Haus") match no parts.
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

// partsOf are the distinct heads and tails of the words of a text.
func partsOf(text string) (hs, ts []string) {
	seenH, seenT := map[string]bool{}, map[string]bool{}
	for _, w := range words(text) {
		f := fold(w)
		for _, h := range heads(f) {
			if !seenH[h] {
				seenH[h] = true
				hs = append(hs, h)
			}
		}
		for _, t := range tails(f) {
			if !seenT[t] {
				seenT[t] = true
				ts = append(ts, t)
			}
		}
	}
	return hs, ts
}
