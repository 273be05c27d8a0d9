package graph

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
)

// publishPractice publishes a practice once the parts another authority needs are written
// (server/integrity/practice.go).
func publishPractice(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Practice, error) {
	p, err := c.Practice.Get(ctx, id)
	if err != nil {
		return nil, notFoundAs("id", err)
	}
	return p.Update().SetStatus(practice.StatusPUBLISHED).Save(ctx)
}

// archivePractice takes a practice out of circulation; it stays readable by link.
func archivePractice(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Practice, error) {
	p, err := c.Practice.Get(ctx, id) // one the viewer may not see is not found, as elsewhere
	if err != nil {
		return nil, notFoundAs("id", err)
	}
	return p.Update().SetStatus(practice.StatusARCHIVED).Save(ctx)
}

// invitedPractice is the practice of an invitation, or nil where the viewer may not read it.
func invitedPractice(ctx context.Context, inv *ent.AuthorshipInvitation) (*ent.Practice, error) {
	p, err := inv.QueryPractice().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return p, err
}

// answerInvitation accepts, declines or withdraws an invitation the viewer can see; who may
// do which is the invitation's policy.
func answerInvitation(ctx context.Context, c *ent.Client, id gid.ID, status authorshipinvitation.Status) (*ent.AuthorshipInvitation, error) {
	inv, err := c.AuthorshipInvitation.Get(ctx, id)
	if err != nil {
		return nil, notFoundAs("id", err)
	}
	return c.AuthorshipInvitation.UpdateOne(inv).SetStatus(status).Save(ctx)
}
