package graph

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/competency"
	"zirkel/ent/competencyrating"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// rateCompetency sets the viewer's own rating of a competency.
func rateCompetency(ctx context.Context, c *ent.Client, competencyID gid.ID, level int, findable bool) (*ent.CompetencyRating, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.Competency.Get(ctx, competencyID); err != nil {
		return nil, notFoundAs("competencyID", err)
	}
	existing, err := c.CompetencyRating.Query().Where(competencyrating.HasCompetencyWith(competency.ID(competencyID)),
		competencyrating.HasMemberWith(member.ID(v.MemberID))).Only(ctx)
	switch {
	case err == nil:
		return c.CompetencyRating.UpdateOne(existing).SetLevel(level).SetFindable(findable).Save(ctx)
	case !ent.IsNotFound(err):
		return nil, err
	}
	return c.CompetencyRating.Create().SetCompetencyID(competencyID).SetMemberID(v.MemberID).
		SetLevel(level).SetFindable(findable).Save(ctx)
}

// competencyGaps lists the competencies nobody in the viewer's organisation rated 2 or higher.
// The ratings behind it are read by policy.CoveredCompetencies, which answers only once at
// least anonymity.K of the organisation's members rated themselves; before, the list is empty.
func competencyGaps(ctx context.Context, c *ent.Client, side *competency.Side) ([]*ent.Competency, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if v.OrganisationID == "" {
		return nil, apperr.Invalid("side", "the viewer belongs to no organisation")
	}
	covered, enough, err := policy.CoveredCompetencies(ctx, c, v.OrganisationID)
	if err != nil {
		return nil, err
	}
	if !enough {
		return []*ent.Competency{}, nil
	}
	q := c.Competency.Query().Where(competency.IDNotIn(covered...)).Order(ent.Asc(competency.FieldName))
	if side != nil {
		q.Where(competency.SideEQ(*side))
	}
	return q.All(ctx)
}

// whoKnows finds members who rate themselves 3 or 4 and agreed to be found.
func whoKnows(ctx context.Context, c *ent.Client, competencyID gid.ID, first int) ([]*ent.CompetencyRating, error) {
	if _, err := requireViewer(ctx); err != nil {
		return nil, err
	}
	if first < 1 || first > 100 {
		return nil, apperr.Invalid("first", "must be between 1 and 100")
	}
	return c.CompetencyRating.Query().
		Where(competencyrating.HasCompetencyWith(competency.ID(competencyID)), competencyrating.LevelGTE(3), competencyrating.Findable(true)).
		WithMember(func(q *ent.MemberQuery) { q.WithOrganisation() }).
		Order(ent.Desc(competencyrating.FieldLevel), ent.Asc(competencyrating.FieldID)).Limit(first).All(ctx)
}
