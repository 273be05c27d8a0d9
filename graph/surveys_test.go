package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
)

const surveyQuestions = `[
	{kind: SINGLE_CHOICE, text: "Nutzen Sie Low Code?", options: ["ja", "nein", "geplant"], required: true},
	{kind: MULTI_CHOICE, text: "Wofür?", options: ["Formulare", "Fachverfahren", "Workflows"]},
	{kind: SCALE, text: "Wie zufrieden sind Sie?"},
	{kind: TEXT, text: "Was hat nicht funktioniert?"}]`

func newSurvey(t *testing.T, owner *apitest.Session, closes time.Time, extra string) (string, []string) {
	t.Helper()
	var out struct {
		CreateSurvey struct {
			ID        string
			Questions []struct{ ID string }
		}
	}
	owner.MustPost(t, `mutation($o: Time!, $c: Time!) { createSurvey(input: {title: "Low Code in Kommunen", opensAt: $o, closesAt: $c`+extra+`},
		questions: `+surveyQuestions+`) { id questions { id } } }`,
		map[string]any{"o": time.Now().Add(-time.Hour).Format(time.RFC3339), "c": closes.Format(time.RFC3339)}, &out)
	ids := make([]string, len(out.CreateSurvey.Questions))
	for i, q := range out.CreateSurvey.Questions {
		ids[i] = q.ID
	}
	return out.CreateSurvey.ID, ids
}

func answer(t *testing.T, as *apitest.Session, survey string, q []string, choice, scale int, text string) apitest.Response {
	t.Helper()
	return as.Post(t, `mutation($s: ID!, $a: [AnswerInput!]!) { respondToSurvey(surveyID: $s, answers: $a) }`, map[string]any{"s": survey, "a": []map[string]any{
		{"questionID": q[0], "choice": choice}, {"questionID": q[1], "choices": []int{0, 2}},
		{"questionID": q[2], "scale": scale}, {"questionID": q[3], "text": text},
	}})
}

type surveyResults struct {
	Respondents *int
	Suppressed  bool
	Questions   []struct {
		Respondents *int
		Options     []struct {
			Option string
			Count  *int
		}
		Median *float64
		Texts  []string
	}
}

func resultsOf(t *testing.T, as *apitest.Session, survey string) *surveyResults {
	t.Helper()
	var out struct {
		Node struct{ Results *surveyResults }
	}
	as.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Survey { results { respondents suppressed questions {
		respondents options { option count } median texts } } } } }`, map[string]any{"id": survey}, &out)
	return out.Node.Results
}

// TestAnonymousSurvey: answers are validated and editable, results aggregated with small groups
// suppressed, visible to the owner (live) and to respondents after close, and the stored
// responses hold nothing that links them to a member.
func TestAnonymousSurvey(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
		survey, q := newSurvey(t, owner, time.Now().Add(time.Hour), "")
		if r := resultsOf(t, owner, survey); !r.Suppressed || r.Respondents != nil {
			t.Fatalf("nothing is shown before 5 responded: %+v", r)
		}
		ws := owner.DialWS(t, apitest.TransportWS)
		_ = ws.Subscribe("live", `subscription($s: ID!) { surveyResults(surveyID: $s) { respondents suppressed } }`, map[string]any{"s": survey})
		ws.Next("live") // the current results

		var members []*apitest.Session
		for i := range 10 {
			m := env.NewMember(t, apitest.Spec{})
			members = append(members, m)
			choice := 0
			if i == 9 {
				choice = 1
				if res := answer(t, members[0], survey, q, 2, 5, "geändert"); len(res.Errors) > 0 { // edit, not a second response
					t.Fatal(res.Errors)
				}
			}
			if res := answer(t, m, survey, q, choice, 2+i%3, fmt.Sprintf("Antwort %d", i)); len(res.Errors) > 0 {
				t.Fatalf("answer %d: %+v", i, res.Errors)
			}
		}
		bad := members[1].Post(t, `mutation($s: ID!, $a: [AnswerInput!]!) { respondToSurvey(surveyID: $s, answers: $a) }`,
			map[string]any{"s": survey, "a": []map[string]any{{"questionID": q[0], "choice": 7}}})
		wantError(t, bad, "BAD_USER_INPUT", "answers.0")

		r := resultsOf(t, owner, survey)
		if r.Suppressed || *r.Respondents != 10 || *r.Questions[0].Respondents != 10 {
			t.Fatalf("results %+v", r)
		}
		// ja: 8, nein: 1, geplant: 1. The two small groups add up to 2, so "ja" is hidden too,
		// or 10 - 8 would say how few chose the others.
		opts := r.Questions[0].Options
		if opts[0].Count != nil || opts[1].Count != nil || opts[2].Count != nil {
			t.Fatalf("groups of 1 to 4 must be suppressed, with a partner: %+v", opts)
		}
		if *r.Questions[1].Options[0].Count != 10 || *r.Questions[1].Options[1].Count != 0 || len(r.Questions[3].Texts) != 10 {
			t.Fatalf("multi choice and texts: %+v", r.Questions)
		}
		var seen []string
		for range 2 { // the results change only at 5 and 10 responses
			msg := string(ws.Next("live"))
			seen = append(seen, msg)
		}
		if !strings.Contains(seen[0], `"respondents":5`) || !strings.Contains(seen[1], `"respondents":10`) {
			t.Fatalf("the live results must change at 5 and 10 responses only: %v", seen)
		}
		if resultsOf(t, members[2], survey) != nil {
			t.Fatal("respondents see results only after the survey closed")
		}
		csv := get(t, env.URL+"/surveys/"+survey+"/results.csv", owner.Token, http.StatusOK)
		if !strings.Contains(csv, "MULTI_CHOICE,Formulare") {
			t.Fatalf("csv:\n%s", csv)
		}

		t.Run("nothing in the tables links an answer to a member", func(t *testing.T) {
			rows, err := env.App.Store.DB.QueryContext(context.Background(), `SELECT * FROM survey_responses`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			for rows.Next() {
				values := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range values {
					ptrs[i] = &values[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				row, _ := json.Marshal(values)
				for _, m := range members {
					if strings.Contains(string(row), m.MemberID) {
						t.Fatalf("a response row names member %s: %s", m.MemberID, row)
					}
				}
			}
		})

		wantError(t, members[4].Post(t, `mutation($s: ID!) { closeSurvey(id: $s) { id } }`, map[string]any{"s": survey}), "FORBIDDEN", "")
		owner.MustPost(t, `mutation($s: ID!) { closeSurvey(id: $s) { id } }`, map[string]any{"s": survey}, nil) // early
		if r := resultsOf(t, members[2], survey); r == nil || *r.Respondents != 10 || len(r.Questions[3].Texts) != 0 {
			t.Fatalf("after close a respondent sees the results, free texts are the owner's: %+v", r)
		}
		if resultsOf(t, env.NewMember(t, apitest.Spec{}), survey) != nil {
			t.Fatal("members who did not respond see no results")
		}
		wantError(t, answer(t, members[3], survey, q, 0, 3, "zu spät"), "BAD_USER_INPUT", "surveyID")
	})
}

func TestSurveyOnePerOrganisation(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
		org := newOrg(t, admin, "Kreis Eins", "LANDKREIS", 100000)
		owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
		survey, q := newSurvey(t, owner, time.Now().Add(time.Hour), ", anonymous: false, responseScope: ORGANISATION")
		a := env.NewMember(t, apitest.Spec{OrganisationID: org})
		b := env.NewMember(t, apitest.Spec{OrganisationID: org})
		for _, res := range []apitest.Response{answer(t, a, survey, q, 0, 3, "von A"), answer(t, b, survey, q, 1, 4, "von B")} {
			if len(res.Errors) > 0 {
				t.Fatalf("answering for the organisation: %+v", res.Errors)
			}
		}
		var out struct{ Node struct{ ResponseCount int } }
		owner.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Survey { responseCount } } }`, map[string]any{"id": survey}, &out)
		if out.Node.ResponseCount != 1 {
			t.Fatalf("one response per organisation, got %d", out.Node.ResponseCount)
		}
		wantError(t, env.NewMember(t, apitest.Spec{CommunityRole: "VENDOR"}).Post(t, `mutation { createSurvey(input: {title: "X", opensAt: "2026-01-01T00:00:00Z", closesAt: "2026-02-01T00:00:00Z"}, questions: [{kind: TEXT, text: "?"}]) { id } }`, nil), "FORBIDDEN", "")
	})
}
