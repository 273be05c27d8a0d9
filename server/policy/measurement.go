package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/predicate"
)

// MeasurementsForBenchmark reads measurements, with their organisation, beyond the viewer's
// rights, for the benchmark of peers: the caller publishes only median and quartiles, and
// only when at least anonymity.K peers reported (see anonymity).
func MeasurementsForBenchmark(ctx context.Context, c *ent.Client, where ...predicate.Measurement) ([]*ent.Measurement, error) {
	return c.Measurement.Query().Where(where...).WithOrganisation().All(System(ctx))
}
