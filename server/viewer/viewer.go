// Package viewer says who is asking: the member behind a request, their roles and circles. It
// has no dependencies on the rest of Zirkel, so that ent's privacy rules, the auth code and the
// resolvers can all import it without cycles.
package viewer

import (
	"context"
	"sync"
	"time"

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
	// mates finds the members who share a circle with the viewer (see SetCircleMates).
	mates *mates
}

// MatesLoader lists the members who belong to at least one of the viewer's circles.
type MatesLoader func(ctx context.Context) ([]gid.ID, error)

// matesTTL is how long a list of circle mates is used before it is loaded again (a websocket
// keeps its viewer for hours).
const matesTTL = 30 * time.Second

// matesTimeout bounds one loading of the circle mates.
const matesTimeout = 5 * time.Second

// mates is the lazily loaded, briefly kept list of a viewer's circle mates.
type mates struct {
	load MatesLoader
	mu   sync.Mutex
	set  map[gid.ID]bool
	at   time.Time
}

// SetCircleMates tells the viewer how to find the members sharing a circle with them; they
// are loaded when first needed (an e-mail address shown only to a member's circles).
func (v *Viewer) SetCircleMates(load MatesLoader) { v.mates = &mates{load: load} }

// SharesCircleWith tells whether the member belongs to one of the viewer's circles. Without a
// loader, or when loading fails, it answers false (the protective answer).
func (v *Viewer) SharesCircleWith(memberID gid.ID) bool {
	if v == nil || len(v.Circles) == 0 {
		return false
	}
	if memberID == v.MemberID {
		return true
	}
	m := v.mates
	if m == nil || m.load == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.set == nil || time.Since(m.at) > matesTTL {
		ctx, cancel := context.WithTimeout(context.Background(), matesTimeout)
		ids, err := m.load(ctx)
		cancel()
		if err != nil {
			return false
		}
		m.set = make(map[gid.ID]bool, len(ids))
		for _, id := range ids {
			m.set[id] = true
		}
		m.at = time.Now()
	}
	return m.set[memberID]
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
