package integrity

import (
	"context"

	entsql "entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyresponse"
	"zirkel/server/anonymity"
	"zirkel/server/policy"
)

// SurveyResponse is the integrity of survey responses, declared in
// ent/schema/surveyresponse.go: results change only in steps of anonymity.K responses for
// anonymous surveys (see publishResponses).
func SurveyResponse() []ent.Hook { return []ent.Hook{publishResponses} }

// publishResponses counts responses and publishes answers after they are written: for a
// survey that is not anonymous at once, for an anonymous one all its responses together
// whenever their number reaches a multiple of anonymity.K, so that the results never change
// by fewer than anonymity.K responses and no change of the results points at one respondent.
// A new response is first counted under a write of the survey's row (see countResponse): on
// PostgreSQL that locks the row, so concurrent responses are counted and published one after
// the other.
func publishResponses(next ent.Mutator) ent.Mutator {
	return hook.SurveyResponseFunc(func(ctx context.Context, m *ent.SurveyResponseMutation) (ent.Value, error) {
		sys := policy.System(ctx)
		switch {
		case m.Op().Is(ent.OpCreate):
			surveyID, _ := m.SurveyID()
			s, n, err := countResponse(ctx, m.Client(), surveyID)
			if err != nil {
				return nil, err
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return nil, err
			}
			return v, publish(ctx, m.Client(), s, v.(*ent.SurveyResponse).ID, n, s.Anonymous && n%anonymity.K == 0)
		case m.Op().Is(ent.OpUpdateOne):
			if _, answers := m.Answers(); !answers {
				return next.Mutate(ctx, m)
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return nil, err
			}
			r := v.(*ent.SurveyResponse)
			s, err := m.Client().Survey.Query().Where(survey.HasResponsesWith(surveyresponse.ID(r.ID))).Only(sys)
			if err != nil {
				return nil, err
			}
			return v, publish(ctx, m.Client(), s, r.ID, s.ResponseCount, false)
		}
		return next.Mutate(ctx, m)
	})
}

// countResponse counts a new response of the survey: it first writes the survey's row
// (unchanged: on PostgreSQL that locks the row, so concurrent responses are counted one after
// the other), then counts the responses stored so far. It returns the survey as it was and
// the number of responses with the new one.
//
// Nothing of the survey changes here: a response leaves no time of its own, not even the
// survey's updated_at (ent fills it only when the mutation leaves it unset), and
// response_count moves only with the published results (see publish).
func countResponse(ctx context.Context, c *ent.Client, surveyID gid.ID) (*ent.Survey, int, error) {
	sys := policy.System(ctx)
	old, err := c.Survey.Get(sys, surveyID)
	if err != nil {
		return nil, 0, err
	}
	s, err := c.Survey.UpdateOneID(surveyID).SetUpdatedAt(old.UpdatedAt).Save(sys)
	if err != nil {
		return nil, 0, err
	}
	n, err := c.SurveyResponse.Query().Where(surveyresponse.HasSurveyWith(survey.ID(surveyID))).Count(sys)
	if err != nil {
		return nil, 0, err
	}
	return s, n + 1, nil
}

// publish copies answers to published_answers: of the response for a survey that is not
// anonymous, of all the survey's n responses when all is set, otherwise of none. The survey's
// response_count and published_count then say how many responses the results cover (for an
// anonymous survey a multiple of anonymity.K, never the exact number in between); its
// updated_at stays as it was.
func publish(ctx context.Context, c *ent.Client, s *ent.Survey, responseID gid.ID, n int, all bool) error {
	if s.Anonymous && !all {
		return nil
	}
	sys := policy.System(ctx)
	update := c.SurveyResponse.Update().Where(surveyresponse.HasSurveyWith(survey.ID(s.ID)))
	if !all {
		update.Where(surveyresponse.ID(responseID))
	}
	err := update.Modify(func(u *entsql.UpdateBuilder) {
		u.Set(surveyresponse.FieldPublishedAnswers, entsql.Expr(surveyresponse.FieldAnswers))
	}).Exec(sys)
	if err != nil {
		return err
	}
	return c.Survey.UpdateOneID(s.ID).SetPublishedCount(n).SetResponseCount(n).SetUpdatedAt(s.UpdatedAt).Exec(sys)
}
