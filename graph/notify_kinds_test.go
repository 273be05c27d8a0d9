package graph_test

import (
	"context"
	"fmt"
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	"zirkel/ent/schema/mailkind"
	"zirkel/graph/generated"
	"zirkel/server/apitest"
	"zirkel/server/mail/mailtest"
)

// fired is what one event of a kind is about, as the recipient should learn it.
type fired struct {
	subjectType string // the notification's subjectType
	subjectID   string // the notification's subjectID ("" when the test cannot know it, e.g. an invitation)
	name        string // the subject's name, quoted in the mail's subject
	link        string // the path of the mail's link
}

// kindRow makes events of one kind that notify Jonas; round tells the first event from the
// second (after unsubscribing), so that each starts a new notification group.
type kindRow struct {
	kind string
	fire func(t *testing.T, round int) fired
}

// everyKindRows are one row per kind of notification, each notifying Jonas (s.Jonas), who
// follows the seed's topic.
func everyKindRows(env *apitest.Env, s seed) []kindRow {
	var replies, mentions, changed string // subjects made in the first round, reused in the second
	event := func(t *testing.T, title, starts string, capacity any) string {
		t.Helper()
		st, _ := time.Parse(time.RFC3339, starts)
		return must[struct{ ID string }](t, s.Admin, `mutation($t: String!, $s: Time!, $e: Time!, $c: Int) { r: createEvent(input: {title: $t, kind: BROWN_BAG,
			startsAt: $s, endsAt: $e, capacity: $c}) { id } }`, map[string]any{"t": title, "s": starts, "e": st.Add(time.Hour).Format(time.RFC3339), "c": capacity}).ID
	}
	register := func(t *testing.T, as *apitest.Session, eventID string) {
		t.Helper()
		must[struct{ ID string }](t, as, `mutation($e: ID!) { r: registerForEvent(eventID: $e) { id } }`, map[string]any{"e": eventID})
	}
	practice := func(t *testing.T, title string, authors []string) string {
		t.Helper()
		return must[struct{ ID string }](t, s.Anna, `mutation($title: String!, $o: ID!, $t: ID!, $a: [ID!]) { r: createPractice(input: {title: $title, organisationID: $o,
			summary: "S", problem: "P", approach: "A", outcome: "O", visibility: MEMBERS, topicIDs: [$t], authorIDs: $a}) { id } }`,
			map[string]any{"title": title, "o": s.OrgID, "t": s.TopicID, "a": authors}).ID
	}
	return []kindRow{
		{"REPLY", func(t *testing.T, round int) fired {
			if round == 1 {
				replies = startFollowedDiscussion(t, s.Jonas, "Antworten an Jonas", nil, nil)
			}
			postIn(t, s.Anna, replies, fmt.Sprintf("Antwort %d", round), nil)
			return fired{"Discussion", replies, "Antworten an Jonas", "/discussions/" + replies}
		}},
		{"MENTION", func(t *testing.T, round int) fired {
			if round == 1 {
				mentions = startFollowedDiscussion(t, s.Anna, "Erwähnungen", nil, nil)
			}
			postIn(t, s.Anna, mentions, fmt.Sprintf("Frage %d an @[Jonas Wolf](%s)", round, s.Member2ID), nil)
			return fired{"Discussion", mentions, "Erwähnungen", "/discussions/" + mentions}
		}},
		{"PRACTICE", func(t *testing.T, round int) fired {
			title := fmt.Sprintf("E-Akte %d", round)
			p := practice(t, title, nil)
			must[struct{ ID string }](t, s.Anna, `mutation($id: ID!) { r: publishPractice(id: $id) { id } }`, map[string]any{"id": p})
			return fired{"Practice", p, title, "/practices/" + p}
		}},
		{"DISCUSSION", func(t *testing.T, round int) fired {
			title := fmt.Sprintf("Low Code: Frage %d", round)
			d := startFollowedDiscussion(t, s.Anna, title, []string{s.TopicID}, nil)
			return fired{"Discussion", d, title, "/discussions/" + d}
		}},
		{"COAUTHOR_REQUEST", func(t *testing.T, round int) fired {
			title := fmt.Sprintf("Gemeinsame Praxis %d", round)
			p := practice(t, title, []string{s.Member2ID})
			return fired{"AuthorshipInvitation", "", title, "/practices/" + p}
		}},
		{"JOIN_DECISION", func(t *testing.T, round int) fired {
			name := fmt.Sprintf("Kreis %d", round)
			c := must[struct{ ID string }](t, s.Admin, `mutation($n: String!, $s: String!) { r: createCircle(input: {name: $n, slug: $s, visibility: CLOSED}) { id } }`,
				map[string]any{"n": name, "s": fmt.Sprintf("kreis-%d", round)}).ID
			req := must[struct{ ID string }](t, s.Jonas, `mutation($c: ID!) { r: requestToJoinCircle(circleID: $c) { id } }`, map[string]any{"c": c}).ID
			must[struct{ ID string }](t, s.Admin, `mutation($id: ID!) { r: acceptJoinRequest(id: $id, reason: "Willkommen") { id } }`, map[string]any{"id": req})
			return fired{"CircleJoinRequest", req, name, "/circles/" + c}
		}},
		{"WAITLIST", func(t *testing.T, round int) fired {
			title := fmt.Sprintf("Brown Bag %d", round)
			e := event(t, title, fmt.Sprintf("2030-04-0%dT10:00:00Z", round), 1)
			register(t, s.Anna, e)
			register(t, s.Jonas, e)
			must[struct{ ID string }](t, s.Anna, `mutation($e: ID!) { r: cancelRegistration(eventID: $e) { id } }`, map[string]any{"e": e})
			return fired{"", e, title, "/events/" + e}
		}},
		{"EVENT_CHANGE", func(t *testing.T, round int) fired {
			if round == 1 {
				changed = event(t, "Workshop Datenschutz", "2030-05-01T10:00:00Z", nil)
				register(t, s.Jonas, changed)
			}
			must[struct{ ID string }](t, s.Admin, `mutation($e: ID!, $p: String!) { r: updateEvent(id: $e, input: {place: $p}) { id } }`,
				map[string]any{"e": changed, "p": fmt.Sprintf("Rathaus, Saal %d", round)})
			return fired{"Event", changed, "Workshop Datenschutz", "/events/" + changed}
		}},
		{"EVENT_REMINDER", func(t *testing.T, round int) fired {
			title := fmt.Sprintf("Meetup %d", round)
			starts := time.Date(2031, time.Month(4+round), 1, 10, 0, 0, 0, time.UTC)
			e := event(t, title, starts.Format(time.RFC3339), nil)
			register(t, s.Jonas, e)
			if err := env.App.Notify.Remind(context.Background(), env.App.Store.Client, starts.Add(-23*time.Hour)); err != nil {
				t.Fatal(err)
			}
			return fired{"Event", e, title, "/events/" + e}
		}},
		{"SURVEY", func(t *testing.T, round int) fired {
			title := fmt.Sprintf("Umfrage %d", round)
			sv := must[struct{ ID string }](t, s.Admin, `mutation($t: String!) { r: createSurvey(input: {title: $t, opensAt: "2026-01-01T00:00:00Z",
				closesAt: "2035-01-01T00:00:00Z"}, questions: [{kind: TEXT, text: "Wie geht es?"}]) { id } }`, map[string]any{"t": title}).ID
			return fired{"Survey", sv, title, "/surveys/" + sv}
		}},
		{"MODERATION", func(t *testing.T, round int) fired {
			title := fmt.Sprintf("Marktplatz %d", round)
			d := startFollowedDiscussion(t, s.Anna, title, nil, nil)
			msg := postIn(t, s.Jonas, d, "Kaufen Sie unser Produkt!", nil)
			must[struct{ ID string }](t, s.Admin, `mutation($i: ID!) { r: hideContent(itemID: $i, reason: "Werbung") { ... on Message { id } } }`,
				map[string]any{"i": msg})
			return fired{"Message", msg, title, "/discussions/" + d}
		}},
	}
}

// enumValues lists a GraphQL enum's values as the server's schema declares them.
func enumValues(t *testing.T, name string) []string {
	t.Helper()
	def := generated.NewExecutableSchema(generated.Config{}).Schema().Types[name]
	var names []string
	if def != nil {
		for _, v := range def.EnumValues {
			names = append(names, v.Name)
		}
	}
	if len(names) == 0 {
		t.Fatalf("the schema has no enum %s", name)
	}
	return names
}

// mailsTo are the mails that arrived for one address (compared without case).
func mailsTo(smtp *mailtest.Server, to string) []mailtest.Message {
	var out []mailtest.Message
	for _, m := range smtp.Messages() {
		if slices.ContainsFunc(m.To, func(a string) bool { return strings.EqualFold(a, to) }) {
			out = append(out, m)
		}
	}
	return out
}

// waitMailsTo waits until n mails arrived for an address.
func waitMailsTo(t *testing.T, smtp *mailtest.Server, to string, n int) []mailtest.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if got := mailsTo(smtp, to); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d mails to %s, got %d", n, to, len(mailsTo(smtp, to)))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestNotifyEveryKindIsMailedAndUnsubscribed walks every kind of the schema's NotificationKind
// and EmailKind enums (and mailkind.Kinds) through the whole path: the event → stored and
// delivered live (then marked read) → e-mailed at once (the kind set to IMMEDIATE) with the
// subject's name and a link → the mail's one-click unsubscribe (POST, no login) turns that kind
// off → a second event of the kind is stored and delivered live but neither enqueued nor
// mailed. A kind without a row fails the test.
func TestNotifyEveryKindIsMailedAndUnsubscribed(t *testing.T) {
	forEachBackendWithMail(t, func(t *testing.T, env *apitest.Env, smtp *mailtest.Server) {
		s := newSeed(t, env)
		const jonasMail = "jonas.wolf@musterhausen.example"
		rows := everyKindRows(env, s)
		var kinds []string
		for _, r := range rows {
			kinds = append(kinds, r.kind)
		}
		for _, list := range [][]string{enumValues(t, "NotificationKind"), enumValues(t, "EmailKind"), mailkind.Kinds} {
			for _, k := range list {
				if !slices.Contains(kinds, k) {
					t.Fatalf("kind %s has no end-to-end row", k)
				}
			}
			if len(list) != len(kinds) {
				t.Fatalf("rows %v, kinds %v", kinds, list)
			}
		}

		var prefs []map[string]any
		for _, k := range kinds {
			prefs = append(prefs, map[string]any{"kind": k, "delivery": "IMMEDIATE"})
		}
		must[struct{ Language string }](t, s.Jonas, `mutation($p: [EmailPreferenceInput!]) { r: setEmailSettings(preferences: $p) { language } }`, map[string]any{"p": prefs})
		must[struct{ ID string }](t, s.Jonas, `mutation($id: ID!) { r: follow(id: $id) { id } }`, map[string]any{"id": s.TopicID})
		jonas := openInbox(t, s.Jonas, protoFor(env, t), nil)

		for i, row := range rows {
			t.Run(row.kind, func(t *testing.T) {
				// The event: stored, live, marked read.
				f := row.fire(t, 1)
				got := wantLiveKind(t, jonas, row.kind, f)
				wantStoredAndRead(t, jonas, got)

				// The mail: one more to Jonas, about this subject, with its link and unsubscribe headers.
				msg := waitMailsTo(t, smtp, jonasMail, i+1)[i]
				wantMail(t, msg, jonasMail, "„"+f.name+"“", f.link)
				if outboxOf(t, env, s.Jonas.MemberID, row.kind) != 1 {
					t.Fatalf("want one outbox mail of %s", row.kind)
				}

				// One-click unsubscribe from this kind, without login.
				oneClickUnsubscribe(t, env, msg)
				for _, p := range must[struct {
					Preferences []struct{ Kind, Delivery string }
				}](t, s.Jonas, `query { r: emailSettings { preferences { kind delivery } } }`, nil).Preferences {
					if want := map[bool]string{true: "OFF", false: "IMMEDIATE"}[p.Kind == row.kind || slices.Contains(kinds[:i], p.Kind)]; p.Delivery != want {
						t.Fatalf("after unsubscribing from %s: %s is %s, want %s", row.kind, p.Kind, p.Delivery, want)
					}
				}

				// A second event of the kind: stored and live, but no mail.
				f = row.fire(t, 2)
				got = wantLiveKind(t, jonas, row.kind, f)
				wantStoredAndRead(t, jonas, got)
				if n := outboxOf(t, env, s.Jonas.MemberID, row.kind); n != 1 {
					t.Fatalf("after unsubscribing from %s, a mail was enqueued (%d rows)", row.kind, n)
				}
			})
		}
		time.Sleep(300 * time.Millisecond) // the sender polls every 30ms: nothing else is due
		if n := len(mailsTo(smtp, jonasMail)); n != len(rows) {
			t.Fatalf("%d mails to Jonas, want one per kind (%d)", n, len(rows))
		}
	})
}

// wantLiveKind is the next live notification, which must be of the kind and about f's subject.
func wantLiveKind(t *testing.T, in *inbox, kind string, f fired) liveNotification {
	t.Helper()
	got := in.next(t)
	n := got.Notification
	if n.Kind != kind || (f.subjectID != "" && n.SubjectID != f.subjectID) || (f.subjectType != "" && n.SubjectType != f.subjectType) || n.Count != 1 {
		t.Fatalf("live: want %s about %s %s, got %+v", kind, f.subjectType, f.subjectID, n)
	}
	return got
}

// TestNotifyMailTitlesFollowTheLanguage: a member who chose English gets English mail titles
// (and template), one who did not gets German.
func TestNotifyMailTitlesFollowTheLanguage(t *testing.T) {
	forEachBackendWithMail(t, func(t *testing.T, env *apitest.Env, smtp *mailtest.Server) {
		s := newSeed(t, env)
		if got := must[struct{ Language string }](t, s.Jonas, `mutation { r: setEmailSettings(language: EN) { language } }`, nil); got.Language != "EN" {
			t.Fatalf("language: %+v", got)
		}
		dj := startFollowedDiscussion(t, s.Jonas, "Low Code im Bauamt", nil, nil)
		da := startFollowedDiscussion(t, s.Anna, "Cloud im Landratsamt", nil, nil)
		postIn(t, s.Anna, dj, "Wir nutzen das seit einem Jahr.", nil)
		postIn(t, s.Jonas, da, "Wir auch.", nil)
		toJonas := waitMailsTo(t, smtp, "jonas.wolf@musterhausen.example", 1)[0]
		wantMail(t, toJonas, "jonas.wolf@musterhausen.example", "New reply in “Low Code im Bauamt”", "/discussions/"+dj)
		if text, _, err := toJonas.Parts(); err != nil || !strings.Contains(text, "Hello,") {
			t.Fatalf("English template: %v\n%s", err, text)
		}
		toAnna := waitMailsTo(t, smtp, "anna.becker@musterhausen.example", 1)
		subject, _ := new(mime.WordDecoder).DecodeHeader(toAnna[0].Header.Get("Subject"))
		if !strings.Contains(subject, "Neue Antwort in „Cloud im Landratsamt“") {
			t.Fatalf("German by default: subject %q", subject)
		}
	})
}
