package policy

import (
	"zirkel/ent/predicate"
	"zirkel/server/viewer"
)

// LoginThrottleRows: no viewer reads login throttles.
func LoginThrottleRows(v *viewer.Viewer) predicate.LoginThrottle {
	return nobody[predicate.LoginThrottle](v)
}
