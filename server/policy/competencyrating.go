package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/competencyrating"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/schema/gid"
	"zirkel/server/anonymity"
)

// CoveredCompetencies are the competencies that some member of the organisation rates 2 or
// higher, for its gap list. The ratings are read beyond the viewer's rights (those not made
// findable count too), so the answer names no member, only what the organisation covers, and
// exists only once at least anonymity.K of its members rated themselves (enough is false
// before: "not a gap" would tell a colleague's rating that they did not make findable).
func CoveredCompetencies(ctx context.Context, c *ent.Client, organisationID gid.ID) (covered []gid.ID, enough bool, err error) {
	sys := System(ctx)
	ofOrganisation := member.HasOrganisationWith(organisation.ID(organisationID))
	raters, err := c.CompetencyRating.Query().Where(competencyrating.HasMemberWith(ofOrganisation)).QueryMember().Count(sys)
	if err != nil || !anonymity.Enough(raters) {
		return nil, false, err
	}
	covered, err = c.CompetencyRating.Query().Where(competencyrating.LevelGTE(2), competencyrating.HasMemberWith(ofOrganisation)).
		QueryCompetency().IDs(sys)
	return covered, err == nil, err
}
