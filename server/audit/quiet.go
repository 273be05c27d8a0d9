package audit

import (
	"context"

	"zirkel/server/events"
)

// quiet marks the audit log's own writes so that the event pipeline does not record them.
func quiet(ctx context.Context) context.Context { return events.Quiet(ctx) }
