package graph

import "context"

// withAudit names the action and reason of what is written with ctx (events.WithAction and
// events.WithReason once server/events is on main).
func withAudit(ctx context.Context, action, reason string) context.Context {
	_, _ = action, reason
	return ctx
}
