package demo

import (
	"context"

	"zirkel/ent/surveyquestion"
)

// demoQuestions is the questionnaire of the demo survey.
var demoQuestions = []struct {
	kind     surveyquestion.Kind
	text     string
	options  []string
	required bool
}{
	{surveyquestion.KindSINGLE_CHOICE, "Setzt Ihre Verwaltung Low-Code-Plattformen ein?", []string{"ja, produktiv", "im Pilotbetrieb", "geplant", "nein"}, true},
	{surveyquestion.KindMULTI_CHOICE, "Wofür?", []string{"Formulare", "Fachverfahren", "Workflows", "Auswertungen"}, false},
	{surveyquestion.KindSCALE, "Wie zufrieden sind Sie mit dem Ergebnis (1–5)?", nil, false},
	{surveyquestion.KindNUMBER, "Wie viele Anwendungen sind entstanden?", nil, false},
	{surveyquestion.KindTEXT, "Was hat nicht funktioniert?", nil, false},
}

// loadSurvey creates an open, anonymous survey by a researcher (no responses: respondent keys
// need the server's survey secret, which the demo loader does not hold).
func (l *loader) loadSurvey(ctx context.Context) error {
	s, err := l.client.Survey.Create().
		SetTitle("Low Code in Kommunen 2026").
		SetIntroduction("Eine Abfrage des Forschungsinstituts für den Zirkel: anonym, Ergebnisse ab fünf Antworten.").
		SetOpensAt(l.daysAgo(2, 8)).SetClosesAt(l.daysAhead(21, 18)).
		SetAnonymous(true).
		SetOwnerID(l.members["hahn"]).
		Save(ctx)
	if err != nil {
		return err
	}
	for i, q := range demoQuestions {
		if err := l.client.SurveyQuestion.Create().SetSurveyID(s.ID).SetPosition(i).SetKind(q.kind).
			SetText(q.text).SetOptions(q.options).SetRequired(q.required).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
