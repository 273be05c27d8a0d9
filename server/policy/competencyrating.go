package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/competencyrating"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/anonymity"
	"zirkel/server/viewer"
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

// CompetencyRatingRows: members see their own ratings, and others' only when the rating is
// findable and its member findable as an expert (privacy setting, off by default); vendors see
// only their own ("no sales show": they do not look for authority staff).
func CompetencyRatingRows(v *viewer.Viewer) predicate.CompetencyRating {
	switch {
	case v == nil:
		return none[predicate.CompetencyRating]()
	case v.IsVendor():
		return competencyrating.HasMemberWith(member.ID(v.MemberID))
	}
	return competencyrating.Or(
		competencyrating.And(competencyrating.Findable(true), competencyrating.HasMemberWith(member.FindableAsExpert(true))),
		competencyrating.HasMemberWith(member.ID(v.MemberID)))
}

// CompetencyRating: see CompetencyRatingRows; members rate themselves.
func CompetencyRating() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.CompetencyRatingQuery](CompetencyRatingRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, privacy.CompetencyRatingMutationRuleFunc(func(ctx context.Context, m *ent.CompetencyRatingMutation) error {
			v := viewerOf(ctx)
			if memberID, ok := m.MemberID(); ok && memberID == v.MemberID {
				return privacy.Allow
			}
			if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
				own, err := m.Client().CompetencyRating.Query().
					Where(competencyrating.ID(id), competencyrating.HasMemberWith(member.ID(v.MemberID))).Exist(System(ctx))
				if err != nil {
					return err
				}
				if own {
					return privacy.Allow
				}
			}
			return privacy.Denyf("members rate only themselves")
		})},
	}
}
