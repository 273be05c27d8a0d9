package integrity

import (
	"context"

	"zirkel/ent/privacy"
)

// trusted tells whether ctx is trusted server code (policy.System): the demo loader and the
// integrity rules themselves. Trusted code may write the fields the server keeps (counters,
// positions) and import history as it was; every viewer's write obeys the rules in full.
func trusted(ctx context.Context) bool {
	d, ok := privacy.DecisionFromContext(ctx)
	return ok && d == nil
}
