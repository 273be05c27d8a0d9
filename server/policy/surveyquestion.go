package policy

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyquestion"
	"zirkel/server/viewer"
)

// SurveyQuestionRows: questions are read with their survey (see SurveyRows).
func SurveyQuestionRows(v *viewer.Viewer) predicate.SurveyQuestion {
	return surveyquestion.HasSurveyWith(SurveyVisible(v))
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
