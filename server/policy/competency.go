package policy

import (
	"zirkel/ent"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// CompetencyRows: members read the inventory, anonymous visitors do not.
func CompetencyRows(v *viewer.Viewer) predicate.Competency {
	if v == nil {
		return none[predicate.Competency]()
	}
	return nil
}

// Competency: see CompetencyRows; admins maintain it.
func Competency() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.CompetencyQuery](CompetencyRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}
