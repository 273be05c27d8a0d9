package policy

import (
	"zirkel/ent"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// OrganisationRows: everyone reads organisations.
func OrganisationRows(v *viewer.Viewer) predicate.Organisation {
	return everyone[predicate.Organisation](v)
}

// Organisation: see OrganisationRows; admins manage them.
func Organisation() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.OrganisationQuery](OrganisationRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}
