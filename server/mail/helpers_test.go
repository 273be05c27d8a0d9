package mail_test

import (
	"context"
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
	"zirkel/server/policy"
)

// publicURL is the base URL of links in the tests' mails.
const publicURL = "https://zirkel.example"

// startWithMail starts Zirkel sending to the test SMTP server at smtpURL, polling often and
// retrying soon.
func startWithMail(t *testing.T, backend, smtpURL string, adjust ...func(*mail.Options)) *apitest.Env {
	t.Helper()
	return apitest.Start(t, backend, func(c *config.Config) {
		c.SMTPURL, c.PublicURL, c.MailFrom = smtpURL, publicURL, "Zirkel <zirkel@zirkel.example>"
	}, app.WithMailOptions(func(o *mail.Options) {
		o.Poll, o.RetryBase, o.RetryMax, o.SendTimeout = 30*time.Millisecond, 100*time.Millisecond, 200*time.Millisecond, 5*time.Second
		for _, f := range adjust {
			f(o)
		}
	}))
}

// enqueue stores items in the outbox in one transaction, as the event pipeline does.
func enqueue(t *testing.T, env *apitest.Env, items ...mail.Item) {
	t.Helper()
	ctx := context.Background()
	tx, err := env.App.Store.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := mail.Enqueue(ctx, tx.Client(), env.App.Store.Dialect, items...); err != nil {
		_ = tx.Rollback()
		t.Fatalf("enqueueing: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// outbox returns a member's outbox rows.
func outbox(t *testing.T, env *apitest.Env, member string) []outboxRow {
	t.Helper()
	rows, err := env.App.Store.Client.OutboxMail.Query().
		Where(outboxmail.MemberID(gid.ID(member))).Order(outboxmail.ByCreatedAt()).All(policy.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]outboxRow, len(rows))
	for i, r := range rows {
		out[i] = outboxRow{Kind: string(r.Kind), Status: string(r.Status), Attempts: r.Attempts, LastError: r.LastError}
	}
	return out
}

type outboxRow struct {
	Kind, Status, LastError string
	Attempts                int
}

// waitStatus waits until every outbox row of the member has one of the statuses.
func waitStatus(t *testing.T, env *apitest.Env, member string, n int, statuses ...string) []outboxRow {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		rows := outbox(t, env, member)
		done := len(rows) == n
		for _, r := range rows {
			done = done && strings.Contains(" "+strings.Join(statuses, " ")+" ", " "+r.Status+" ")
		}
		if done {
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox of %s is %+v, want %d rows in %v", member, rows, n, statuses)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// delivery reads the viewer's delivery of a kind through GraphQL.
func delivery(t *testing.T, s *apitest.Session, kind string) string {
	t.Helper()
	var out struct {
		EmailSettings struct {
			Language    string
			Preferences []struct{ Kind, Delivery string }
		}
	}
	s.MustPost(t, `{ emailSettings { language preferences { kind delivery } } }`, nil, &out)
	for _, p := range out.EmailSettings.Preferences {
		if p.Kind == kind {
			return p.Delivery
		}
	}
	t.Fatalf("no preference for %s in %+v", kind, out)
	return ""
}

// local turns a link of a mail into one on the test server.
func local(t *testing.T, env *apitest.Env, link string) string {
	t.Helper()
	if !strings.HasPrefix(link, publicURL+"/unsubscribe?token=") {
		t.Fatalf("unsubscribe link %q is not below %s", link, publicURL)
	}
	return env.URL + strings.TrimPrefix(link, publicURL)
}

// do sends a request and returns the status and body.
func do(t *testing.T, method, u, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, b.String()
}

// withToken replaces the token of an unsubscribe URL.
func withToken(u, token string) string {
	base, _, _ := strings.Cut(u, "?")
	return base + "?token=" + url.QueryEscape(token)
}

// eachBackend runs f as a parallel subtest on each database.
func eachBackend(t *testing.T, f func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range apitest.Backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			f(t, b)
		})
	}
}
