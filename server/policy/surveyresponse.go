package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyresponse"
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
