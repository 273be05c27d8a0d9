// Package i18n holds the messages Zirkel shows to API clients, in English and German, in one
// catalogue. Codes (`extensions.code`) never change with the language: clients that want
// their own wording translate by code; the message is for the person reading it.
//
// A client asks for German with `Accept-Language: de` (q-values are respected); everything
// else gets English. Messages are keyed by their English text (the rule they state), so a
// message without a German entry is shown in English rather than not at all.
package i18n

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language of the messages.
type Lang int

// The languages of the messages; English is the default.
const (
	English Lang = iota
	German
)

// String is the language's BCP 47 tag.
func (l Lang) String() string {
	if l == German {
		return "de"
	}
	return "en"
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.German})

// Negotiate picks the language an Accept-Language header prefers, English when it names
// neither English nor German (or cannot be parsed).
func Negotiate(acceptLanguage string) Lang {
	if acceptLanguage == "" {
		return English
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English
	}
	_, index, confidence := matcher.Match(tags...)
	if confidence == language.No || index != 1 {
		return English
	}
	return German
}

// FromRequest is the language the request asks for.
func FromRequest(r *http.Request) Lang { return Negotiate(r.Header.Get("Accept-Language")) }

type langKey struct{}

// WithLang returns ctx carrying the language of the client's messages.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, langKey{}, l)
}

// FromContext is the language put in by WithLang, English if none.
func FromContext(ctx context.Context) Lang {
	l, _ := ctx.Value(langKey{}).(Lang)
	return l
}

// T is the message in the language: the German text of an English one from the catalogue,
// with args filled in as fmt does. Messages without a German entry stay English.
func T(l Lang, english string, args ...any) string {
	text := english
	if l == German {
		if de, ok := german[english]; ok {
			text = de
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(text, args...)
	}
	return text
}

// Translate is a finished English message (with its values filled in) in the language: an
// exact catalogue entry, or else the first pattern that matches it. Messages that match
// nothing stay as they are.
func Translate(l Lang, message string) string {
	if l == English {
		return message
	}
	if de, ok := german[message]; ok && !strings.Contains(de, "%") {
		return de
	}
	for _, p := range germanPatterns {
		if m := p.re.FindStringSubmatch(message); m != nil {
			args := make([]any, len(m)-1)
			for i, s := range m[1:] {
				args[i] = s
			}
			return fmt.Sprintf(p.german, args...)
		}
	}
	return message
}

// pattern translates English messages with values in them.
type pattern struct {
	re     *regexp.Regexp
	german string
}

var suggestion = regexp.MustCompile(`(?s)\s*Did you mean\b.*$`)

// WithoutSuggestions removes the "Did you mean …" that the GraphQL validator adds: it
// would let clients map the schema with introspection off.
func WithoutSuggestions(message string) string {
	return suggestion.ReplaceAllString(message, "")
}
