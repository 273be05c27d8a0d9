package graph_test

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zirkel/ent/outboxmail"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/config"
	"zirkel/server/mail"
	"zirkel/server/mail/mailtest"
	"zirkel/server/policy"
)

// mailPublicURL is the base URL of links in the mails of these tests.
const mailPublicURL = "https://zirkel.example"

// forEachBackendWithMail starts Zirkel on each backend sending to a test SMTP server of its own.
func forEachBackendWithMail(t *testing.T, f func(t *testing.T, env *apitest.Env, smtp *mailtest.Server)) {
	t.Helper()
	for _, b := range apitest.Backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			smtp := mailtest.Start(t, mailtest.Options{})
			env := apitest.Start(t, b, func(c *config.Config) {
				c.SMTPURL, c.PublicURL, c.MailFrom = smtp.URL(false), mailPublicURL, "Zirkel <zirkel@zirkel.example>"
			}, app.WithMailOptions(func(o *mail.Options) {
				o.Poll, o.RetryBase, o.RetryMax, o.SendTimeout = 30*time.Millisecond, 100*time.Millisecond, 200*time.Millisecond, 5*time.Second
			}))
			f(t, env, smtp)
		})
	}
}

// outboxOf counts a member's outbox rows of a kind.
func outboxOf(t *testing.T, env *apitest.Env, memberID, kind string) int {
	t.Helper()
	n, err := env.App.Store.Client.OutboxMail.Query().
		Where(outboxmail.MemberID(gid.ID(memberID)), outboxmail.KindEQ(outboxmail.Kind(kind))).Count(policy.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantMail checks one received mail: recipient, subject, link to the item, RFC 8058 headers.
// oneClickUnsubscribe posts RFC 8058's one-click unsubscribe to the mail's link, without a
// login, and wants it accepted.
func oneClickUnsubscribe(t *testing.T, env *apitest.Env, msg mailtest.Message) {
	t.Helper()
	unsub := env.URL + strings.TrimPrefix(msg.UnsubscribeURL(), mailPublicURL)
	res, err := http.Post(unsub, "application/x-www-form-urlencoded", strings.NewReader(url.Values{"List-Unsubscribe": {"One-Click"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("unsubscribe: %d", res.StatusCode)
	}
}

func wantMail(t *testing.T, msg mailtest.Message, to, subject, link string) {
	t.Helper()
	if len(msg.To) != 1 || msg.To[0] != to {
		t.Fatalf("mail went to %v, want %s", msg.To, to)
	}
	got, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if !strings.Contains(got, subject) {
		t.Errorf("subject %q, want %q", got, subject)
	}
	text, html, err := msg.Parts()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, mailPublicURL+link) || !strings.Contains(html, `href="`+mailPublicURL+link+`"`) {
		t.Errorf("the mail lacks the link %s:\n%s", link, text)
	}
	if msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(msg.UnsubscribeURL(), mailPublicURL+"/unsubscribe?token=") {
		t.Errorf("List-Unsubscribe headers: %q, %q", msg.Header.Get("List-Unsubscribe"), msg.Header.Get("List-Unsubscribe-Post"))
	}
}

// TestNotifyRepliesAndMentionsAreMailed: a reply in Jonas's discussion is stored, delivered
// live and e-mailed at once (REPLY is immediate by default) with a link and one-click
// unsubscribe; further replies to the unread notification count up without another mail; after
// unsubscribing from replies (POST, no login) a reply is stored and delivered live but not
// mailed, while a mention still is.
func TestNotifyRepliesAndMentionsAreMailed(t *testing.T) {
	forEachBackendWithMail(t, func(t *testing.T, env *apitest.Env, smtp *mailtest.Server) {
		s := newSeed(t, env)
		const jonasMail = "jonas.wolf@musterhausen.example"
		d := startFollowedDiscussion(t, s.Jonas, "Low Code im Bauamt", nil, nil)
		link := "/discussions/" + d
		jonas := openInbox(t, s.Jonas, protoFor(env, t), nil)

		postIn(t, s.Anna, d, "Wir nutzen das seit einem Jahr.", nil)
		wantDelivered(t, jonas, "REPLY", d, 1) // live, stored, then marked read
		msg := smtp.Wait(t, 1, 20*time.Second)[0]
		wantMail(t, msg, jonasMail, "Neue Antwort in „Low Code im Bauamt“", link)

		// Grouped: two more replies count up one unread notification and enqueue one mail.
		postIn(t, s.Anna, d, "Nachtrag 1", nil)
		jonas.next(t)
		postIn(t, s.Anna, d, "Nachtrag 2", nil)
		if got := jonas.next(t); got.Notification.Count != 2 {
			t.Fatalf("grouped: %+v", got.Notification)
		}
		if n := outboxOf(t, env, s.Jonas.MemberID, "REPLY"); n != 2 {
			t.Fatalf("a reply to a read group and two to an unread one: want 2 outbox rows, got %d", n)
		}
		smtp.Wait(t, 2, 20*time.Second)
		must[int](t, s.Jonas, `mutation { r: markAllNotificationsRead }`, nil)

		// One-click unsubscribe from replies, without login.
		oneClickUnsubscribe(t, env, msg)
		postIn(t, s.Anna, d, "Noch eine Antwort", nil)
		wantDelivered(t, jonas, "REPLY", d, 1)
		if n := outboxOf(t, env, s.Jonas.MemberID, "REPLY"); n != 2 {
			t.Fatalf("after unsubscribing, a reply was enqueued (%d rows)", n)
		}

		// A mention is still mailed (its own kind), and is the next mail to arrive.
		postIn(t, s.Anna, d, fmt.Sprintf("Was meinst du, @[Jonas Wolf](%s)?", s.Jonas.MemberID), nil)
		wantDelivered(t, jonas, "MENTION", d, 1)
		msgs := smtp.Wait(t, 3, 20*time.Second)
		wantMail(t, msgs[2], jonasMail, "Sie wurden in „Low Code im Bauamt“ erwähnt", link)
		time.Sleep(300 * time.Millisecond) // the sender polls every 30ms: nothing else is due
		if n := len(smtp.Messages()); n != 3 {
			t.Fatalf("%d mails arrived, want 3", n)
		}
	})
}

// TestNotifyEventReminderIsMailed: the reminder transaction enqueues its notifications too; a
// member who wants event reminders at once gets one mail (running the reminders again sends
// none), and one who keeps the weekly default gets a digest item instead of a mail.
func TestNotifyEventReminderIsMailed(t *testing.T) {
	forEachBackendWithMail(t, func(t *testing.T, env *apitest.Env, smtp *mailtest.Server) {
		s := newSeed(t, env)
		must[struct{ Language string }](t, s.Jonas, `mutation { r: setEmailSettings(preferences: [{kind: EVENT_REMINDER, delivery: IMMEDIATE}]) { language } }`, nil)
		eventID := must[struct{ ID string }](t, s.Admin, `mutation { r: createEvent(input: {title: "Brown Bag Low Code", kind: BROWN_BAG,
			startsAt: "2030-03-01T10:00:00Z", endsAt: "2030-03-01T11:00:00Z"}) { id } }`, nil).ID
		for _, m := range []*apitest.Session{s.Anna, s.Jonas} {
			must[struct{ ID string }](t, m, `mutation($e: ID!) { r: registerForEvent(eventID: $e) { id } }`, map[string]any{"e": eventID})
		}
		starts := time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)
		for range 2 {
			if err := env.App.Notify.Remind(context.Background(), env.App.Store.Client, starts.Add(-23*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		msg := smtp.Wait(t, 1, 20*time.Second)[0]
		wantMail(t, msg, "jonas.wolf@musterhausen.example", "Erinnerung: „Brown Bag Low Code“ beginnt bald", "/events/"+eventID)
		if n := outboxOf(t, env, s.Jonas.MemberID, "EVENT_REMINDER"); n != 1 {
			t.Fatalf("Jonas: %d reminder mails enqueued, want 1", n)
		}
		rows, err := env.App.Store.Client.OutboxMail.Query().
			Where(outboxmail.MemberID(gid.ID(s.Anna.MemberID)), outboxmail.KindEQ(outboxmail.KindEVENT_REMINDER)).All(policy.System(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Status != outboxmail.StatusDIGEST_PENDING || rows[0].Period == nil || *rows[0].Period != outboxmail.PeriodWEEKLY ||
			len(rows[0].Entries) != 1 || rows[0].Entries[0].Link != "/events/"+eventID {
			t.Fatalf("Anna's reminder should wait for her weekly digest: %+v", rows)
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(smtp.Messages()); n != 1 {
			t.Fatalf("%d mails arrived, want 1", n)
		}
	})
}
