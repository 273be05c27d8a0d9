package mail_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/config"
	"zirkel/server/mail"
	"zirkel/server/mail/mailtest"
)

// TestImmediateMailAndOneClickUnsubscribe: a mention arrives at once at the test SMTP server,
// in German with a link to the item and RFC 8058 headers; GET on the link changes nothing,
// POST with List-Unsubscribe=One-Click turns mentions (only) off without login, and a token
// that is not the link's own (a session token, another member's) does nothing.
func TestImmediateMailAndOneClickUnsubscribe(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		smtp := mailtest.Start(t, mailtest.Options{})
		env := startWithMail(t, backend, smtp.URL(false))
		anna := env.NewMember(t, apitest.Spec{Email: "anna." + strings.ToLower(backend) + "@kreis.example"})
		bob := env.NewMember(t, apitest.Spec{})
		enqueue(t, env, mail.Item{MemberID: gid.ID(anna.MemberID), Kind: "MENTION",
			Title: "Bert hat Sie in „Low Code im Bauamt“ erwähnt", Link: "/discussions/dis_1", Lines: []string{"@Anna was meinen Sie?"}})
		msg := smtp.Wait(t, 1, 20*time.Second)[0]
		if len(msg.To) != 1 || msg.To[0] != "anna."+strings.ToLower(backend)+"@kreis.example" {
			t.Fatalf("mail went to %v", msg.To)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if !strings.Contains(subject, "Bert hat Sie in „Low Code im Bauamt“ erwähnt") {
			t.Errorf("subject %q", subject)
		}
		text, html, err := msg.Parts()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Hallo,", publicURL + "/discussions/dis_1", "@Anna was meinen Sie?", "abbestellen"} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q:\n%s", want, text)
			}
		}
		if !strings.Contains(html, `href="`+publicURL+`/discussions/dis_1"`) || !strings.Contains(html, `lang="de"`) {
			t.Errorf("HTML lacks the link or the language:\n%s", html)
		}
		if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", got)
		}
		link := local(t, env, msg.UnsubscribeURL())

		code, body := do(t, http.MethodGet, link, "")
		if code != http.StatusOK || !strings.Contains(body, `name="List-Unsubscribe" value="One-Click"`) || !strings.Contains(body, "Erwähnung") {
			t.Fatalf("GET: %d %s", code, body)
		}
		if got := delivery(t, anna, "MENTION"); got != "IMMEDIATE" {
			t.Fatalf("after GET, MENTION is %s: GET must not unsubscribe", got)
		}
		if code, _ := do(t, http.MethodPost, link, "other=1"); code != http.StatusBadRequest {
			t.Errorf("POST without List-Unsubscribe=One-Click: %d", code)
		}
		token, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
		payload, mac, _ := strings.Cut(token.Get("token"), ".")
		forged := base64.RawURLEncoding.EncodeToString([]byte(bob.MemberID+":MENTION")) + "." + mac
		otherKind := base64.RawURLEncoding.EncodeToString([]byte(anna.MemberID+":REPLY")) + "." + mac
		for name, tok := range map[string]string{"session token": anna.Token, "another member": forged, "another kind": otherKind, "no mac": payload, "empty": ""} {
			if code, _ := do(t, http.MethodPost, withToken(link, tok), "List-Unsubscribe=One-Click"); code != http.StatusBadRequest {
				t.Errorf("%s: POST answered %d", name, code)
			}
		}
		if delivery(t, anna, "MENTION") != "IMMEDIATE" || delivery(t, anna, "REPLY") != "IMMEDIATE" || delivery(t, bob, "MENTION") != "IMMEDIATE" {
			t.Fatal("a wrong token changed a preference")
		}

		if code, body := do(t, http.MethodPost, link, "List-Unsubscribe=One-Click"); code != http.StatusOK {
			t.Fatalf("one-click POST: %d %s", code, body)
		}
		if got := delivery(t, anna, "MENTION"); got != "OFF" {
			t.Errorf("after unsubscribing, MENTION is %s", got)
		}
		if got := delivery(t, anna, "REPLY"); got != "IMMEDIATE" {
			t.Errorf("unsubscribing from mentions changed replies to %s", got)
		}
		enqueue(t, env,
			mail.Item{MemberID: gid.ID(anna.MemberID), Kind: "MENTION", Title: "Noch eine Erwähnung", Link: "/discussions/dis_2"},
			mail.Item{MemberID: gid.ID(anna.MemberID), Kind: "REPLY", Title: "Eine Antwort", Link: "/discussions/dis_2"})
		msgs := smtp.Wait(t, 2, 20*time.Second)
		rows := waitStatus(t, env, anna.MemberID, 2, "SENT")
		if rows[0].Kind != "MENTION" || rows[1].Kind != "REPLY" {
			t.Errorf("outbox after unsubscribing: %+v (no second MENTION expected)", rows)
		}
		if s, _ := new(mime.WordDecoder).DecodeHeader(msgs[1].Header.Get("Subject")); !strings.Contains(s, "Eine Antwort") {
			t.Errorf("second mail: %q", s)
		}
	})
}

// TestRetryAfterTemporaryFailure: the SMTP server refuses the first attempt with 451; the
// mail is sent on the retry, once, and the outbox records two attempts and why the first
// failed (codes, no address).
func TestRetryAfterTemporaryFailure(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		smtp := mailtest.Start(t, mailtest.Options{})
		smtp.RejectNext(1)
		env := startWithMail(t, backend, smtp.URL(false))
		anna := env.NewMember(t, apitest.Spec{})
		enqueue(t, env, mail.Item{MemberID: gid.ID(anna.MemberID), Kind: "REPLY", Title: "Antwort", Link: "/discussions/dis_1"})
		smtp.Wait(t, 1, 20*time.Second)
		rows := waitStatus(t, env, anna.MemberID, 1, "SENT")
		if rows[0].Attempts != 2 || !strings.Contains(rows[0].LastError, "451") || strings.Contains(rows[0].LastError, "@") {
			t.Errorf("outbox row %+v: want 2 attempts and the 451 of the first", rows[0])
		}
		time.Sleep(300 * time.Millisecond) // several polls
		if n := len(smtp.Messages()); n != 1 {
			t.Errorf("the mail arrived %d times", n)
		}
		// Sent mails are kept for the retention period, then deleted.
		ctx := context.Background()
		if err := mail.Purge(ctx, env.App.Store.Client, time.Now().Add(-time.Hour)); err != nil || len(outbox(t, env, anna.MemberID)) != 1 {
			t.Errorf("purging mails older than an hour removed a new one (%v)", err)
		}
		if err := mail.Purge(ctx, env.App.Store.Client, time.Now().Add(time.Hour)); err != nil || len(outbox(t, env, anna.MemberID)) != 0 {
			t.Errorf("purging left a sent mail (%v)", err)
		}
	})
}

// TestPermanentFailureAndRequiredTLS: with ?starttls=required a server without STARTTLS gets
// no mail (the attempts run out: FAILED); a 5xx answer fails a mail at once.
func TestPermanentFailureAndRequiredTLS(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	env := startWithMail(t, "sqlite", smtp.URL(false)+"?starttls=required", func(o *mail.Options) { o.MaxAttempts = 2 })
	anna := env.NewMember(t, apitest.Spec{})
	enqueue(t, env, mail.Item{MemberID: gid.ID(anna.MemberID), Kind: "REPLY", Title: "Antwort", Link: "/x"})
	rows := waitStatus(t, env, anna.MemberID, 1, "FAILED")
	if rows[0].Attempts != 2 || len(smtp.Messages()) != 0 {
		t.Errorf("outbox %+v, %d mails: want FAILED after 2 attempts and no mail", rows, len(smtp.Messages()))
	}
}

// TestTLSAndAuth: STARTTLS when offered and implicit TLS (smtps://), both with AUTH PLAIN
// from the environment's user name and password, verified against the server's CA.
func TestTLSAndAuth(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		t.Run(map[bool]string{false: "starttls", true: "smtps"}[implicit], func(t *testing.T) {
			smtp := mailtest.Start(t, mailtest.Options{TLS: true, Implicit: implicit, Username: "zirkel", Password: "geheim"})
			env := apitest.Start(t, "sqlite", func(c *config.Config) {
				c.SMTPURL, c.PublicURL, c.SMTPUsername, c.SMTPPassword = smtp.URL(implicit), publicURL, "zirkel", "geheim"
			}, app.WithMailOptions(func(o *mail.Options) { o.Poll = 30 * time.Millisecond; o.TLS = &tls.Config{RootCAs: smtp.Roots()} }))
			anna := env.NewMember(t, apitest.Spec{})
			enqueue(t, env, mail.Item{MemberID: gid.ID(anna.MemberID), Kind: "MENTION", Title: "Erwähnung", Link: "/x"})
			if msg := smtp.Wait(t, 1, 20*time.Second)[0]; !msg.TLS {
				t.Error("the mail did not travel over TLS")
			}
		})
	}
}

// TestSMTPURLs: the accepted URL forms, and what is refused.
func TestSMTPURLs(t *testing.T) {
	for _, c := range []struct {
		url      string
		port     int
		implicit bool
		bad      bool
	}{
		{url: "smtp://mail.example", port: 25},
		{url: "smtp://mail.example:587?starttls=required", port: 587},
		{url: "smtp://mailpit:1025?starttls=off", port: 1025},
		{url: "smtps://mail.example", port: 465, implicit: true},
		{url: "smtp://user:pass@mail.example", bad: true},
		{url: "http://mail.example", bad: true},
		{url: "smtp://mail.example?starttls=maybe", bad: true},
		{url: "smtp://:25", bad: true},
	} {
		s, err := mail.ParseSMTPURL(c.url, "", "")
		switch {
		case c.bad && err == nil:
			t.Errorf("%s: accepted", c.url)
		case !c.bad && err != nil:
			t.Errorf("%s: %v", c.url, err)
		case !c.bad && (s.Port != c.port || s.Implicit != c.implicit):
			t.Errorf("%s: %+v", c.url, s)
		}
	}
}

// TestWithoutSMTPTheOutboxFillsAndChoicesApplyAtSending: with no SMTP server configured
// nothing is sent but the outbox keeps the mails; a kind turned off before its mail is sent
// cancels that mail, and a sender started later sends the rest.
func TestWithoutSMTPTheOutboxFillsAndChoicesApplyAtSending(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		env := apitest.Start(t, backend, nil)
		if env.App.Mail != nil {
			t.Fatal("a sender runs without an SMTP server")
		}
		anna := env.NewMember(t, apitest.Spec{})
		a := gid.ID(anna.MemberID)
		enqueue(t, env, mail.Item{MemberID: a, Kind: "MENTION", Title: "Erwähnung", Link: "/x"},
			mail.Item{MemberID: a, Kind: "REPLY", Title: "Antwort", Link: "/y"})
		anna.MustPost(t, `mutation { setEmailSettings(preferences: [{kind: MENTION, delivery: DAILY}, {kind: REPLY, delivery: OFF}]) { language } }`, nil, nil)
		smtp := mailtest.Start(t, mailtest.Options{})
		s, err := mail.ParseSMTPURL(smtp.URL(false), "", "")
		if err != nil {
			t.Fatal(err)
		}
		opts := mail.DefaultOptions
		opts.SMTP, opts.From, opts.BaseURL, opts.Secret = s, "zirkel@zirkel.example", publicURL, []byte("k")
		sender := mail.NewSender(env.App.Store.Client, env.App.Store.Dialect, opts, slog.New(slog.DiscardHandler))
		if n, err := sender.SendDue(context.Background()); err != nil || n != 2 {
			t.Fatalf("claimed %d mails (%v)", n, err)
		}
		status := map[string]string{}
		for _, r := range outbox(t, env, anna.MemberID) {
			status[r.Kind] = r.Status
		}
		if status["MENTION"] != "SENT" || status["REPLY"] != "CANCELLED" || len(smtp.Messages()) != 1 {
			t.Errorf("outbox %v, %d mails: want the mention sent (it was enqueued at once) and the reply cancelled", status, len(smtp.Messages()))
		}
	})
}
