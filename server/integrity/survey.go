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

// Survey is the integrity of surveys, declared in ent/schema/survey.go: a survey closes after
// it opens, is closed only once, and is frozen from its first response (it can still be
// closed).
func Survey() []ent.Hook { return []ent.Hook{surveyTimes, surveyFrozen} }

// surveyTimes refuses a survey that closes before it opens, and closing a closed one. An
// update is checked with the stored times it leaves as they are.
func surveyTimes(next ent.Mutator) ent.Mutator {
	return hook.SurveyFunc(func(ctx context.Context, m *ent.SurveyMutation) (ent.Value, error) {
		opens, setsOpens := m.OpensAt()
		closes, setsCloses := m.ClosesAt()
		if !setsOpens && !setsCloses {
			return next.Mutate(ctx, m)
		}
		switch {
		case m.Op().Is(ent.OpUpdateOne):
			id, _ := m.ID()
			old, err := m.Client().Survey.Get(policy.System(ctx), id)
			if err != nil {
				return nil, err
			}
			now := time.Now()
			if setsCloses && !closes.After(now) && !old.ClosesAt.After(now) {
				return nil, apperr.Conflict("the survey is closed")
			}
			if !setsOpens {
				opens = old.OpensAt
			}
			if !setsCloses {
				closes = old.ClosesAt
			}
		case !m.Op().Is(ent.OpCreate):
			return nil, apperr.Forbidden("surveys are rescheduled one at a time")
		}
		if !closes.After(opens) {
			return nil, apperr.Invalid("closesAt", "must be after opensAt")
		}
		return next.Mutate(ctx, m)
	})
}

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
