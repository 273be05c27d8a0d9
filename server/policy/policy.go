// Package policy holds Zirkel's authorization rules as ent privacy policies, so that they hold
// for every query and mutation, whatever resolver runs it. Everything is denied unless a rule
// allows it. Reads are filtered rather than refused: what a viewer may not see is simply not
// there (lists leave it out, `node` returns null), so hidden objects look like missing ones.
//
// Code that must act beyond the viewer's rights (login, provisioning, the demo loader) uses
// System, never a bypass inside a resolver.
package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/competency"
	"zirkel/ent/competencyrating"
	"zirkel/ent/member"
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

// allowReads allows every query.
var allowReads = privacy.QueryRuleFunc(func(context.Context, ent.Query) error { return privacy.Allow })

// Organisation: everyone reads organisations; admins manage them.
func Organisation() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowReads},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}

// Topic: everyone reads topics; admins manage them.
func Topic() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowReads},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}

// Indicator: the KPI catalogue is public; admins maintain it.
func Indicator() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowReads},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}

// Competency: members read the inventory; admins maintain it.
func Competency() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.CompetencyQueryRuleFunc(func(ctx context.Context, q *ent.CompetencyQuery) error {
			if viewerOf(ctx) == nil {
				q.Where(competency.IDIn())
			}
			return privacy.Allow
		})},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.AlwaysDenyRule()},
	}
}

// CompetencyRating: members rate themselves; others see a rating only when it is findable,
// and vendors see only their own ("no sales show": they do not look for authority staff).
func CompetencyRating() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.CompetencyRatingQueryRuleFunc(func(ctx context.Context, q *ent.CompetencyRatingQuery) error {
			v := viewerOf(ctx)
			switch {
			case v == nil:
				q.Where(competencyrating.IDIn())
			case v.IsVendor():
				q.Where(competencyrating.HasMemberWith(member.ID(v.MemberID)))
			default:
				q.Where(competencyrating.Or(competencyrating.Findable(true), competencyrating.HasMemberWith(member.ID(v.MemberID))))
			}
			return privacy.Allow
		})},
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

// Session: only trusted server code (System) touches sessions.
func Session() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
