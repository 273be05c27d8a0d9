package policy

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyquestion"
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

// SurveyQuestionRows: questions are read with their survey (see SurveyRows).
func SurveyQuestionRows(v *viewer.Viewer) predicate.SurveyQuestion {
	return surveyquestion.HasSurveyWith(SurveyVisible(v))
}

// SurveyResponseRows: nobody reads responses directly.
func SurveyResponseRows(v *viewer.Viewer) predicate.SurveyResponse {
	return nobody[predicate.SurveyResponse](v)
}

// SurveyPart: see SurveyQuestionRows; a survey's owner (and admins, who may change every
// survey) write its questions.
func SurveyPart() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.SurveyQuestionQuery](SurveyQuestionRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins, privacy.SurveyQuestionMutationRuleFunc(func(ctx context.Context, m *ent.SurveyQuestionMutation) error {
			sys := System(ctx)
			var surveys []gid.ID
			if id, ok := m.SurveyID(); ok {
				surveys = append(surveys, id)
			}
			if !m.Op().Is(ent.OpCreate) {
				ids, err := m.IDs(sys)
				if err != nil {
					return err
				}
				of, err := m.Client().SurveyQuestion.Query().Where(surveyquestion.IDIn(ids...)).QuerySurvey().IDs(sys)
				if err != nil {
					return err
				}
				surveys = append(surveys, of...)
			}
			slices.Sort(surveys)
			surveys = slices.Compact(surveys)
			owned, err := m.Client().Survey.Query().
				Where(survey.IDIn(surveys...), survey.HasOwnerWith(member.ID(viewerOf(ctx).MemberID))).Count(sys)
			if err != nil {
				return err
			}
			if owned == len(surveys) {
				return privacy.Allow
			}
			return privacy.Denyf("only the owner changes a survey")
		})},
	}
}

// SurveyResponse: nobody reads responses directly (the server publishes only aggregated
// results: see PublishedAnswers); members respond, as themselves, to surveys they can see,
// and the response's integrity (server/integrity/surveyresponse.go) keys, checks and stores
// it. Only the server changes a response.
func SurveyResponse() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{denyAnonymous, privacy.SurveyResponseMutationRuleFunc(func(ctx context.Context, m *ent.SurveyResponseMutation) error {
			if !m.Op().Is(ent.OpCreate) {
				return privacy.Denyf("only the server changes a response")
			}
			if memberID, ok := m.MemberID(); ok && memberID != viewerOf(ctx).MemberID {
				return privacy.Denyf("members respond as themselves")
			}
			surveyID, _ := m.SurveyID()
			// Queried with the viewer's rights: only a survey they may answer is found.
			visible, err := m.Client().Survey.Query().Where(survey.ID(surveyID)).Exist(ctx)
			if err != nil || !visible {
				return privacy.Denyf("the survey is not open to the viewer")
			}
			return privacy.Allow
		})},
	}
}
