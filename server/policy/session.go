package policy

import (
	"zirkel/ent"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// SessionRows: no viewer reads sessions.
func SessionRows(v *viewer.Viewer) predicate.Session { return nobody[predicate.Session](v) }

// Session: only trusted server code (System) touches sessions (and login throttles).
func Session() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
