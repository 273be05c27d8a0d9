package graph

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/circlemembership"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
)

// addCircleMember adds a member to a circle or, if they belong to it already, sets their role.
func addCircleMember(ctx context.Context, c *ent.Client, circleID, memberID gid.ID, role *circlemembership.Role) (*ent.CircleMembership, error) {
	want := circlemembership.RoleMEMBER
	if role != nil {
		want = *role
	}
	existing, err := findMembership(ctx, c, circleID, memberID)
	switch {
	case err == nil:
		return existing.Update().SetRole(want).Save(ctx)
	case !ent.IsNotFound(err):
		return nil, err
	}
	return c.CircleMembership.Create().
		SetCircleID(circleID).SetMemberID(memberID).SetRole(want).
		Save(ctx)
}

// joinCircle makes the viewer a member of a circle; a member already in it stays as they are.
func joinCircle(ctx context.Context, c *ent.Client, circleID, memberID gid.ID) (*ent.CircleMembership, error) {
	existing, err := findMembership(ctx, c, circleID, memberID)
	if err == nil {
		return existing, nil
	}
	if !ent.IsNotFound(err) {
		return nil, err
	}
	return c.CircleMembership.Create().
		SetCircleID(circleID).SetMemberID(memberID).SetRole(circlemembership.RoleMEMBER).
		Save(ctx)
}

// removeCircleMember ends a membership and returns its id.
func removeCircleMember(ctx context.Context, c *ent.Client, circleID, memberID gid.ID) (gid.ID, error) {
	m, err := findMembership(ctx, c, circleID, memberID)
	if err != nil {
		return "", notFoundAs("memberID", err)
	}
	if err := c.CircleMembership.DeleteOne(m).Exec(ctx); err != nil {
		return "", err
	}
	return m.ID, nil
}

func findMembership(ctx context.Context, c *ent.Client, circleID, memberID gid.ID) (*ent.CircleMembership, error) {
	if exists, err := c.Circle.Query().Where(circle.ID(circleID)).Exist(ctx); err != nil || !exists {
		if err == nil {
			err = apperr.NotFound("circleID")
		}
		return nil, err
	}
	return c.CircleMembership.Query().
		Where(
			circlemembership.HasCircleWith(circle.ID(circleID)),
			circlemembership.HasMemberWith(member.ID(memberID)),
		).
		Only(ctx)
}

// decideJoinRequest accepts or declines a request the viewer can see and returns it with its
// member loaded; who may decide is the request's policy.
func decideJoinRequest(ctx context.Context, c *ent.Client, id gid.ID, status circlejoinrequest.Status, reason *string) (*ent.CircleJoinRequest, error) {
	req, err := c.CircleJoinRequest.Query().Where(circlejoinrequest.ID(id)).WithMember().Only(ctx)
	if err != nil {
		return nil, notFoundAs("id", err)
	}
	updated, err := c.CircleJoinRequest.UpdateOne(req).SetStatus(status).SetReason(deref(reason)).Save(ctx)
	if err != nil {
		return nil, err
	}
	updated.Edges.Member = req.Edges.Member
	return updated, nil
}
