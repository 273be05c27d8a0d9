package integrity

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/surveyquestion"
	"zirkel/server/policy"
)

// SurveyQuestion is the integrity of survey questions, declared in
// ent/schema/surveyquestion.go: a survey's questions are frozen from its first response.
func SurveyQuestion() []ent.Hook { return []ent.Hook{questionsFrozen} }

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
