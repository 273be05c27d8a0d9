package integrity

import (
	"context"
	"fmt"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/surveyquestion"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// SurveyQuestion is the integrity of survey questions, declared in
// ent/schema/surveyquestion.go: choice questions offer 2 to MaxOptions options and others
// none, a survey has at most MaxQuestions, and its questions are frozen from its first
// response.
func SurveyQuestion() []ent.Hook { return []ent.Hook{questionShape, questionsFrozen} }

// Limits of a survey's questions.
const (
	MaxQuestions = 100
	MaxOptions   = 20
)

// questionShape checks a question's options against its kind, and its position against
// MaxQuestions; errors name the question by its position, as the survey's input lists it.
func questionShape(next ent.Mutator) ent.Mutator {
	return hook.SurveyQuestionFunc(func(ctx context.Context, m *ent.SurveyQuestionMutation) (ent.Value, error) {
		kind, setsKind := m.Kind()
		options, setsOptions := m.Options()
		position, setsPosition := m.Position()
		if !setsKind && !setsOptions && !m.OptionsCleared() {
			return next.Mutate(ctx, m)
		}
		if !m.Op().Is(ent.OpCreate) {
			return nil, apperr.Forbidden("questions are replaced, not changed")
		}
		if setsPosition && position >= MaxQuestions {
			return nil, apperr.Invalid("questions", fmt.Sprintf("give 1 to %d questions", MaxQuestions))
		}
		choice := kind == surveyquestion.KindSINGLE_CHOICE || kind == surveyquestion.KindMULTI_CHOICE
		if choice != (len(options) >= 2) || len(options) > MaxOptions {
			return nil, apperr.Invalid(fmt.Sprintf("questions.%d.options", position), "choice questions need 2 to 20 options, others none")
		}
		return next.Mutate(ctx, m)
	})
}

// questionsFrozen refuses changes of a survey's questions once it has a response.
func questionsFrozen(next ent.Mutator) ent.Mutator {
	return hook.SurveyQuestionFunc(func(ctx context.Context, m *ent.SurveyQuestionMutation) (ent.Value, error) {
		surveyID, ok := m.SurveyID()
		if !ok {
			ids, err := m.IDs(policy.System(ctx))
			if err != nil {
				return nil, err
			}
			sids, err := m.Client().SurveyQuestion.Query().Where(surveyquestion.IDIn(ids...)).QuerySurvey().IDs(policy.System(ctx))
			if err != nil {
				return nil, err
			}
			for _, sid := range sids {
				if err := noResponses(ctx, m.Client(), sid); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		}
		if err := noResponses(ctx, m.Client(), surveyID); err != nil {
			return nil, err
		}
		return next.Mutate(ctx, m)
	})
}
