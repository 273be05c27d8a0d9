package model

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"zirkel/server/apperr"
)

// MarshalTime writes the Time scalar as gqlgen does (RFC 3339 with nanoseconds).
func MarshalTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalTime reads the Time scalar as gqlgen does (RFC 3339), but answers a value it cannot
// read, or an empty string, with BAD_USER_INPUT naming the input field instead of an internal
// error. The range of times that may be stored is a data rule (server/integrity).
func UnmarshalTime(v any) (time.Time, error) {
	if s, ok := v.(string); ok && s != "" {
		if t, err := graphql.UnmarshalTime(s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apperr.Invalid("", "must be a time in RFC 3339 format, such as 2026-05-04T10:00:00Z")
}
