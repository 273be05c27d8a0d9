package graph_test

import (
	"testing"
	"time"

	"zirkel/server/apitest"
)

// subjectOf is the id of a notification's subject as its recipient reads it ("" when hidden).
func subjectOf(t *testing.T, s *apitest.Session, notificationID string) string {
	t.Helper()
	out := must[*struct{ Subject *struct{ ID string } }](t, s, `query($id: ID!) { r: node(id: $id) { ... on Notification { subject { id } } } }`,
		map[string]any{"id": notificationID})
	if out == nil || out.Subject == nil {
		return ""
	}
	return out.Subject.ID
}

// TestNotifyModerationOutcomes: hiding a message tells its author (MODERATION about the message,
// which they can still read while others cannot) and the member who reported it (MODERATION
// about their report, now ACTION_TAKEN); dismissing a report tells its reporter only, not the
// author of the reported item.
func TestNotifyModerationOutcomes(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		d := startFollowedDiscussion(t, s.Jonas, "Low Code im Bauamt", nil, nil)
		msg := postIn(t, s.Anna, d, "Kaufen Sie unser Produkt!", nil)
		rep := must[reportOut](t, s.Jonas, `mutation($i: ID!) { r: reportContent(input: {itemID: $i, reason: OTHER, note: "Werbung"}) { id status } }`,
			map[string]any{"i": msg})
		anna := openInbox(t, s.Anna, protoFor(env, t), nil)
		jonas := openInbox(t, s.Jonas, apitest.TransportWS, nil)

		must[struct{ ID string }](t, s.Admin, `mutation($i: ID!) { r: hideContent(itemID: $i, reason: "Werbung") { ... on Message { id } } }`,
			map[string]any{"i": msg})
		toAnna := wantDelivered(t, anna, "MODERATION", msg, 1)
		if toAnna.Notification.SubjectType != "Message" || subjectOf(t, s.Anna, toAnna.Notification.ID) != msg {
			t.Fatalf("the author cannot read the hidden message through the notification: %+v", toAnna.Notification)
		}
		if got := must[*struct{ ID string }](t, s.Jonas, `query($id: ID!) { r: node(id: $id) { id } }`, map[string]any{"id": msg}); got != nil {
			t.Fatalf("the hidden message is shown to Jonas: %+v", got)
		}
		toJonas := wantDelivered(t, jonas, "MODERATION", rep.ID, 1)
		if toJonas.Notification.SubjectType != "Report" || subjectOf(t, s.Jonas, toJonas.Notification.ID) != rep.ID {
			t.Fatalf("the reporter cannot read the report through the notification: %+v", toJonas.Notification)
		}
		if st := must[reportOut](t, s.Jonas, `query($id: ID!) { r: node(id: $id) { ... on Report { id status } } }`, map[string]any{"id": rep.ID}); st.Status != "ACTION_TAKEN" {
			t.Fatalf("report status %s", st.Status)
		}
		if subjectOf(t, s.Anna, toJonas.Notification.ID) != "" {
			t.Fatal("Anna reads Jonas's notification")
		}

		// Anna reports Jonas's discussion; the admin dismisses it: Anna is told, Jonas is not.
		rep2 := must[reportOut](t, s.Anna, `mutation($i: ID!) { r: reportContent(input: {itemID: $i, reason: OTHER}) { id } }`, map[string]any{"i": d})
		must[struct{ ID string }](t, s.Admin, `mutation($i: ID!) { r: dismissReport(id: $i, note: "Kein Verstoß") { id } }`, map[string]any{"i": rep2.ID})
		wantDelivered(t, anna, "MODERATION", rep2.ID, 1)
		if m, err := jonas.ws.Read(300 * time.Millisecond); err == nil {
			t.Fatalf("Jonas was told of a report about his discussion: %s %s", m.Type, m.Payload)
		}
		if n := listNotifications(t, s.Jonas); len(n.Edges) != 2 { // Anna's reply, and his report's outcome
			t.Fatalf("Jonas's notifications: %+v", n)
		}
	})
}
