// Package policy holds Zirkel's authorization rules as ent privacy policies, so that they hold
// for every query and mutation, whatever resolver runs it. Everything is denied unless a rule
// allows it. Reads are filtered rather than refused: what a viewer may not see is simply not
// there (lists leave it out, `node` returns null), so hidden objects look like missing ones.
//
// Who may read what is said once per type: its rows rule (XRows, the rows a viewer may read,
// as an SQL predicate) and its field rules (on which rows a viewer may read a field, in SQL
// and in memory), listed in readRules. The same rules make the type's privacy query rule,
// guard every filter (GuardWhere: has…With edges, hasX and conditions on restricted fields
// match only what the viewer may read) and blank what is read (ReadFields, MayRead).
//
// Code that must act beyond the viewer's rights (login, provisioning, the demo loader) uses
// System, never a bypass inside a resolver.
package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/competencyrating"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// System returns a context in which every policy allows everything. Only trusted server code
// (authentication, provisioning, demo data, migrations) may use it.
func System(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// viewerOf is the viewer of ctx, or nil.
func viewerOf(ctx context.Context) *viewer.Viewer { return viewer.FromContext(ctx) }

// allowAdmins allows every mutation to platform admins.
var allowAdmins = privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
	if viewerOf(ctx).IsAdmin() {
		return privacy.Allow
	}
	return privacy.Skip
})

// denyAnonymous refuses mutations without a logged-in viewer.
var denyAnonymous = privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
	if viewerOf(ctx) == nil {
		return privacy.Denyf("login required")
	}
	return privacy.Skip
})

// OrganisationRows: everyone reads organisations.
func OrganisationRows(v *viewer.Viewer) predicate.Organisation {
	return everyone[predicate.Organisation](v)
}

// Organisation: see OrganisationRows; admins manage them.
func Organisation() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.OrganisationQuery](OrganisationRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}

// TopicRows: everyone reads topics.
func TopicRows(v *viewer.Viewer) predicate.Topic { return everyone[predicate.Topic](v) }

// Topic: see TopicRows; admins manage them.
func Topic() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.TopicQuery](TopicRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}

// IndicatorRows: the KPI catalogue is public.
func IndicatorRows(v *viewer.Viewer) predicate.Indicator { return everyone[predicate.Indicator](v) }

// Indicator: see IndicatorRows; admins maintain it.
func Indicator() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.IndicatorQuery](IndicatorRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}

// CompetencyRows: members read the inventory, anonymous visitors do not.
func CompetencyRows(v *viewer.Viewer) predicate.Competency {
	if v == nil {
		return none[predicate.Competency]()
	}
	return nil
}

// Competency: see CompetencyRows; admins maintain it.
func Competency() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.CompetencyQuery](CompetencyRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
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

// SessionRows: no viewer reads sessions.
func SessionRows(v *viewer.Viewer) predicate.Session { return nobody[predicate.Session](v) }

// LoginThrottleRows: no viewer reads login throttles.
func LoginThrottleRows(v *viewer.Viewer) predicate.LoginThrottle {
	return nobody[predicate.LoginThrottle](v)
}

// Session: only trusted server code (System) touches sessions (and login throttles).
func Session() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
