package search

import (
	"html"
	"slices"
	"strings"
	"unicode"
)

// token is a word of a text: where it stands and what the index makes of it.
type token struct {
	from, to int // byte offsets in the text
	folded   string
	term     string
}

// tokenize finds the words of a text as words does.
func tokenize(text string) []token {
	var out []token
	start := -1
	flush := func(end int) {
		if start >= 0 {
			f := fold(strings.ToLower(text[start:end]))
			out = append(out, token{from: start, to: end, folded: f, term: termOfFolded(f)})
			start = -1
		}
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

// Snippet is up to about 20 words of the document around the first match, HTML-escaped,
// with the matching words in <mark>: each word alone, never the punctuation around it. It is
// taken from the body, or from the title where only the title matches or the body is empty.
func Snippet(query, title, body string) string {
	m, _ := parse(query)
	text := strings.TrimSpace(body)
	toks := tokenize(text)
	marked := m.marks(toks)
	first := slices.Index(marked, true)
	if first < 0 {
		if tt := tokenize(title); text == "" || slices.Contains(m.marks(tt), true) {
			text, toks = title, tt
			marked = m.marks(toks)
			first = slices.Index(marked, true)
		}
	}
	from := max(0, first-8)
	to := min(len(toks), from+20)
	if from >= to {
		return html.EscapeString(text)
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	}
	b.WriteString(between(text, 0, toks[from].from, from > 0))
	for i := from; i < to; i++ {
		if i > from {
			b.WriteString(between(text, toks[i-1].to, toks[i].from, false))
		}
		w := html.EscapeString(text[toks[i].from:toks[i].to])
		if marked[i] {
			w = "<mark>" + w + "</mark>"
		}
		b.WriteString(w)
	}
	end := len(text)
	if to < len(toks) {
		end = toks[to].from
	}
	b.WriteString(strings.TrimRightFunc(between(text, toks[to-1].to, end, false), unicode.IsSpace))
	if to < len(toks) {
		b.WriteString(" …")
	}
	return b.String()
}

// between is the text between two words, escaped, each run of white space one blank; ""
// when cut says the words before were left out.
func between(text string, from, to int, cut bool) string {
	if cut {
		return ""
	}
	var b strings.Builder
	space := false
	for _, r := range text[from:to] {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 || space && from > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	if space && from > 0 {
		b.WriteByte(' ')
	}
	return html.EscapeString(b.String())
}

// marks tells for each word of a text whether it matches the query (see match).
func (m match) marks(toks []token) []bool {
	out := make([]bool, len(toks))
	for _, g := range m.groups {
		if g.exact {
			for i := 0; i+len(g.terms) <= len(toks); i++ {
				ok := true
				for j, t := range g.terms {
					if toks[i+j].term != t {
						ok = false
						break
					}
				}
				if ok {
					for j := range g.terms {
						out[i+j] = true
					}
				}
			}
			continue
		}
		for i, t := range toks {
			if g.matchesWord(t) {
				out[i] = true
			}
		}
	}
	return out
}

// matchesWord tells whether a word matches a query word: the same term, a compound part, or
// the typed prefix.
func (g group) matchesWord(t token) bool {
	switch {
	case t.term == g.terms[0]:
		return true
	case g.prefix != "" && strings.HasPrefix(t.folded, g.prefix):
		return true
	case g.head() != "" && slices.Contains(heads(t.folded), g.head()):
		return true
	case g.tail() != "" && slices.Contains(tails(t.folded), g.tail()):
		return true
	}
	return false
}
