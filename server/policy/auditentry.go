package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// AuditEntryRows: platform admins read the audit log, nobody else.
func AuditEntryRows(v *viewer.Viewer) predicate.AuditEntry {
	if v.IsAdmin() {
		return nil
	}
	return none[predicate.AuditEntry]()
}

// AuditEntry: only platform admins query the audit log; everyone else is refused outright
// (FORBIDDEN, or UNAUTHENTICATED when not logged in) rather than shown an empty log. Nobody
// writes entries through the API: server/audit appends them and purges old ones as trusted
// server code (System).
func AuditEntry() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			privacy.QueryRuleFunc(func(ctx context.Context, _ ent.Query) error {
				switch v := viewerOf(ctx); {
				case v == nil:
					return privacy.Denyf("login required")
				case !v.IsAdmin():
					return privacy.Denyf("only platform admins read the audit log")
				}
				return privacy.Skip
			}),
			queryRows[*ent.AuditEntryQuery](AuditEntryRows),
		},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// AuditEntryAppendOnly refuses every change of an audit entry, even from trusted server code:
// entries are appended and, past their retention, deleted, never changed.
var AuditEntryAppendOnly = hook.On(func(ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(context.Context, ent.Mutation) (ent.Value, error) {
		return nil, privacy.Denyf("audit entries are never changed")
	})
}, ent.OpUpdate|ent.OpUpdateOne)
