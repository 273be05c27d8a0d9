package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"zirkel/ent/schema/mailkind"
)

//go:embed templates
var templateFiles embed.FS

var (
	textTemplate = texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/mail.txt"))
	htmlTemplate = htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/mail.html"))
)

// maxDigestEntries is how many items a digest shows; the rest are counted.
const maxDigestEntries = 50

// rendered is a mail ready to send.
type rendered struct {
	Subject, Text, HTML string
}

// words are a language's fixed texts.
type words struct {
	Hello, Why, Unsubscribe, Daily, Weekly, Intro, More string
	Kinds                                               map[string]string
}

// texts are the fixed texts by language (the member's, German by default).
var texts = map[string]words{
	"DE": {
		Hello: "Hallo,", Unsubscribe: "Diese Art von E-Mails abbestellen",
		Why:   "Sie erhalten diese E-Mail, weil Sie Mitglied bei Zirkel sind. In Ihren Einstellungen legen Sie fest, welche E-Mails Sie wann erhalten.",
		Daily: "Ihre tägliche Zusammenfassung", Weekly: "Ihre wöchentliche Zusammenfassung",
		Intro: "Das ist seit der letzten Zusammenfassung bei Zirkel passiert:", More: "… und %d weitere Neuigkeiten bei Zirkel.",
		Kinds: map[string]string{
			"REPLY": "Antwort", "MENTION": "Erwähnung", "PRACTICE": "Neues Praxisbeispiel", "DISCUSSION": "Neue Diskussion",
			"COAUTHOR_REQUEST": "Anfrage zur Mitautorschaft", "JOIN_DECISION": "Entscheidung über Ihre Beitrittsanfrage",
			"WAITLIST": "Warteliste", "EVENT_CHANGE": "Geänderte Veranstaltung", "EVENT_REMINDER": "Erinnerung an eine Veranstaltung",
			"SURVEY": "Abfrage", "MODERATION": "Moderation",
		},
	},
	"EN": {
		Hello: "Hello,", Unsubscribe: "Unsubscribe from e-mails of this kind",
		Why:   "You receive this e-mail because you are a member of Zirkel. Your settings say which e-mails you receive and when.",
		Daily: "Your daily digest", Weekly: "Your weekly digest",
		Intro: "This happened on Zirkel since the last digest:", More: "… and %d more updates on Zirkel.",
		Kinds: map[string]string{
			"REPLY": "Reply", "MENTION": "Mention", "PRACTICE": "New practice", "DISCUSSION": "New discussion",
			"COAUTHOR_REQUEST": "Co-authorship request", "JOIN_DECISION": "Decision on your join request",
			"WAITLIST": "Waitlist", "EVENT_CHANGE": "Event changed", "EVENT_REMINDER": "Event reminder",
			"SURVEY": "Survey", "MODERATION": "Moderation",
		},
	},
}

// kindLabels names kinds in a language.
func kindLabels(lang string, kinds []string) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = texts[lang].Kinds[k]
	}
	return out
}

// entryView is an entry as the templates show it.
type entryView struct {
	Label, Title, URL string
	Lines             []string
}

// render renders a mail's entries in a language; period is "" for an immediate mail.
func render(lang, period, baseURL, unsubscribeURL string, entries []mailkind.Entry) (rendered, error) {
	t, ok := texts[lang]
	if !ok {
		t = texts["DE"]
	}
	data := map[string]any{"T": t, "Lang": strings.ToLower(lang), "UnsubscribeURL": unsubscribeURL, "Digest": period != ""}
	shown := entries
	if len(shown) > maxDigestEntries {
		shown = shown[:maxDigestEntries]
		data["More"] = fmt.Sprintf(t.More, len(entries)-maxDigestEntries)
	}
	views := make([]entryView, len(shown))
	for i, e := range shown {
		views[i] = entryView{Label: t.Kinds[e.Kind], Title: e.Title, URL: strings.TrimSuffix(baseURL, "/") + e.Link, Lines: e.Lines}
	}
	data["Entries"] = views
	var subject string
	switch {
	case period == "DAILY":
		subject = fmt.Sprintf("[Zirkel] %s (%d)", t.Daily, len(entries))
	case period != "":
		subject = fmt.Sprintf("[Zirkel] %s (%d)", t.Weekly, len(entries))
	case len(entries) > 0:
		subject = "[Zirkel] " + entries[0].Title
	}
	data["Subject"], data["Intro"] = subject, t.Intro
	var text, html bytes.Buffer
	if err := textTemplate.Execute(&text, data); err != nil {
		return rendered{}, fmt.Errorf("rendering the text of a mail: %w", err)
	}
	if err := htmlTemplate.Execute(&html, data); err != nil {
		return rendered{}, fmt.Errorf("rendering the HTML of a mail: %w", err)
	}
	return rendered{Subject: subject, Text: text.String(), HTML: html.String()}, nil
}
