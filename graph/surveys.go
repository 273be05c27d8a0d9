package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyquestion"
	"zirkel/graph/model"
	"zirkel/server/anonymity"
	"zirkel/server/apperr"
	"zirkel/server/integrity"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// createSurvey stores a survey and its questions; the viewer owns it.
func createSurvey(ctx context.Context, c *ent.Client, input ent.CreateSurveyInput, questions []*model.SurveyQuestionInput) (*ent.Survey, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateQuestions(questions); err != nil {
		return nil, err
	}
	s, err := c.Survey.Create().SetInput(input).SetOwnerID(v.MemberID).Save(ctx)
	if err != nil {
		return nil, err
	}
	return s, storeQuestions(ctx, c, s.ID, questions)
}

// updateSurvey changes a survey and, when given, replaces its questions: the owner, before
// the first response (the survey's policy and integrity hooks say so).
func updateSurvey(ctx context.Context, c *ent.Client, id gid.ID, input ent.UpdateSurveyInput, questions []*model.SurveyQuestionInput) (*ent.Survey, error) {
	s, err := c.Survey.Get(ctx, id)
	if err != nil {
		return nil, notFoundAs("id", err)
	}
	if questions != nil {
		if err := validateQuestions(questions); err != nil {
			return nil, err
		}
	}
	if s, err = c.Survey.UpdateOne(s).SetInput(input).Save(ctx); err != nil {
		return nil, err
	}
	if questions == nil {
		return s, nil
	}
	if _, err := c.SurveyQuestion.Delete().Where(surveyquestion.HasSurveyWith(survey.ID(s.ID))).Exec(ctx); err != nil {
		return nil, err
	}
	return s, storeQuestions(ctx, c, s.ID, questions)
}

// closeSurvey closes a survey now; the owner may, also after responses.
func closeSurvey(ctx context.Context, c *ent.Client, id gid.ID) (*ent.Survey, error) {
	s, err := c.Survey.Get(ctx, id)
	if err != nil {
		return nil, notFoundAs("id", err)
	}
	now := time.Now() // closing a closed survey is refused (server/integrity/survey.go)
	update := c.Survey.UpdateOne(s).SetClosesAt(now)
	if now.Before(s.OpensAt) {
		update.SetOpensAt(now)
	}
	return update.Save(ctx)
}

// validateQuestions checks that the input gives 1 to integrity.MaxQuestions questions; each
// question's shape is its integrity (server/integrity/surveyquestion.go).
func validateQuestions(questions []*model.SurveyQuestionInput) error {
	if len(questions) == 0 || len(questions) > integrity.MaxQuestions {
		return apperr.Invalid("questions", fmt.Sprintf("give 1 to %d questions", integrity.MaxQuestions))
	}
	return nil
}

// storeQuestions adds the questions to a survey (its owner's: see policy.SurveyPart).
func storeQuestions(ctx context.Context, c *ent.Client, surveyID gid.ID, questions []*model.SurveyQuestionInput) error {
	builders := make([]*ent.SurveyQuestionCreate, len(questions))
	for i, q := range questions {
		builders[i] = c.SurveyQuestion.Create().SetSurveyID(surveyID).SetPosition(i).SetKind(q.Kind).
			SetText(q.Text).SetOptions(q.Options).SetRequired(deref(q.Required))
	}
	_, err := c.SurveyQuestion.CreateBulk(builders...).Save(ctx)
	return err
}

// respondentKey identifies the viewer as the respondent of one survey (see
// integrity.RespondentKey).
func (r *Resolver) respondentKey(v *viewer.Viewer, s *ent.Survey) (string, error) {
	return integrity.RespondentKey(r.surveySecret, v, s)
}

// respond stores the viewer's answers; the response's integrity keys it, checks the answers
// against the questions and merges them into an earlier response of the viewer
// (server/integrity/surveyresponse.go). It reports whether the published results changed
// (for anonymous surveys only every anonymity.K responses).
func (r *Resolver) respond(ctx context.Context, c *ent.Client, surveyID gid.ID, answers []*model.AnswerInput) (bool, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return false, err
	}
	s, err := c.Survey.Get(ctx, surveyID) // only surveys the viewer may answer are found
	if err != nil {
		return false, notFoundAs("surveyID", err)
	}
	questions, err := c.SurveyQuestion.Query().Where(surveyquestion.HasSurveyWith(survey.ID(s.ID))).All(ctx)
	if err != nil {
		return false, err
	}
	given, err := validateAnswers(questions, answers)
	if err != nil {
		return false, err
	}
	err = c.SurveyResponse.Create().SetSurveyID(s.ID).SetMemberID(v.MemberID).SetAnswers(given).
		SetSubmittedAt(time.Now()).Exec(integrity.WithRespondentSecret(ctx, r.surveySecret))
	if err != nil {
		return false, err
	}
	after, err := c.Survey.Get(ctx, s.ID)
	if err != nil {
		return false, err
	}
	return !s.Anonymous || after.PublishedCount != s.PublishedCount, nil
}

// validateAnswers checks answers against the questions and returns them by question id; a nil
// value (an empty TEXT) removes that answer.
func validateAnswers(questions []*ent.SurveyQuestion, answers []*model.AnswerInput) (map[string]any, error) {
	byID := map[gid.ID]*ent.SurveyQuestion{}
	for _, q := range questions {
		byID[q.ID] = q
	}
	out := map[string]any{}
	for i, a := range answers {
		q, ok := byID[a.QuestionID]
		field := fmt.Sprintf("answers.%d", i)
		if !ok {
			return nil, apperr.Invalid(field+".questionID", "is not a question of this survey")
		}
		value, err := answerValue(q, a)
		if err != nil {
			return nil, apperr.Invalid(field, err.Error())
		}
		out[string(q.ID)] = value
	}
	return out, nil
}

// answerValue is the stored form of one answer, or an error saying what is wrong.
func answerValue(q *ent.SurveyQuestion, a *model.AnswerInput) (any, error) {
	switch q.Kind {
	case surveyquestion.KindSINGLE_CHOICE:
		if a.Choice == nil || *a.Choice < 0 || *a.Choice >= len(q.Options) {
			return nil, fmt.Errorf("choice must be an option's index")
		}
		return *a.Choice, nil
	case surveyquestion.KindMULTI_CHOICE:
		seen := map[int]bool{}
		for _, c := range a.Choices {
			if c < 0 || c >= len(q.Options) || seen[c] {
				return nil, fmt.Errorf("choices must be distinct option indexes")
			}
			seen[c] = true
		}
		return slices.Sorted(func(yield func(int) bool) {
			for c := range seen {
				if !yield(c) {
					return
				}
			}
		}), nil
	case surveyquestion.KindSCALE:
		if a.Scale == nil || *a.Scale < 1 || *a.Scale > 5 {
			return nil, fmt.Errorf("scale must be 1 to 5")
		}
		return *a.Scale, nil
	case surveyquestion.KindNUMBER:
		if a.Number == nil {
			return nil, fmt.Errorf("number is missing")
		}
		return *a.Number, nil
	}
	text := strings.TrimSpace(deref(a.Text))
	if utf8.RuneCountInString(text) > integrity.MaxAnswerText {
		return nil, fmt.Errorf("text is longer than %d characters", integrity.MaxAnswerText)
	}
	if text == "" {
		return nil, nil
	}
	return text, nil
}

// mayReadResults: the owner at any time, respondents after the survey closed.
func (r *Resolver) mayReadResults(ctx context.Context, s *ent.Survey) (bool, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return false, nil
	}
	owner, err := isOwner(ctx, r.client, s)
	if err != nil || owner || time.Now().Before(s.ClosesAt) {
		return owner, err
	}
	key, err := r.respondentKey(v, s)
	if err != nil {
		return false, nil
	}
	return policy.Responded(ctx, r.client, s.ID, key)
}

// results aggregates the published answers (see SurveyResults in the schema and
// server/anonymity for what is suppressed); free texts only for the owner.
func results(ctx context.Context, c *ent.Client, s *ent.Survey) (*model.SurveyResults, error) {
	questions, err := c.SurveyQuestion.Query().Where(surveyquestion.HasSurveyWith(survey.ID(s.ID))).
		Order(ent.Asc(surveyquestion.FieldPosition)).All(ctx)
	if err != nil {
		return nil, err
	}
	responses, err := policy.PublishedAnswers(ctx, c, s.ID)
	if err != nil {
		return nil, err
	}
	out := &model.SurveyResults{Questions: []*model.QuestionResult{}}
	n := len(responses)
	if !anonymity.Enough(n) {
		out.Suppressed = true
		return out, nil
	}
	owner, err := isOwner(ctx, c, s)
	if err != nil {
		return nil, err
	}
	out.Respondents = &n
	for _, q := range questions {
		var answers []any
		for _, r := range responses {
			if a, ok := r[string(q.ID)]; ok {
				answers = append(answers, a)
			}
		}
		out.Questions = append(out.Questions, questionResult(q, answers, n, owner))
	}
	return out, nil
}

// isOwner reports whether the viewer owns the survey.
func isOwner(ctx context.Context, c *ent.Client, s *ent.Survey) (bool, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return false, nil
	}
	return c.Survey.Query().Where(survey.ID(s.ID), survey.HasOwnerWith(member.ID(v.MemberID))).Exist(ctx)
}

// questionResult aggregates one question's answers out of n respondents. Its table is the
// count of each option plus the count of those who skipped it (they add up to n for single
// choice); anonymity.Hide decides which counts are shown, and the question's respondents (n
// minus the skipped) and everything derived from it (the shares, the mean and median, the
// owner's free texts) only show when the skipped count does.
func questionResult(q *ent.SurveyQuestion, answers []any, n int, owner bool) *model.QuestionResult {
	res := &model.QuestionResult{Question: q, Options: []*model.OptionResult{}, Texts: []string{}}
	answered := len(answers)
	choice := q.Kind == surveyquestion.KindSINGLE_CHOICE || q.Kind == surveyquestion.KindMULTI_CHOICE
	counts := []int{answered}
	if choice {
		counts = choiceCounts(q, answers)
	}
	counts = append(counts, n-answered)
	hidden := anonymity.Hide(counts)
	skippedShown := !hidden[len(counts)-1]
	if skippedShown {
		res.Respondents = &answered
	}
	if !anonymity.Enough(answered) {
		return res
	}
	if choice {
		for i, opt := range q.Options {
			o := &model.OptionResult{Option: opt}
			if !hidden[i] {
				o.Count = &counts[i]
				if skippedShown {
					share := float64(counts[i]) / float64(answered)
					o.Share = &share
				}
			}
			res.Options = append(res.Options, o)
		}
		return res
	}
	if !skippedShown { // a mean of 7 values or 7 texts would tell how many skipped
		return res
	}
	switch q.Kind {
	case surveyquestion.KindSCALE, surveyquestion.KindNUMBER:
		values := make([]float64, 0, len(answers))
		sum := 0.0
		for _, a := range answers {
			if f, ok := a.(float64); ok {
				values = append(values, f)
				sum += f
			}
		}
		slices.Sort(values)
		mean := sum / float64(len(values))
		res.Median, res.Mean = quantile(values, 0.5), &mean
	case surveyquestion.KindTEXT:
		if !owner {
			return res
		}
		for _, a := range answers {
			if s, ok := a.(string); ok {
				res.Texts = append(res.Texts, s)
			}
		}
		slices.Sort(res.Texts) // an order that says nothing about who answered when
	}
	return res
}

// choiceCounts counts how often each option was chosen.
func choiceCounts(q *ent.SurveyQuestion, answers []any) []int {
	counts := make([]int, len(q.Options))
	for _, a := range answers {
		for _, c := range choices(a) {
			if c >= 0 && c < len(counts) {
				counts[c]++
			}
		}
	}
	return counts
}

// choices reads a stored choice answer (JSON numbers come back as float64).
func choices(a any) []int {
	switch v := a.(type) {
	case float64:
		return []int{int(v)}
	case []any:
		out := make([]int, 0, len(v))
		for _, x := range v {
			if f, ok := x.(float64); ok {
				out = append(out, int(f))
			}
		}
		return out
	}
	return nil
}
