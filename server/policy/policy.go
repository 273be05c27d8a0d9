// Package policy holds Zirkel's authorization rules as ent privacy policies, so that they hold
// for every query and mutation, whatever resolver runs it. Everything is denied unless a rule
// allows it. Reads are filtered rather than refused: what a viewer may not see is simply not
// there (lists leave it out, `node` returns null), so hidden objects look like missing ones.
//
// Who may read what is said once per type: its rows rule (XRows, the rows a viewer may read,
// as an SQL predicate) and its field rules (on which rows a viewer may read a field, in SQL
// and in memory), listed in readRules. The same rules make the type's privacy query rule,
// guard every filter (GuardWhere: has…With edges, hasX and conditions on restricted fields
// match only what the viewer may read) and blank what is read (ReadFields, MayRead).
//
// Code that must act beyond the viewer's rights (login, provisioning, the demo loader) uses
// System, never a bypass inside a resolver.
package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// System returns a context in which every policy allows everything. Only trusted server code
// (authentication, provisioning, demo data, migrations) may use it.
func System(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// viewerOf is the viewer of ctx, or nil.
func viewerOf(ctx context.Context) *viewer.Viewer { return viewer.FromContext(ctx) }

// allowAdmins allows every mutation to platform admins.
var allowAdmins = privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
	if viewerOf(ctx).IsAdmin() {
		return privacy.Allow
	}
	return privacy.Skip
})

// denyAnonymous refuses mutations without a logged-in viewer.
var denyAnonymous = privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
	if viewerOf(ctx) == nil {
		return privacy.Denyf("login required")
	}
	return privacy.Skip
})
