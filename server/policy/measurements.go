package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/measurement"
	"zirkel/ent/organisation"
	"zirkel/ent/privacy"
)

// Measurement: an organisation's values are seen and entered only by its own members (not
// vendors) and admins; everyone else learns only anonymised peer statistics (benchmark), which
// the server computes under System.
func Measurement() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.MeasurementQueryRuleFunc(func(ctx context.Context, q *ent.MeasurementQuery) error {
			v := viewerOf(ctx)
			switch {
			case v == nil || v.OrganisationID == "":
				q.Where(measurement.IDIn())
			case !v.IsAdmin():
				q.Where(measurement.HasOrganisationWith(organisation.ID(v.OrganisationID)))
			}
			return privacy.Allow
		})},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.MeasurementMutationRuleFunc(func(ctx context.Context, m *ent.MeasurementMutation) error {
			v := viewerOf(ctx)
			if v.IsVendor() || v.OrganisationID == "" {
				return privacy.Denyf("members enter their own organisation's values")
			}
			if org, ok := m.OrganisationID(); ok && org == v.OrganisationID {
				return privacy.Allow
			}
			if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
				own, err := m.Client().Measurement.Query().
					Where(measurement.ID(id), measurement.HasOrganisationWith(organisation.ID(v.OrganisationID))).Exist(System(ctx))
				if err != nil {
					return err
				}
				if own {
					return privacy.Allow
				}
			}
			return privacy.Denyf("members enter their own organisation's values")
		})},
	}
}
