package policy

import (
	"entgo.io/ent/dialect/sql"

	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/server/viewer"
)

// ExpertVisible matches the members whose expertise (the edge Member.expertise, read from
// either side) the viewer may see: those findable as experts (privacy setting, off by
// default), the viewer themself, and every member for admins; nobody for anonymous visitors.
// Member.expertise, Topic.experts and search's member facets by topic apply it.
func ExpertVisible(v *viewer.Viewer) predicate.Member {
	switch {
	case v == nil:
		return none[predicate.Member]()
	case v.IsAdmin():
		return func(*sql.Selector) {} // every member
	}
	return member.Or(member.FindableAsExpert(true), member.ID(v.MemberID))
}
