package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/survey"
	"zirkel/server/viewer"
)

// SurveyVisible matches the surveys a member may see and answer: those for all members and
// those of their circles (admins included: a circle's content is for its members).
func SurveyVisible(v *viewer.Viewer) predicate.Survey {
	if v == nil {
		return survey.IDIn()
	}
	return survey.Or(survey.Not(survey.HasCircle()), survey.HasCircleWith(circle.IDIn(v.CircleIDs()...)))
}

// SurveyRows matches the surveys the viewer may see: see SurveyVisible (admins too: a
// circle's surveys are for its members).
func SurveyRows(v *viewer.Viewer) predicate.Survey { return SurveyVisible(v) }

// Survey: see SurveyRows. Members other than vendors run surveys for all
// members; a circle's moderators run surveys in their circle; owners change their surveys.
func Survey() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.SurveyQuery](SurveyRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.SurveyMutationRuleFunc(func(ctx context.Context, m *ent.SurveyMutation) error {
			v := viewerOf(ctx)
			if m.Op().Is(ent.OpCreate) {
				owner, _ := m.OwnerID()
				circleID, inCircle := m.CircleID()
				if owner == v.MemberID && !v.IsVendor() && (!inCircle || v.ModeratesCircle(circleID)) {
					return privacy.Allow
				}
				return privacy.Denyf("members other than vendors run surveys; in a circle, its moderators")
			}
			id, ok := m.ID()
			if !ok || m.Op().Is(ent.OpDeleteOne) {
				return privacy.Denyf("surveys are changed one at a time, not deleted")
			}
			own, err := m.Client().Survey.Query().Where(survey.ID(id), survey.HasOwnerWith(member.ID(v.MemberID))).Exist(System(ctx))
			if err != nil {
				return err
			}
			if own {
				return privacy.Allow
			}
			return privacy.Denyf("only the owner changes a survey")
		})},
	}
}
