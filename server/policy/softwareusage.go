package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/predicate"
)

// UsagesForAggregates reads software usages, with their product, organisation and topic,
// beyond the viewer's rights, for the aggregates that everyone who sees a product may see
// (SoftwareProduct.landscape, softwareForTopic for vendors). The caller publishes only what
// stands for at least anonymity.K organisations (see anonymity.Hide) and never a single usage.
func UsagesForAggregates(ctx context.Context, c *ent.Client, where ...predicate.SoftwareUsage) ([]*ent.SoftwareUsage, error) {
	return c.SoftwareUsage.Query().Where(where...).WithProduct().WithOrganisation().WithTopic().All(System(ctx))
}
