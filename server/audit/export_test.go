package audit

import (
	"context"

	"zirkel/server/policy"
)

// AuditTrusted is the context in which tests read the log as stored.
func AuditTrusted(ctx context.Context) context.Context { return policy.System(ctx) }
