package model

import (
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"zirkel/server/apperr"
)

// MarshalString writes the String scalar as gqlgen does.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads the String scalar as gqlgen does, but refuses text no input may hold,
// whether it is stored, compared or looked up: NUL (PostgreSQL cannot even compare it and
// would fail the request) and invalid UTF-8. Which other control characters a stored text
// may hold is a data rule (server/integrity).
func UnmarshalString(v any) (string, error) {
	s, err := graphql.UnmarshalString(v)
	if err != nil {
		return "", apperr.Invalid("", "must be a string")
	}
	if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
		return "", apperr.Invalid("", "must be text without NUL characters (valid UTF-8)")
	}
	return s, nil
}
