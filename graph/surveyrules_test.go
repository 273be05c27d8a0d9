package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
)

// TestSurveyResultsStepByFive: the results of an anonymous survey change only when the number
// of responses reaches a multiple of 5, for the owner's query as for the CSV; answers changed
// in between wait for the next step, and the close publishes nothing new.
func TestSurveyResultsStepByFive(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
		survey, q := newSurvey(t, owner, time.Now().Add(time.Hour), "")
		read := func() string {
			res := owner.Post(t, `query($id: ID!) { node(id: $id) { ... on Survey { results { respondents suppressed questions {
				respondents options { count share } median mean texts } } } } }`, map[string]any{"id": survey})
			if len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
			return string(res.Data)
		}
		var members []*apitest.Session
		var atStep string
		for i := range 12 {
			m := env.NewMember(t, apitest.Spec{})
			members = append(members, m)
			if res := answer(t, m, survey, q, i%3, 1+i%5, fmt.Sprintf("Antwort %02d", i)); len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
			got, n := read(), i+1
			switch {
			case n < 5 && !strings.Contains(got, `"respondents":null,"suppressed":true`):
				t.Fatalf("after %d responses nothing is shown: %s", n, got)
			case n%5 == 0:
				if !strings.Contains(got, fmt.Sprintf(`"respondents":%d,"suppressed":false`, n)) {
					t.Fatalf("after %d responses the results cover them: %s", n, got)
				}
				atStep = got
			case n > 5 && got != atStep:
				t.Fatalf("after %d responses the results must be those of %d:\n%s\n%s", n, n/5*5, got, atStep)
			}
		}
		if res := answer(t, members[0], survey, q, 1, 5, "Antwort geändert"); len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		if got := read(); got != atStep {
			t.Fatalf("a changed answer waits for the next step:\n%s\n%s", got, atStep)
		}
		owner.MustPost(t, `mutation($s: ID!) { closeSurvey(id: $s) { id } }`, map[string]any{"s": survey}, nil)
		if got := read(); got != atStep {
			t.Fatalf("the close publishes no partial step (12 responses: the results stay those of 10):\n%s\n%s", got, atStep)
		}

		t.Run("free texts in the CSV for the owner only, sorted", func(t *testing.T) {
			csv := get(t, env.URL+"/surveys/"+survey+"/results.csv", owner.Token, http.StatusOK)
			var texts []string
			for _, line := range strings.Split(csv, "\n") {
				if strings.Contains(line, ",TEXT,Antwort") {
					texts = append(texts, strings.Split(line, ",")[2])
				}
			}
			if len(texts) != 10 || !slices.IsSorted(texts) {
				t.Fatalf("owner's CSV must hold the 10 published texts, sorted:\n%s", csv)
			}
			if csv := get(t, env.URL+"/surveys/"+survey+"/results.csv", members[1].Token, http.StatusOK); strings.Contains(csv, "Antwort") {
				t.Fatalf("a respondent's CSV holds no free texts:\n%s", csv)
			}
		})
	})
}

// TestSurveyResultsOfNamedSurveysAreLive: a survey that is not anonymous publishes each
// response at once.
func TestSurveyResultsOfNamedSurveysAreLive(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
		survey, q := newSurvey(t, owner, time.Now().Add(time.Hour), ", anonymous: false")
		for range 6 {
			if res := answer(t, env.NewMember(t, apitest.Spec{}), survey, q, 0, 3, "x"); len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
		}
		if r := resultsOf(t, owner, survey); r.Respondents == nil || *r.Respondents != 6 {
			t.Fatalf("want 6 respondents: %+v", r)
		}
	})
}

// TestAnsweringAgainKeepsOtherAnswers: a second respondToSurvey replaces only the answers it
// gives; an empty text removes that answer.
func TestAnsweringAgainKeepsOtherAnswers(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
		survey, q := newSurvey(t, owner, time.Now().Add(time.Hour), ", anonymous: false")
		var members []*apitest.Session
		for i := range 5 {
			m := env.NewMember(t, apitest.Spec{})
			members = append(members, m)
			if res := answer(t, m, survey, q, 0, 3, fmt.Sprintf("Antwort %d", i)); len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
		}
		again := func(as *apitest.Session, a map[string]any) {
			t.Helper()
			as.MustPost(t, `mutation($s: ID!, $a: [AnswerInput!]!) { respondToSurvey(surveyID: $s, answers: $a) }`,
				map[string]any{"s": survey, "a": []map[string]any{a}}, nil)
		}
		again(members[0], map[string]any{"questionID": q[2], "scale": 5}) // the required choice is kept
		r := resultsOf(t, owner, survey)
		if *r.Questions[2].Median != 3 || !slices.Contains(r.Questions[3].Texts, "Antwort 0") || *r.Questions[0].Options[0].Count != 5 {
			t.Fatalf("only the scale changed: %+v", r.Questions)
		}
		var mean struct {
			Node struct {
				Results struct{ Questions []struct{ Mean float64 } }
			}
		}
		owner.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Survey { results { questions { mean } } } } }`, map[string]any{"id": survey}, &mean)
		if got := mean.Node.Results.Questions[2].Mean; got != 3.4 {
			t.Fatalf("mean scale %v, want 3.4", got)
		}
		again(members[1], map[string]any{"questionID": q[3], "text": ""})
		if r := resultsOf(t, owner, survey); len(r.Questions[3].Texts) != 0 || r.Questions[0].Options[0].Count == nil {
			t.Fatalf("the text is removed (4 texts: suppressed), the rest stays: %+v", r.Questions)
		}
	})
}

// TestSurveyEditing: the owner changes a survey until its first response (CONFLICT after it)
// and closes it at any time; nobody else does either.
func TestSurveyEditing(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
		other := env.NewMember(t, apitest.Spec{})
		survey, _ := newSurvey(t, owner, time.Now().Add(time.Hour), "")
		update := `mutation($s: ID!, $i: UpdateSurveyInput!, $q: [SurveyQuestionInput!]) { updateSurvey(id: $s, input: $i, questions: $q) { title questions { id text options } } }`
		later := time.Now().Add(2 * time.Hour).Format(time.RFC3339)
		questions := []map[string]any{{"kind": "SINGLE_CHOICE", "text": "Nutzen Sie KI?", "options": []string{"ja", "nein"}, "required": true}}

		wantError(t, other.Post(t, update, map[string]any{"s": survey, "i": map[string]any{"title": "Fremd"}}), "FORBIDDEN", "")
		wantError(t, owner.Post(t, update, map[string]any{"s": survey, "i": map[string]any{"closesAt": "2020-01-01T00:00:00Z"}}), "BAD_USER_INPUT", "closesAt")
		var out struct {
			UpdateSurvey struct {
				Title     string
				Questions []struct{ ID string }
			}
		}
		owner.MustPost(t, update, map[string]any{"s": survey, "i": map[string]any{"title": "KI in Kommunen", "closesAt": later}, "q": questions}, &out)
		if out.UpdateSurvey.Title != "KI in Kommunen" || len(out.UpdateSurvey.Questions) != 1 {
			t.Fatalf("before the first response the owner changes everything: %+v", out)
		}
		other.MustPost(t, `mutation($s: ID!, $q: ID!) { respondToSurvey(surveyID: $s, answers: [{questionID: $q, choice: 0}]) }`,
			map[string]any{"s": survey, "q": out.UpdateSurvey.Questions[0].ID}, nil)

		for _, tc := range []struct {
			name string
			vars map[string]any
		}{
			{"title", map[string]any{"i": map[string]any{"title": "Anders gefragt"}}},
			{"questions", map[string]any{"i": map[string]any{}, "q": questions}},
			{"a later close", map[string]any{"i": map[string]any{"closesAt": time.Now().Add(5 * time.Hour).Format(time.RFC3339)}}},
		} {
			t.Run("after the first response: "+tc.name, func(t *testing.T) {
				tc.vars["s"] = survey
				wantError(t, owner.Post(t, update, tc.vars), "CONFLICT", "")
			})
		}
		var title struct{ Node struct{ Title string } }
		owner.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Survey { title } } }`, map[string]any{"id": survey}, &title)
		if title.Node.Title != "KI in Kommunen" {
			t.Fatalf("a refused change writes nothing: %q", title.Node.Title)
		}
		closeIt := `mutation($s: ID!) { closeSurvey(id: $s) { closesAt } }`
		wantError(t, other.Post(t, closeIt, map[string]any{"s": survey}), "FORBIDDEN", "")
		owner.MustPost(t, closeIt, map[string]any{"s": survey}, nil)
		wantError(t, other.Post(t, `mutation($s: ID!, $q: ID!) { respondToSurvey(surveyID: $s, answers: [{questionID: $q, choice: 1}]) }`,
			map[string]any{"s": survey, "q": out.UpdateSurvey.Questions[0].ID}), "BAD_USER_INPUT", "surveyID")
		wantError(t, owner.Post(t, closeIt, map[string]any{"s": survey}), "CONFLICT", "")
	})
}

// TestSurveyStepsUnderConcurrentResponses: responses arriving together are counted one after
// the other, so the published results still cover a multiple of 5.
func TestSurveyStepsUnderConcurrentResponses(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
		survey, q := newSurvey(t, owner, time.Now().Add(time.Hour), "")
		members := make([]*apitest.Session, 13)
		for i := range members {
			members[i] = env.NewMember(t, apitest.Spec{})
		}
		errs := make(chan []apitest.Error, len(members))
		for i, m := range members {
			go func() { errs <- answer(t, m, survey, q, i%2, 3, "x").Errors }()
		}
		for range members {
			if e := <-errs; len(e) > 0 {
				t.Error(e)
			}
		}
		var out struct {
			Node struct {
				ResponseCount int
				Results       surveyResults
			}
		}
		owner.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Survey { responseCount results { respondents suppressed } } } }`, map[string]any{"id": survey}, &out)
		if out.Node.ResponseCount != 10 || out.Node.Results.Respondents == nil || *out.Node.Results.Respondents != 10 {
			t.Fatalf("13 responses, results and the published count over 10: %d, %+v", out.Node.ResponseCount, out.Node.Results)
		}
		var stored int
		if err := env.App.Store.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM survey_responses`).Scan(&stored); err != nil || stored != 13 {
			t.Fatalf("all 13 responses are stored: %d, %v", stored, err)
		}
	})
}
