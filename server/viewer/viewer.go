// Package viewer says who is asking: the member behind a request, their roles and circles. It
// has no dependencies on the rest of Zirkel, so that ent's privacy rules, the auth code and the
// resolvers can all import it without cycles.
package viewer

import (
	"context"

	"zirkel/ent/schema/gid"
)

// Platform roles, from least to most rights.
const (
	RoleMember    = "MEMBER"
	RoleModerator = "MODERATOR"
	RoleAdmin     = "ADMIN"
)

// Community role of vendors, whose rights are restricted ("no sales show").
const CommunityVendor = "VENDOR"

// Circle roles.
const (
	CircleMember    = "MEMBER"
	CircleModerator = "MODERATOR"
)

// Viewer is a logged-in member as seen by authorization.
type Viewer struct {
	MemberID       gid.ID
	SessionID      gid.ID
	OrganisationID gid.ID // empty when the member belongs to no organisation
	CommunityRole  string // CDO, CIO, ..., VENDOR
	PlatformRole   string // MEMBER, MODERATOR, ADMIN
	// Circles maps the circles the member belongs to onto their role there.
	Circles map[gid.ID]string
}

// IsAdmin tells whether the viewer administers the platform.
func (v *Viewer) IsAdmin() bool { return v != nil && v.PlatformRole == RoleAdmin }

// IsModerator tells whether the viewer moderates the platform (admins do as well).
func (v *Viewer) IsModerator() bool {
	return v != nil && (v.PlatformRole == RoleModerator || v.PlatformRole == RoleAdmin)
}

// IsVendor tells whether the viewer speaks for a vendor.
func (v *Viewer) IsVendor() bool { return v != nil && v.CommunityRole == CommunityVendor }

// InCircle tells whether the viewer belongs to the circle.
func (v *Viewer) InCircle(id gid.ID) bool {
	if v == nil {
		return false
	}
	_, ok := v.Circles[id]
	return ok
}

// ModeratesCircle tells whether the viewer moderates the circle.
func (v *Viewer) ModeratesCircle(id gid.ID) bool {
	return v != nil && v.Circles[id] == CircleModerator
}

// CircleIDs lists the circles the viewer belongs to.
func (v *Viewer) CircleIDs() []gid.ID {
	if v == nil {
		return nil
	}
	ids := make([]gid.ID, 0, len(v.Circles))
	for id := range v.Circles {
		ids = append(ids, id)
	}
	return ids
}

type key struct{}

// NewContext returns ctx with the viewer.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, key{}, v)
}

// FromContext returns the viewer of ctx, or nil for an anonymous request.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(key{}).(*Viewer)
	return v
}
