package graph

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyquestion"
	"zirkel/ent/surveyresponse"
	"zirkel/graph/model"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// Limits of surveys.
const (
	minGroup     = 5 // smaller groups are suppressed
	maxQuestions = 100
	maxOptions   = 20
	maxText      = 2000
)

// createSurvey stores a survey and its questions; the viewer owns it.
func createSurvey(ctx context.Context, c *ent.Client, input ent.CreateSurveyInput, questions []*model.SurveyQuestionInput) (*ent.Survey, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if !input.ClosesAt.After(input.OpensAt) {
		return nil, apperr.Invalid("closesAt", "must be after opensAt")
	}
	if len(questions) == 0 || len(questions) > maxQuestions {
		return nil, apperr.Invalid("questions", fmt.Sprintf("give 1 to %d questions", maxQuestions))
	}
	for i, q := range questions {
		choice := q.Kind == surveyquestion.KindSINGLE_CHOICE || q.Kind == surveyquestion.KindMULTI_CHOICE
		if choice != (len(q.Options) >= 2) || len(q.Options) > maxOptions {
			return nil, apperr.Invalid(fmt.Sprintf("questions.%d.options", i), "choice questions need 2 to 20 options, others none")
		}
	}
	s, err := c.Survey.Create().SetInput(input).SetOwnerID(v.MemberID).Save(ctx)
	if err != nil {
		return nil, err
	}
	builders := make([]*ent.SurveyQuestionCreate, len(questions))
	for i, q := range questions {
		builders[i] = c.SurveyQuestion.Create().SetSurveyID(s.ID).SetPosition(i).SetKind(q.Kind).
			SetText(q.Text).SetOptions(q.Options).SetRequired(deref(q.Required))
	}
	if _, err := c.SurveyQuestion.CreateBulk(builders...).Save(policy.System(ctx)); err != nil {
		return nil, err
	}
	return s, nil
}

// respondentKey identifies the respondent (member, or organisation for per-organisation
// surveys) of one survey by an HMAC under a secret kept outside the database.
func (r *Resolver) respondentKey(v *viewer.Viewer, s *ent.Survey) (string, error) {
	subject := v.MemberID
	if s.ResponseScope == survey.ResponseScopeORGANISATION {
		if v.OrganisationID == "" {
			return "", apperr.Invalid("surveyID", "answered per organisation: the viewer belongs to none")
		}
		subject = v.OrganisationID
	}
	mac := hmac.New(sha256.New, r.surveySecret)
	fmt.Fprintf(mac, "%s|%s", s.ID, subject)
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// respond validates the answers and stores or replaces the viewer's response.
func (r *Resolver) respond(ctx context.Context, c *ent.Client, surveyID gid.ID, answers []*model.AnswerInput) error {
	v, err := requireViewer(ctx)
	if err != nil {
		return err
	}
	s, err := c.Survey.Get(ctx, surveyID) // only surveys the viewer may answer are found
	if err != nil {
		return notFoundAs("surveyID", err)
	}
	if now := time.Now(); now.Before(s.OpensAt) || !now.Before(s.ClosesAt) {
		return apperr.Invalid("surveyID", "the survey is not open")
	}
	sys := policy.System(ctx)
	questions, err := c.SurveyQuestion.Query().Where(surveyquestion.HasSurveyWith(survey.ID(s.ID))).All(sys)
	if err != nil {
		return err
	}
	normalised, err := validateAnswers(questions, answers)
	if err != nil {
		return err
	}
	key, err := r.respondentKey(v, s)
	if err != nil {
		return err
	}
	existing, err := c.SurveyResponse.Query().Where(surveyresponse.HasSurveyWith(survey.ID(s.ID)), surveyresponse.RespondentKey(key)).Only(sys)
	switch {
	case err == nil:
		return c.SurveyResponse.UpdateOne(existing).SetAnswers(normalised).Exec(sys)
	case !ent.IsNotFound(err):
		return err
	}
	create := c.SurveyResponse.Create().SetSurveyID(s.ID).SetRespondentKey(key).SetAnswers(normalised)
	if s.Anonymous {
		create.SetSubmittedAt(s.OpensAt) // no time of its own: it could be matched with logs
	} else {
		create.SetSubmittedAt(time.Now()).SetMemberID(v.MemberID)
	}
	if err := create.Exec(sys); err != nil {
		return err
	}
	return c.Survey.UpdateOne(s).AddResponseCount(1).Exec(sys)
}

// validateAnswers checks answers against the questions and returns them by question id.
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
		if value != nil {
			out[string(q.ID)] = value
		}
	}
	for _, q := range questions {
		if _, ok := out[string(q.ID)]; q.Required && !ok {
			return nil, apperr.Invalid("answers", fmt.Sprintf("question %d is required", q.Position+1))
		}
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
	if utf8.RuneCountInString(text) > maxText {
		return nil, fmt.Errorf("text is longer than %d characters", maxText)
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
	sys := policy.System(ctx)
	owner, err := s.QueryOwner().Where(member.ID(v.MemberID)).Exist(sys)
	if err != nil || owner || time.Now().Before(s.ClosesAt) {
		return owner, err
	}
	key, err := r.respondentKey(v, s)
	if err != nil {
		return false, nil
	}
	return r.client.SurveyResponse.Query().Where(surveyresponse.HasSurveyWith(survey.ID(s.ID)), surveyresponse.RespondentKey(key)).Exist(sys)
}

// results aggregates the responses; see SurveyResults in the schema for the suppression.
func results(ctx context.Context, c *ent.Client, s *ent.Survey) (*model.SurveyResults, error) {
	sys := policy.System(ctx)
	questions, err := c.SurveyQuestion.Query().Where(surveyquestion.HasSurveyWith(survey.ID(s.ID))).
		Order(ent.Asc(surveyquestion.FieldPosition)).All(sys)
	if err != nil {
		return nil, err
	}
	responses, err := c.SurveyResponse.Query().Where(surveyresponse.HasSurveyWith(survey.ID(s.ID))).All(sys)
	if err != nil {
		return nil, err
	}
	out := &model.SurveyResults{Questions: []*model.QuestionResult{}}
	if len(responses) < minGroup {
		out.Suppressed = true
		return out, nil
	}
	n := len(responses)
	out.Respondents = &n
	for _, q := range questions {
		var answers []any
		for _, r := range responses {
			if a, ok := r.Answers[string(q.ID)]; ok {
				answers = append(answers, a)
			}
		}
		out.Questions = append(out.Questions, questionResult(q, answers))
	}
	return out, nil
}

// questionResult aggregates one question's answers.
func questionResult(q *ent.SurveyQuestion, answers []any) *model.QuestionResult {
	res := &model.QuestionResult{Question: q, Options: []*model.OptionResult{}, Texts: []string{}}
	res.Respondents = suppress(len(answers))
	if len(answers) < minGroup {
		return res
	}
	switch q.Kind {
	case surveyquestion.KindSINGLE_CHOICE, surveyquestion.KindMULTI_CHOICE:
		counts := make([]int, len(q.Options))
		for _, a := range answers {
			for _, c := range choices(a) {
				if c >= 0 && c < len(counts) {
					counts[c]++
				}
			}
		}
		for i, opt := range q.Options {
			o := &model.OptionResult{Option: opt, Count: suppress(counts[i])}
			if o.Count != nil {
				share := float64(counts[i]) / float64(len(answers))
				o.Share = &share
			}
			res.Options = append(res.Options, o)
		}
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
		for _, a := range answers {
			if s, ok := a.(string); ok {
				res.Texts = append(res.Texts, s)
			}
		}
		rand.Shuffle(len(res.Texts), func(i, j int) { res.Texts[i], res.Texts[j] = res.Texts[j], res.Texts[i] })
	}
	return res
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

// suppress hides counts of 1 to 4.
func suppress(n int) *int {
	if n > 0 && n < minGroup {
		return nil
	}
	return &n
}
