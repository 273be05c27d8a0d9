package graph

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/competency"
	"zirkel/ent/competencyrating"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/schema/gid"
	"zirkel/server/anonymity"
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
// It reads ratings under System: the answer names no member, only what the organisation lacks,
// and only once at least anonymity.K of its members rated themselves (with fewer, "not a gap"
// would tell a colleague's rating that they did not make findable); before, the list is empty.
func competencyGaps(ctx context.Context, c *ent.Client, side *competency.Side) ([]*ent.Competency, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if v.OrganisationID == "" {
		return nil, apperr.Invalid("side", "the viewer belongs to no organisation")
	}
	sys := policy.System(ctx)
	ofOrganisation := member.HasOrganisationWith(organisation.ID(v.OrganisationID))
	raters, err := c.CompetencyRating.Query().Where(competencyrating.HasMemberWith(ofOrganisation)).QueryMember().Count(sys)
	if err != nil {
		return nil, err
	}
	if !anonymity.Enough(raters) {
		return []*ent.Competency{}, nil
	}
	covered, err := c.CompetencyRating.Query().Where(competencyrating.LevelGTE(2), competencyrating.HasMemberWith(ofOrganisation)).
		QueryCompetency().IDs(sys)
	if err != nil {
		return nil, err
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
