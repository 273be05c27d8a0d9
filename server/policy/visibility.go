package policy

import (
	"entgo.io/ent/dialect/sql"

	"zirkel/ent/circle"
	"zirkel/ent/circlemembership"
	"zirkel/ent/discussion"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// circleOpenTo matches circles whose content the viewer may read: OPEN ones (for members) and
// the ones the viewer belongs to.
func circleOpenTo(v *viewer.Viewer) predicate.Circle {
	if v == nil {
		return circle.IDIn() // nothing
	}
	return circle.Or(circle.VisibilityEQ(circle.VisibilityOPEN), circle.IDIn(v.CircleIDs()...))
}

// PracticeVisible matches the practices the viewer may read: published (or archived) ones
// whose visibility admits the viewer and whose circle, if any, is open to them; and, whatever
// their state, the viewer's own. A hidden practice only its authors and the moderators of its
// place see.
func PracticeVisible(v *viewer.Viewer) predicate.Practice {
	released := practice.StatusIn(practice.StatusPUBLISHED, practice.StatusARCHIVED)
	audience := practice.VisibilityIn(practice.VisibilityPUBLIC, practice.VisibilityMEMBERS)
	if v == nil {
		released = practice.StatusEQ(practice.StatusPUBLISHED)
		audience = practice.VisibilityEQ(practice.VisibilityPUBLIC)
	}
	inCircle := practice.And(practice.VisibilityEQ(practice.VisibilityCIRCLE),
		practice.HasCircleWith(circle.IDIn(v.CircleIDs()...)))
	circleOK := practice.Or(practice.Not(practice.HasCircle()), practice.HasCircleWith(circleOpenTo(v)))
	visible := practice.And(released, practice.Or(audience, inCircle), circleOK)
	if v != nil {
		visible = practice.Or(visible, practice.HasAuthorsWith(member.ID(v.MemberID)))
	}
	return andShown(visible, shownPractices(v), practice.And)
}

// andShown is p restricted to what hiding leaves the viewer (shown; nil: everything).
func andShown[P ~func(*sql.Selector)](p, shown P, and func(...P) P) P {
	if shown == nil {
		return p
	}
	return and(p, shown)
}

// DiscussionVisible matches the discussions the viewer may read: for members, those outside
// circles and those in circles open to them, without the hidden ones they may not see (see
// Moderates); for anonymous visitors, none.
func DiscussionVisible(v *viewer.Viewer) predicate.Discussion {
	if v == nil {
		return discussion.IDIn()
	}
	inPlace := discussion.Or(discussion.Not(discussion.HasCircle()), discussion.HasCircleWith(circleOpenTo(v)))
	return andShown(inPlace, shownDiscussions(v), discussion.And)
}

// MessageVisible matches the messages of visible discussions, without the hidden ones the
// viewer may not see.
func MessageVisible(v *viewer.Viewer) predicate.Message {
	return andShown(message.HasDiscussionWith(DiscussionVisible(v)), shownMessages(v), message.And)
}

// MembershipVisible matches the memberships whose circle's member list the viewer may read.
// (Admins see all memberships, to manage them; their query rule adds no filter.)
func MembershipVisible(v *viewer.Viewer) predicate.CircleMembership {
	return circlemembership.HasCircleWith(circleOpenTo(v))
}

// DiscussionOpenTo is DiscussionVisible in memory, for live events: a discussion outside
// circles (circleID empty), in an open circle, or in one of the viewer's circles.
func DiscussionOpenTo(v *viewer.Viewer, circleID gid.ID, circleOpen bool) bool {
	return v != nil && (circleID == "" || circleOpen || v.InCircle(circleID))
}
