package integrity

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyresponse"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// Survey is the integrity of surveys, declared in ent/schema/survey.go: a survey is frozen
// from its first response (it can still be closed).
func Survey() []ent.Hook { return []ent.Hook{surveyFrozen} }

// surveyFrozen refuses changes of a survey's texts and times once it has a response, except
// closing it (a closing time not in the future).
func surveyFrozen(next ent.Mutator) ent.Mutator {
	return hook.SurveyFunc(func(ctx context.Context, m *ent.SurveyMutation) (ent.Value, error) {
		id, ok := m.ID()
		if !ok || !m.Op().Is(ent.OpUpdateOne) {
			return next.Mutate(ctx, m)
		}
		editing := false
		for _, f := range m.Fields() {
			switch f {
			case survey.FieldResponseCount, survey.FieldPublishedCount, survey.FieldUpdatedAt:
			case survey.FieldClosesAt:
				closes, _ := m.ClosesAt()
				editing = editing || closes.After(time.Now())
			default:
				editing = true
			}
		}
		v, err := next.Mutate(ctx, m) // first: on PostgreSQL this locks the row a new response counts itself on
		if err != nil || !editing {
			return v, err
		}
		return v, noResponses(ctx, m.Client(), id)
	})
}

// noResponses fails with CONFLICT when the survey has a response.
func noResponses(ctx context.Context, c *ent.Client, surveyID gid.ID) error {
	has, err := c.SurveyResponse.Query().Where(surveyresponse.HasSurveyWith(survey.ID(surveyID))).Exist(policy.System(ctx))
	if err != nil {
		return err
	}
	if has {
		return apperr.Conflict("the survey has responses: it can only be closed")
	}
	return nil
}
