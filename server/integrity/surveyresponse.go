package integrity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	entsql "entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/ent/surveyquestion"
	"zirkel/ent/surveyresponse"
	"zirkel/server/anonymity"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// SurveyResponse is the integrity of survey responses, declared in
// ent/schema/surveyresponse.go: one response per respondent while the survey is open, with
// answers that fit the questions (see respondOnce); results change only in steps of
// anonymity.K responses for anonymous surveys (see publishResponses).
func SurveyResponse() []ent.Hook { return []ent.Hook{respondOnce, publishResponses} }

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

// respondentSecretKey carries the secret that keys responses (see WithRespondentSecret).
type respondentSecretKey struct{}

// WithRespondentSecret gives the response rules the secret that keys a respondent's response
// (RespondentKey). It is kept outside the database; a write without it stores no response.
func WithRespondentSecret(ctx context.Context, secret []byte) context.Context {
	return context.WithValue(ctx, respondentSecretKey{}, secret)
}

// RespondentKey identifies the respondent of one survey (the member, or their organisation
// for per-organisation surveys) by an HMAC under the secret, so that a response is found
// again without storing who gave it.
func RespondentKey(secret []byte, v *viewer.Viewer, s *ent.Survey) (string, error) {
	subject := v.MemberID
	if s.ResponseScope == survey.ResponseScopeORGANISATION {
		if v.OrganisationID == "" {
			return "", apperr.Invalid("surveyID", "answered per organisation: the viewer belongs to none")
		}
		subject = v.OrganisationID
	}
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "%s|%s", s.ID, subject)
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// respondOnce stores a viewer's response as the rules of surveys say: only while the survey
// is open; one per respondent, keyed by the server (a second response changes the answers of
// the first; an answer given as null removes it); answers that fit their questions and every
// required question answered; in an anonymous survey no member and no time of its own (the
// survey's opening time), otherwise the member and the time. Trusted code stores responses
// as given.
func respondOnce(next ent.Mutator) ent.Mutator {
	return hook.SurveyResponseFunc(func(ctx context.Context, m *ent.SurveyResponseMutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) || trusted(ctx) {
			return next.Mutate(ctx, m)
		}
		secret, _ := ctx.Value(respondentSecretKey{}).([]byte)
		v := viewer.FromContext(ctx)
		if len(secret) == 0 || v == nil {
			return nil, apperr.Forbidden("responses are keyed by the server")
		}
		sys := policy.System(ctx)
		surveyID, _ := m.SurveyID()
		s, err := m.Client().Survey.Get(sys, surveyID)
		if err != nil {
			return nil, err
		}
		now := time.Now()
		if now.Before(s.OpensAt) || !now.Before(s.ClosesAt) {
			return nil, apperr.Invalid("surveyID", "the survey is not open")
		}
		key, err := RespondentKey(secret, v, s)
		if err != nil {
			return nil, err
		}
		m.SetRespondentKey(key)
		if s.Anonymous {
			m.ResetMember()
			m.SetSubmittedAt(s.OpensAt) // no time of its own: it could be matched with logs
		} else {
			m.SetMemberID(v.MemberID)
			m.SetSubmittedAt(now)
		}
		questions, err := m.Client().SurveyQuestion.Query().Where(surveyquestion.HasSurveyWith(survey.ID(s.ID))).All(sys)
		if err != nil {
			return nil, err
		}
		given, _ := m.Answers()
		if err := checkAnswers(questions, given); err != nil {
			return nil, err
		}
		existing, err := m.Client().SurveyResponse.Query().
			Where(surveyresponse.HasSurveyWith(survey.ID(s.ID)), surveyresponse.RespondentKey(key)).Only(sys)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		merged := map[string]any{}
		if existing != nil {
			maps.Copy(merged, existing.Answers)
		}
		for id, value := range given {
			if value == nil {
				delete(merged, id)
			} else {
				merged[id] = value
			}
		}
		for _, q := range questions {
			if _, ok := merged[string(q.ID)]; q.Required && !ok {
				return nil, apperr.Invalid("answers", fmt.Sprintf("question %d is required", q.Position+1))
			}
		}
		if existing != nil { // answering again changes the answers given
			return m.Client().SurveyResponse.UpdateOneID(existing.ID).SetAnswers(merged).Save(sys)
		}
		m.SetAnswers(merged)
		return next.Mutate(ctx, m)
	})
}

// checkAnswers checks answers by question id against the survey's questions: choices are
// indexes of the question's options (distinct, for multiple choice), scales 1 to 5, numbers
// numbers, texts strings; nil removes an answer.
func checkAnswers(questions []*ent.SurveyQuestion, answers map[string]any) error {
	byID := map[string]*ent.SurveyQuestion{}
	for _, q := range questions {
		byID[string(q.ID)] = q
	}
	for id, value := range answers {
		q, ok := byID[id]
		if !ok {
			return apperr.Invalid("answers", "refer to questions of another survey")
		}
		if value != nil && !fitsQuestion(q, value) {
			return apperr.Invalid("answers", fmt.Sprintf("question %d has an answer that does not fit it", q.Position+1))
		}
	}
	return nil
}

// fitsQuestion tells whether a stored answer fits its question.
func fitsQuestion(q *ent.SurveyQuestion, value any) bool {
	option := func(x any) (int, bool) {
		n, ok := number(x)
		i := int(n)
		return i, ok && float64(i) == n && i >= 0 && i < len(q.Options)
	}
	switch q.Kind {
	case surveyquestion.KindSINGLE_CHOICE:
		_, ok := option(value)
		return ok
	case surveyquestion.KindMULTI_CHOICE:
		var list []any
		switch xs := value.(type) {
		case []int:
			for _, x := range xs {
				list = append(list, x)
			}
		case []any:
			list = xs
		default:
			return false
		}
		seen := map[int]bool{}
		for _, x := range list {
			i, ok := option(x)
			if !ok || seen[i] {
				return false
			}
			seen[i] = true
		}
		return true
	case surveyquestion.KindSCALE:
		n, ok := number(value)
		return ok && n == float64(int(n)) && n >= 1 && n <= 5
	case surveyquestion.KindNUMBER:
		_, ok := number(value)
		return ok
	}
	s, ok := value.(string)
	return ok && strings.TrimSpace(s) != "" && utf8.RuneCountInString(s) <= MaxAnswerText
}

// MaxAnswerText is the longest answer to a TEXT question, in characters.
const MaxAnswerText = 2000

// number reads a stored number (as set, or as JSON gives it back).
func number(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
