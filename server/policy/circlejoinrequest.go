package policy

import (
	"context"
	"strings"
	"time"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/circlemembership"
	"zirkel/ent/hook"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/viewer"
)

// Requests to join closed circles. OPEN circles are joined directly (joinCircle); a CLOSED
// circle is joined by a moderator's (or an admin's) yes to a member's request, or by being
// added. Vendors may ask only circles that admit them (Circle.vendorsMayAsk).

// moderatedCircles lists the circles the viewer moderates.
func moderatedCircles(v *viewer.Viewer) []gid.ID {
	var ids []gid.ID
	for id, role := range v.Circles {
		if role == viewer.CircleModerator {
			ids = append(ids, id)
		}
	}
	return ids
}

// CircleJoinRequestRows: members see their own requests, a circle's moderators the requests
// to it, admins all.
func CircleJoinRequestRows(v *viewer.Viewer) predicate.CircleJoinRequest {
	switch {
	case v == nil:
		return none[predicate.CircleJoinRequest]()
	case v.IsAdmin():
		return nil
	}
	return circlejoinrequest.Or(
		circlejoinrequest.HasMemberWith(member.ID(v.MemberID)),
		circlejoinrequest.HasCircleWith(circle.IDIn(moderatedCircles(v)...)),
	)
}

// CircleJoinRequest: see CircleJoinRequestRows. Members ask as themselves; the circle's
// moderators and admins decide.
func CircleJoinRequest() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.CircleJoinRequestQuery](CircleJoinRequestRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, denyBanned, privacy.CircleJoinRequestMutationRuleFunc(joinRequestMutation)},
	}
}

func joinRequestMutation(ctx context.Context, m *ent.CircleJoinRequestMutation) error {
	v := viewerOf(ctx)
	if m.Op().Is(ent.OpCreate) {
		memberID, _ := m.MemberID()
		circleID, _ := m.CircleID()
		if memberID != v.MemberID {
			return privacy.Denyf("members ask to join as themselves")
		}
		if !v.IsVendor() {
			return privacy.Allow
		}
		admits, err := m.Client().Circle.Query().Where(circle.ID(circleID), circle.VendorsMayAsk(true)).Exist(System(ctx))
		if err != nil {
			return err
		}
		if admits {
			return privacy.Allow
		}
		return privacy.Denyf("vendors ask to join only circles that admit vendors")
	}
	id, ok := m.ID()
	if !ok || !m.Op().Is(ent.OpUpdateOne) {
		return privacy.Denyf("join requests are decided one at a time and never deleted")
	}
	circleID, err := m.Client().CircleJoinRequest.Query().Where(circlejoinrequest.ID(id)).QueryCircle().OnlyID(System(ctx))
	if err != nil {
		return err
	}
	if v.IsAdmin() || v.ModeratesCircle(circleID) {
		return privacy.Allow
	}
	return privacy.Denyf("only the circle's moderators and admins decide on requests to join it")
}

// CheckJoinRequest refuses a request to join an OPEN circle (joined directly), to a circle the
// member already belongs to, and a second open request to the same circle (CONFLICT).
func CheckJoinRequest(next ent.Mutator) ent.Mutator {
	return hook.CircleJoinRequestFunc(func(ctx context.Context, m *ent.CircleJoinRequestMutation) (ent.Value, error) {
		circleID, hasCircle := m.CircleID()
		memberID, hasMember := m.MemberID()
		if !m.Op().Is(ent.OpCreate) || !hasCircle || !hasMember {
			return next.Mutate(ctx, m)
		}
		sys, c := System(ctx), m.Client()
		open, err := c.Circle.Query().Where(circle.ID(circleID), circle.VisibilityEQ(circle.VisibilityOPEN)).Exist(sys)
		if err != nil {
			return nil, err
		}
		if open {
			return nil, apperr.Invalid("circleID", "is an OPEN circle: join it directly with joinCircle")
		}
		belongs, err := c.CircleMembership.Query().Where(
			circlemembership.HasCircleWith(circle.ID(circleID)), circlemembership.HasMemberWith(member.ID(memberID))).Exist(sys)
		if err != nil {
			return nil, err
		}
		if belongs {
			return nil, apperr.Conflict("already a member of the circle")
		}
		asked, err := c.CircleJoinRequest.Query().Where(circlejoinrequest.HasCircleWith(circle.ID(circleID)),
			circlejoinrequest.HasMemberWith(member.ID(memberID)), circlejoinrequest.StatusEQ(circlejoinrequest.StatusPENDING)).Exist(sys)
		if err != nil {
			return nil, err
		}
		if asked {
			return nil, apperr.Conflict("a request to join the circle is already open")
		}
		value, err := next.Mutate(ctx, m)
		if ent.IsConstraintError(err) { // the same request, sent twice at once
			return nil, apperr.Conflict("a request to join the circle is already open")
		}
		return value, err
	})
}

// DecideJoinRequest records who decided a request and when (for the notifications to come),
// refuses deciding one that is no longer open (CONFLICT), and creates the membership when it
// is accepted.
func DecideJoinRequest(next ent.Mutator) ent.Mutator {
	return hook.CircleJoinRequestFunc(func(ctx context.Context, m *ent.CircleJoinRequestMutation) (ent.Value, error) {
		status, sets := m.Status()
		return decide(ctx, next, m, sets, status == circlejoinrequest.StatusACCEPTED, func(id gid.ID) (request, error) {
			old, err := m.Client().CircleJoinRequest.Query().Where(circlejoinrequest.ID(id)).
				WithCircle().WithMember().Only(System(ctx))
			if err != nil {
				return request{}, err
			}
			return request{what: "request", status: string(old.Status), pending: old.Status == circlejoinrequest.StatusPENDING,
				accept: func() error { return admit(ctx, m.Client(), old.Edges.Circle.ID, old.Edges.Member.ID) }}, nil
		})
	})
}

// request is a stored request that someone answers: a co-author invitation or a request to
// join a circle.
type request struct {
	what, status string       // "invitation", "PENDING"
	pending      bool         // still open
	accept       func() error // what a yes does, after the answer is written
}

// decidable is what the mutations of both kinds of request offer.
type decidable interface {
	ent.Mutation
	ID() (gid.ID, bool)
	SetDecidedAt(time.Time)
	SetDecidedByID(gid.ID)
}

// decide answers a request: a single update that sets the status of a request still open gets
// when and by whom, a request no longer open is CONFLICT, and a yes runs the request's accept.
// Other mutations pass.
func decide(ctx context.Context, next ent.Mutator, m decidable, setsStatus, accepted bool, load func(gid.ID) (request, error)) (ent.Value, error) {
	id, hasID := m.ID()
	if !setsStatus || !hasID || !m.Op().Is(ent.OpUpdateOne) {
		return next.Mutate(ctx, m)
	}
	old, err := load(id)
	if err != nil {
		return nil, err
	}
	if !old.pending {
		return nil, apperr.Conflict("the " + old.what + " was already " + strings.ToLower(old.status))
	}
	m.SetDecidedAt(time.Now())
	if v := viewerOf(ctx); v != nil {
		m.SetDecidedByID(v.MemberID)
	}
	value, err := next.Mutate(ctx, m)
	if err != nil || !accepted {
		return value, err
	}
	return value, old.accept()
}

// admit makes a member a MEMBER of a circle (as trusted code: a moderator just said yes),
// unless they belong to it already.
func admit(ctx context.Context, c *ent.Client, circleID, memberID gid.ID) error {
	sys := System(ctx)
	already, err := c.CircleMembership.Query().Where(
		circlemembership.HasCircleWith(circle.ID(circleID)), circlemembership.HasMemberWith(member.ID(memberID))).Exist(sys)
	if err != nil || already {
		return err
	}
	return c.CircleMembership.Create().SetCircleID(circleID).SetMemberID(memberID).
		SetRole(circlemembership.RoleMEMBER).Exec(sys)
}
