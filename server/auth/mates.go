package auth

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circlemembership"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// withCircleMates lets the viewer find, when first needed, the members who share one of their
// circles (an e-mail address shown to "my circles", policy.memberFields). Reading beside a
// write transaction is safe on both databases: it sees what was committed.
func withCircleMates(client *ent.Client, v *viewer.Viewer) *viewer.Viewer {
	circles := v.CircleIDs()
	v.SetCircleMates(func(ctx context.Context) ([]gid.ID, error) {
		return client.Member.Query().
			Where(member.HasCircleMembershipsWith(circlemembership.HasCircleWith(circle.IDIn(circles...)))).
			IDs(policy.System(ctx))
	})
	return v
}
