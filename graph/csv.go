package graph

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
)

// SurveyResultsCSV serves GET /surveys/{id}/results.csv: the aggregated results, one row per
// option or measure, and for the owner one row per free-text answer (in alphabetical order,
// without time or respondent), for researchers' tools; same visibility and suppression as the
// API.
func SurveyResultsCSV(client *ent.Client, surveySecret []byte) http.Handler {
	r := &Resolver{client: client, surveySecret: surveySecret}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := req.Context()
		id, err := gid.Parse(req.PathValue("id"))
		if err != nil {
			http.NotFound(w, req)
			return
		}
		s, err := client.Survey.Get(ctx, id)
		if err != nil {
			http.NotFound(w, req)
			return
		}
		if ok, err := r.mayReadResults(ctx, s); err != nil || !ok {
			http.Error(w, "results are for the owner, and for respondents after the survey closed", http.StatusForbidden)
			return
		}
		res, err := results(ctx, client, s)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "zirkel-"+string(s.ID)+".csv"))
		out := csv.NewWriter(w)
		_ = out.Write([]string{"question", "kind", "answer", "count", "share", "median", "mean", "respondents"})
		if res.Suppressed {
			_ = out.Write([]string{"(fewer than 5 respondents: suppressed)", "", "", "", "", "", "", ""})
		}
		for _, q := range res.Questions {
			writeQuestion(out, q)
		}
		out.Flush()
	})
}

// writeQuestion writes one question's rows; suppressed figures stay empty.
func writeQuestion(out *csv.Writer, q *model.QuestionResult) {
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", *f), "0"), ".")
	}
	count := func(n *int) string {
		if n == nil {
			return ""
		}
		return fmt.Sprint(*n)
	}
	kind, text, respondents := string(q.Question.Kind), cleanCell(q.Question.Text), count(q.Respondents)
	for _, o := range q.Options {
		_ = out.Write([]string{text, kind, cleanCell(o.Option), count(o.Count), num(o.Share), "", "", respondents})
	}
	if q.Median != nil || q.Mean != nil {
		_ = out.Write([]string{text, kind, "", "", "", num(q.Median), num(q.Mean), respondents})
	}
	for _, answer := range q.Texts { // for the owner, at least 5, sorted: no order, no time, no name
		_ = out.Write([]string{text, kind, cleanCell(answer), "", "", "", "", respondents})
	}
	if len(q.Options) == 0 && q.Median == nil && q.Mean == nil && len(q.Texts) == 0 {
		_ = out.Write([]string{text, kind, "", "", "", "", "", respondents})
	}
}

// cleanCell keeps spreadsheet programs from running cell text as a formula.
func cleanCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
