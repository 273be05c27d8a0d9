package mail_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/mail"
	"zirkel/server/mail/mailtest"
)

const settingsQuery = `{ emailSettings { language preferences { kind delivery } } }`

type settings struct {
	Language    string
	Preferences []struct{ Kind, Delivery string }
}

// TestEmailSettingsAndDigests: the viewer reads and sets their language and the delivery of
// each kind through GraphQL (defaults: mentions and replies at once, the rest weekly, German);
// nobody reads or sets another member's; and items of DAILY and WEEKLY kinds wait for one
// digest per member and period, rendered in the member's language, while OFF stores nothing.
func TestEmailSettingsAndDigests(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		smtp := mailtest.Start(t, mailtest.Options{})
		env := startWithMail(t, backend, smtp.URL(false))
		anna, bob := env.NewMember(t, apitest.Spec{}), env.NewMember(t, apitest.Spec{})

		if res := env.Post(t, settingsQuery, nil); len(res.Errors) == 0 || res.Errors[0].Code() != "UNAUTHENTICATED" {
			t.Errorf("anonymous: %+v", res)
		}
		var got struct{ EmailSettings settings }
		anna.MustPost(t, settingsQuery, nil, &got)
		if got.EmailSettings.Language != "DE" || len(got.EmailSettings.Preferences) != 11 {
			t.Fatalf("defaults: %+v", got)
		}
		for _, p := range got.EmailSettings.Preferences {
			want := "WEEKLY"
			if p.Kind == "MENTION" || p.Kind == "REPLY" {
				want = "IMMEDIATE"
			}
			if p.Delivery != want {
				t.Errorf("default of %s is %s, want %s", p.Kind, p.Delivery, want)
			}
		}
		set := `mutation($l: EmailLanguage, $p: [EmailPreferenceInput!]) { setEmailSettings(language: $l, preferences: $p) { language preferences { kind delivery } } }`
		res := anna.Post(t, set, map[string]any{"p": []any{map[string]any{"kind": "SURVEY", "delivery": "DAILY"}, map[string]any{"kind": "SURVEY", "delivery": "OFF"}}})
		if len(res.Errors) == 0 || res.Errors[0].Code() != "BAD_USER_INPUT" || res.Errors[0].Field() != "preferences" {
			t.Errorf("a kind twice: %+v", res)
		}
		if res := anna.Post(t, set, map[string]any{"p": []any{map[string]any{"kind": "NONSENSE", "delivery": "OFF"}}}); len(res.Errors) == 0 {
			t.Error("an unknown kind was accepted")
		}
		var after struct{ SetEmailSettings settings }
		anna.MustPost(t, set, map[string]any{"l": "EN", "p": []any{
			map[string]any{"kind": "SURVEY", "delivery": "DAILY"}, map[string]any{"kind": "PRACTICE", "delivery": "OFF"},
		}}, &after)
		if after.SetEmailSettings.Language != "EN" || delivery(t, anna, "SURVEY") != "DAILY" || delivery(t, anna, "PRACTICE") != "OFF" || delivery(t, anna, "DISCUSSION") != "WEEKLY" {
			t.Fatalf("after setting: %+v", after)
		}
		if delivery(t, bob, "SURVEY") != "WEEKLY" || delivery(t, bob, "PRACTICE") != "WEEKLY" {
			t.Error("anna's settings changed bob's")
		}

		a, b := gid.ID(anna.MemberID), gid.ID(bob.MemberID)
		enqueue(t, env,
			mail.Item{MemberID: a, Kind: "SURVEY", Title: "New survey: Low-code platforms", Link: "/surveys/sur_1"},
			mail.Item{MemberID: a, Kind: "PRACTICE", Title: "Praxisbeispiel", Link: "/practices/pra_1"},
			mail.Item{MemberID: a, Kind: "DISCUSSION", Title: "New discussion: E-Akte", Link: "/discussions/dis_1"},
			mail.Item{MemberID: a, Kind: "DISCUSSION", Title: "New discussion: KI im Bürgeramt", Link: "/discussions/dis_2"},
			mail.Item{MemberID: b, Kind: "EVENT_CHANGE", Title: "Brown Bag verschoben", Link: "/events/evt_1"})
		rows := outbox(t, env, anna.MemberID)
		if len(rows) != 3 || rows[0].Status != "DIGEST_PENDING" {
			t.Fatalf("anna's outbox: %+v (want SURVEY and two DISCUSSION waiting, no PRACTICE)", rows)
		}
		n, err := mail.BuildDigests(context.Background(), env.App.Store.Client, time.Now().AddDate(0, 0, 8))
		if err != nil || n != 3 {
			t.Fatalf("BuildDigests wrote %d digests (%v), want anna's daily and weekly and bob's weekly", n, err)
		}
		msgs := smtp.Wait(t, 3, 20*time.Second)
		subjects, links := map[string]string{}, map[string]string{}
		for _, m := range msgs {
			s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			text, _, _ := m.Parts()
			subjects[s], links[s] = text, m.UnsubscribeURL()
		}
		daily, weekly := subjects["[Zirkel] Your daily digest (1)"], subjects["[Zirkel] Your weekly digest (2)"]
		if !strings.Contains(daily, publicURL+"/surveys/sur_1") || !strings.Contains(weekly, "KI im Bürgeramt") || !strings.Contains(weekly, "E-Akte") {
			t.Errorf("anna's digests: %v", subjects)
		}
		if !strings.Contains(subjects["[Zirkel] Ihre wöchentliche Zusammenfassung (1)"], "Brown Bag verschoben") {
			t.Errorf("bob's digest: %v", subjects)
		}
		// The weekly digest's link turns off the kinds in it (DISCUSSION), nothing else.
		if code, body := do(t, "POST", local(t, env, links["[Zirkel] Your weekly digest (2)"]), "List-Unsubscribe=One-Click"); code != 200 || !strings.Contains(body, "New discussion") {
			t.Fatalf("unsubscribing from the digest: %d %s", code, body)
		}
		if delivery(t, anna, "DISCUSSION") != "OFF" || delivery(t, anna, "SURVEY") != "DAILY" || delivery(t, anna, "MENTION") != "IMMEDIATE" {
			t.Error("the digest's link changed other kinds, or not its own")
		}
		if n, _ := mail.BuildDigests(context.Background(), env.App.Store.Client, time.Now().AddDate(0, 0, 8)); n != 0 {
			t.Errorf("a second run wrote %d more digests", n)
		}
	})
}
