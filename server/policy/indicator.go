package policy

import (
	"zirkel/ent"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// IndicatorRows: the KPI catalogue is public.
func IndicatorRows(v *viewer.Viewer) predicate.Indicator { return everyone[predicate.Indicator](v) }

// Indicator: see IndicatorRows; admins maintain it.
func Indicator() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.IndicatorQuery](IndicatorRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}
