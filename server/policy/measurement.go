package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/measurement"
	"zirkel/ent/organisation"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// MeasurementRows matches the values of the viewer's own organisation (admins: all).
func MeasurementRows(v *viewer.Viewer) predicate.Measurement {
	switch {
	case v == nil || v.OrganisationID == "":
		return none[predicate.Measurement]()
	case v.IsAdmin():
		return nil
	}
	return measurement.HasOrganisationWith(organisation.ID(v.OrganisationID))
}

// Measurement: see MeasurementRows. An organisation's values are seen and entered only by its own members (not
// vendors) and admins; everyone else learns only anonymised peer statistics (benchmark), which
// the server computes under System.
func Measurement() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.MeasurementQuery](MeasurementRows)},
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

// MeasurementsForBenchmark reads measurements, with their organisation, beyond the viewer's
// rights, for the benchmark of peers: the caller publishes only median and quartiles, and
// only when at least anonymity.K peers reported (see anonymity).
func MeasurementsForBenchmark(ctx context.Context, c *ent.Client, where ...predicate.Measurement) ([]*ent.Measurement, error) {
	return c.Measurement.Query().Where(where...).WithOrganisation().All(System(ctx))
}
