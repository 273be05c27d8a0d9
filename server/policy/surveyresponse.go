package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyresponse"
	"zirkel/server/viewer"
)

// Responded tells whether the survey has a response with the respondent key: the viewer's
// own (the key is computed by the server from the viewer, see integrity.RespondentKey), so
// the read, beyond the rule that nobody reads responses, tells the viewer only about
// themselves.
func Responded(ctx context.Context, c *ent.Client, surveyID gid.ID, key string) (bool, error) {
	return c.SurveyResponse.Query().Where(surveyresponse.HasSurveyWith(survey.ID(surveyID)), surveyresponse.RespondentKey(key)).Exist(System(ctx))
}

// PublishedAnswers are the published answers of a survey's responses (see
// SurveyResponse.published_answers), without anything that links them to a respondent, for
// the results that the caller aggregates as server/anonymity says.
func PublishedAnswers(ctx context.Context, c *ent.Client, surveyID gid.ID) ([]map[string]any, error) {
	responses, err := c.SurveyResponse.Query().
		Where(surveyresponse.HasSurveyWith(survey.ID(surveyID)), surveyresponse.PublishedAnswersNotNil()).
		Select(surveyresponse.FieldPublishedAnswers).All(System(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(responses))
	for i, r := range responses {
		out[i] = r.PublishedAnswers
	}
	return out, nil
}

// SurveyResponseRows: nobody reads responses directly.
func SurveyResponseRows(v *viewer.Viewer) predicate.SurveyResponse {
	return nobody[predicate.SurveyResponse](v)
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
