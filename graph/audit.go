package graph

import (
	"context"

	"zirkel/server/events"
)

// withAudit names the action and reason of what is written with ctx: every change made under
// it carries them through the event pipeline into the audit log.
func withAudit(ctx context.Context, action, reason string) context.Context {
	return events.WithReason(events.WithAction(ctx, action), reason)
}
