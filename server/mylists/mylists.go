// Package mylists answers the lists a member looks for (issue 12) where the answer needs facts
// the member may not read row by row: the place on a waitlist (how many others wait before
// them) and which open surveys they have not answered (responses are read by nobody, and
// anonymous ones are found only through the respondent key). Each function returns only what
// concerns the viewer; everything else is read under the viewer's own rules in package graph.
package mylists

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/registration"
	"zirkel/ent/survey"
	"zirkel/ent/surveyresponse"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// WaitlistPosition is the place of a WAITLISTED registration on its event's waitlist (1 moves
// up next, in the order of registration); nil for other registrations. The caller has read
// reg under the viewer's rules; the count of those ahead says nothing about who they are.
func WaitlistPosition(ctx context.Context, client *ent.Client, reg *ent.Registration) (*int, error) {
	if reg.Status != registration.StatusWAITLISTED {
		return nil, nil
	}
	sys := policy.System(ctx)
	eventID, err := client.Registration.QueryEvent(reg).OnlyID(sys)
	if err != nil {
		return nil, err
	}
	ahead, err := client.Registration.Query().Where(
		registration.HasEventWith(event.ID(eventID)),
		registration.StatusEQ(registration.StatusWAITLISTED),
		registration.Or(registration.RegisteredAtLT(reg.RegisteredAt),
			registration.And(registration.RegisteredAt(reg.RegisteredAt), registration.IDLT(reg.ID))),
	).Count(sys)
	if err != nil {
		return nil, err
	}
	pos := ahead + 1
	return &pos, nil
}

// maxOpenSurveys bounds how many open surveys are checked for one list.
const maxOpenSurveys = 500

// SurveysToAnswer lists the open surveys the viewer may answer (read under their rules) that
// they have not answered yet, closing soonest first, at most first of them. secret is the key
// of respondent keys (graph's respondentKey; the same function as RespondentKey).
func SurveysToAnswer(ctx context.Context, client *ent.Client, secret []byte, first int) ([]*ent.Survey, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, nil
	}
	now := time.Now()
	open, err := client.Survey.Query().Where(survey.OpensAtLTE(now), survey.ClosesAtGT(now)).
		Order(ent.Asc(survey.FieldClosesAt), ent.Asc(survey.FieldID)).Limit(maxOpenSurveys).All(ctx)
	if err != nil || len(open) == 0 {
		return open, err
	}
	keys := make([]string, 0, len(open))
	for _, s := range open {
		if k, ok := RespondentKey(secret, v, s); ok {
			keys = append(keys, k)
		}
	}
	answered, err := client.SurveyResponse.Query().Where(surveyresponse.RespondentKeyIn(keys...)).
		Select(surveyresponse.FieldRespondentKey).Strings(policy.System(ctx))
	if err != nil {
		return nil, err
	}
	done := make(map[string]bool, len(answered))
	for _, k := range answered {
		done[k] = true
	}
	out := make([]*ent.Survey, 0, first)
	for _, s := range open {
		k, ok := RespondentKey(secret, v, s)
		if !ok || done[k] {
			continue // answered, or per organisation without one
		}
		if out = append(out, s); len(out) == first {
			break
		}
	}
	return out, nil
}

// RespondentKey is the key of the viewer's response to a survey: an HMAC of the survey and the
// member (or organisation, for per-organisation surveys) under secret. It must stay the same
// as graph's respondentKey, which stores it. ok is false for a per-organisation survey when
// the viewer belongs to no organisation.
func RespondentKey(secret []byte, v *viewer.Viewer, s *ent.Survey) (key string, ok bool) {
	subject := v.MemberID
	if s.ResponseScope == survey.ResponseScopeORGANISATION {
		if v.OrganisationID == "" {
			return "", false
		}
		subject = v.OrganisationID
	}
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "%s|%s", s.ID, subject)
	return hex.EncodeToString(mac.Sum(nil)), true
}
