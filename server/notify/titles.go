package notify

import (
	"fmt"

	"zirkel/ent/notification"
)

// Mail titles by language. A title says in one line what happened; %s is the quoted name of the
// subject, %d a count. German is the default: a member who chose no language, or a language
// without a catalogue, gets German.

// language is a catalogue of titles in one language.
type language struct {
	quote                             func(name string) string
	replies                           string // with %d and %s
	kinds                             map[notification.Kind]string
	surveyClosing, reportDecided      string
	moderationMessage, moderationElse string
	report                            string // the name of a report
}

// catalogue holds the titles by the member's language (Member.language: DE, EN).
var catalogue = map[string]language{
	"DE": {
		quote:   func(n string) string { return "„" + n + "“" },
		replies: "%d neue Antworten in %s",
		kinds: map[notification.Kind]string{
			Reply:           "Neue Antwort in %s",
			Mention:         "Sie wurden in %s erwähnt",
			Practice:        "Neue gute Praxis: %s",
			Discussion:      "Neue Diskussion: %s",
			CoauthorRequest: "Einladung zur Mitautorschaft an %s",
			JoinDecision:    "Entscheidung über Ihre Beitrittsanfrage zu %s",
			Waitlist:        "Sie sind von der Warteliste nachgerückt: %s",
			EventChange:     "Termin geändert: %s",
			EventReminder:   "Erinnerung: %s beginnt bald",
			Survey:          "Neue Abfrage: %s",
		},
		surveyClosing:     "Abfrage %s endet bald",
		reportDecided:     "Ihre Meldung wurde entschieden",
		moderationMessage: "Entscheidung der Moderation zu Ihrem Beitrag in %s",
		moderationElse:    "Entscheidung der Moderation zu %s",
		report:            "Meldung",
	},
	"EN": {
		quote:   func(n string) string { return "“" + n + "”" },
		replies: "%d new replies in %s",
		kinds: map[notification.Kind]string{
			Reply:           "New reply in %s",
			Mention:         "You were mentioned in %s",
			Practice:        "New good practice: %s",
			Discussion:      "New discussion: %s",
			CoauthorRequest: "Invitation to co-author %s",
			JoinDecision:    "Decision on your request to join %s",
			Waitlist:        "You moved up from the waitlist: %s",
			EventChange:     "Event changed: %s",
			EventReminder:   "Reminder: %s starts soon",
			Survey:          "New survey: %s",
		},
		surveyClosing:     "Survey %s closes soon",
		reportDecided:     "Your report has been decided",
		moderationMessage: "Moderation decision on your post in %s",
		moderationElse:    "Moderation decision on %s",
		report:            "report",
	},
}

// catalogueOf is the catalogue of a language, German by default.
func catalogueOf(lang string) language {
	if c, ok := catalogue[lang]; ok {
		return c
	}
	return catalogue["DE"]
}

// title says in one line, in the recipient's language, what happened.
func title(r *row, ref subjectRef, lang string) string {
	c := catalogueOf(lang)
	q := c.quote(ref.name)
	switch r.draft.kind {
	case Reply:
		if r.count > 1 {
			return fmt.Sprintf(c.replies, r.count, q)
		}
	case Survey:
		if r.draft.suffix == closingSuffix {
			return fmt.Sprintf(c.surveyClosing, q)
		}
	case Moderation:
		switch r.draft.subjectType {
		case "Report":
			return c.reportDecided
		case "Message":
			return fmt.Sprintf(c.moderationMessage, q)
		}
		return fmt.Sprintf(c.moderationElse, q)
	}
	if f, ok := c.kinds[r.draft.kind]; ok {
		return fmt.Sprintf(f, q)
	}
	return q
}
