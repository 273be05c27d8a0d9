package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	gomail "github.com/wneessen/go-mail"

	"zirkel/ent"
	"zirkel/ent/emailpreference"
	"zirkel/ent/member"
	"zirkel/ent/outboxmail"
	"zirkel/ent/schema/gid"
	"zirkel/ent/schema/mailkind"
	"zirkel/server/events"
	"zirkel/server/policy"
)

// Options configure the sender.
type Options struct {
	SMTP    SMTP
	From    string // the From address, e.g. "Zirkel <zirkel@example.org>"
	BaseURL string // public base URL of links, e.g. https://zirkel.example.org
	Secret  []byte // keys the unsubscribe links

	Poll        time.Duration // how often to look for due mails (and digests)
	Batch       int           // mails claimed at once
	Lease       time.Duration // how long a claim holds; longer than Batch × SendTimeout
	SendTimeout time.Duration // bounds the dial, TLS and each SMTP command
	MaxAttempts int           // attempts before a mail is FAILED
	RetryBase   time.Duration // backoff after the first failure, doubled after each further one
	RetryMax    time.Duration // longest backoff
	Retention   time.Duration // how long sent, digested, cancelled and failed mails are kept
	HELO        string        // name in HELO/EHLO; empty: go-mail's default
	TLS         *tls.Config   // only its RootCAs are used (tests trust their own CA)
}

// DefaultOptions are the sender's settings except where to send.
var DefaultOptions = Options{
	Poll: 5 * time.Second, Batch: 20, Lease: 5 * time.Minute, SendTimeout: 30 * time.Second,
	MaxAttempts: 8, RetryBase: time.Minute, RetryMax: 6 * time.Hour, Retention: 30 * 24 * time.Hour,
}

// Sender sends due mails of the outbox. Every replica may run one: a mail is sent by the
// sender that claimed it, and a claim (lease) is taken with one conditional UPDATE.
type Sender struct {
	client  *ent.Client
	dialect string
	opts    Options
	logger  *slog.Logger
	owner   string
	stop    context.CancelFunc
	done    sync.WaitGroup
}

// NewSender returns a sender over the database's client (dialect: entgo's dialect name).
func NewSender(client *ent.Client, dialectName string, opts Options, logger *slog.Logger) *Sender {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &Sender{client: client, dialect: dialectName, opts: opts, logger: logger,
		owner: clip(fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:])), 60)}
}

// Start runs the sender in the background until Stop.
func (s *Sender) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(s.opts.Poll)
		defer t.Stop()
		for {
			s.tick(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the background loop and waits for it.
func (s *Sender) Stop() {
	if s.stop != nil {
		s.stop()
		s.done.Wait()
	}
}

// tick builds due digests and sends due mails until none are left, each unit of work under
// its own deadline.
func (s *Sender) tick(ctx context.Context) {
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	if _, err := BuildDigests(dctx, s.client, time.Now()); err != nil && ctx.Err() == nil {
		s.logger.Warn("building digests failed", "err", err)
	}
	if err := Purge(dctx, s.client, time.Now().Add(-s.opts.Retention)); err != nil && ctx.Err() == nil {
		s.logger.Warn("purging old mails failed", "err", err)
	}
	cancel()
	for ctx.Err() == nil {
		n, err := s.SendDue(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Warn("sending mails failed", "err", err)
			}
			return
		}
		if n == 0 {
			return
		}
	}
}

// Purge deletes mails that are done (sent, digested, cancelled, failed) and were last changed
// before the cutoff: the outbox holds what mails said, which is personal data.
func Purge(ctx context.Context, client *ent.Client, before time.Time) error {
	_, err := client.OutboxMail.Delete().Where(
		outboxmail.StatusIn(outboxmail.StatusSENT, outboxmail.StatusDIGESTED, outboxmail.StatusCANCELLED, outboxmail.StatusFAILED),
		outboxmail.UpdatedAtLT(before.UTC())).Exec(events.Quiet(policy.System(ctx)))
	if err != nil {
		return fmt.Errorf("purging old mails: %w", err)
	}
	return nil
}

// SendDue claims up to a batch of due mails, sends them and records the outcome; it returns
// how many it claimed.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	ctx = events.Quiet(policy.System(ctx)) // bookkeeping of the outbox is no event
	token, until, err := s.claim(ctx)
	if err != nil {
		return 0, err
	}
	mails, err := s.client.OutboxMail.Query().Where(outboxmail.LeaseOwner(token)).All(ctx)
	if err != nil || len(mails) == 0 {
		return 0, err
	}
	recipients, err := s.recipients(ctx, mails)
	if err != nil {
		return len(mails), err
	}
	var c *gomail.Client
	var dialErr error
	defer func() {
		if c != nil {
			_ = c.Close()
		}
	}()
	for _, m := range mails {
		r := recipients[m.MemberID]
		entries := r.wanted(m.Entries)
		switch {
		case r.email == "" || len(entries) == 0:
			s.finish(ctx, m, token, outboxmail.StatusCANCELLED, "")
			continue
		case time.Until(until) < s.opts.SendTimeout*2:
			s.release(ctx, m, token) // the lease would end while sending: leave it to the next claim
			continue
		}
		if c == nil && dialErr == nil {
			if c, dialErr = s.dial(ctx); dialErr != nil {
				c = nil
			}
		}
		if dialErr != nil { // the rest of the batch waits for the next attempt, without dialling again
			s.failed(ctx, m, token, dialErr)
			continue
		}
		if err := s.send(c, m, r, entries); err != nil {
			s.failed(ctx, m, token, err)
			_ = c.Close()
			c = nil // a fresh connection for the next mail
			continue
		}
		s.finish(ctx, m, token, outboxmail.StatusSENT, "")
	}
	return len(mails), nil
}

// claim leases up to a batch of due mails to this sender with one conditional UPDATE and
// returns the claim's token. The batch is chosen once (a MATERIALIZED common table
// expression: as a plain IN subquery PostgreSQL may rescan it and claim more than a batch).
// The conditions are repeated in the UPDATE: on PostgreSQL a concurrent claim that waited for
// a row re-checks them on the row's new version and skips it (and FOR UPDATE SKIP LOCKED lets
// claims pass each other); SQLite has one writer at a time.
func (s *Sender) claim(ctx context.Context) (string, time.Time, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	token := s.owner + "/" + hex.EncodeToString(b[:])
	now := time.Now().UTC()
	until := now.Add(s.opts.Lease)
	due := `status = 'PENDING' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3)`
	lock := ""
	if s.dialect == dialect.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `WITH batch AS MATERIALIZED (SELECT id FROM outbox_mails WHERE ` + due + ` ORDER BY next_attempt_at, id LIMIT $4` + lock + `)
UPDATE outbox_mails SET lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
WHERE id IN (SELECT id FROM batch) AND ` + due
	res, err := s.client.ExecContext(ctx, q, token, until, now, s.opts.Batch)
	if err != nil {
		return "", until, fmt.Errorf("claiming mails: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		s.logger.Debug("mails claimed", "count", n, "owner", s.owner)
	}
	return token, until, nil
}

// recipient is what a mail needs of its member.
type recipient struct {
	email, language string
	deliveries      map[string]string
}

// wanted are the entries of kinds the member has not turned off meanwhile.
func (r recipient) wanted(entries []mailkind.Entry) []mailkind.Entry {
	var out []mailkind.Entry
	for _, e := range entries {
		if d, ok := r.deliveries[e.Kind]; !ok || d != "OFF" {
			out = append(out, e)
		}
	}
	return out
}

// recipients loads the members of the mails (active ones only) and their preferences in two
// queries.
func (s *Sender) recipients(ctx context.Context, mails []*ent.OutboxMail) (map[gid.ID]recipient, error) {
	ids := make([]gid.ID, 0, len(mails))
	for _, m := range mails {
		ids = append(ids, m.MemberID)
	}
	members, err := s.client.Member.Query().Where(member.IDIn(ids...), member.StatusEQ(member.StatusACTIVE)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading recipients: %w", err)
	}
	out := map[gid.ID]recipient{}
	for _, m := range members {
		out[m.ID] = recipient{email: m.Email, language: string(m.Language), deliveries: map[string]string{}}
	}
	prefs, err := s.client.EmailPreference.Query().Where(emailpreference.MemberIDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading e-mail preferences: %w", err)
	}
	for _, p := range prefs {
		if r, ok := out[p.MemberID]; ok {
			r.deliveries[string(p.Kind)] = string(p.Delivery)
		}
	}
	return out, nil
}

// dial connects to the SMTP server.
func (s *Sender) dial(ctx context.Context) (*gomail.Client, error) {
	c, err := s.opts.SMTP.client(s.opts.SendTimeout, s.opts.HELO, s.opts.TLS)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, s.opts.SendTimeout)
	defer cancel()
	if err := c.DialWithContext(dctx); err != nil {
		return nil, fmt.Errorf("connecting to the SMTP server: %w", err)
	}
	return c, nil
}

// send renders and sends one mail.
func (s *Sender) send(c *gomail.Client, m *ent.OutboxMail, r recipient, entries []mailkind.Entry) error {
	kinds := kindsOf(entries)
	unsubscribe := UnsubscribeURL(s.opts.BaseURL, s.opts.Secret, m.MemberID, kinds)
	period := ""
	if m.Kind == outboxmail.KindDIGEST && m.Period != nil {
		period = string(*m.Period)
	}
	out, err := render(r.language, period, s.opts.BaseURL, unsubscribe, entries)
	if err != nil {
		return err
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.opts.From); err != nil {
		return fmt.Errorf("setting the sender: %w", err)
	}
	if err := msg.To(r.email); err != nil {
		return permanent{errors.New("the recipient's address is not valid")}
	}
	msg.Subject(out.Subject)
	msg.SetMessageIDWithValue(string(m.ID) + "@" + domainOf(s.opts.From))
	msg.SetDate()
	msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+unsubscribe+">")
	msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, out.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, out.HTML)
	return c.Send(msg)
}

// kindsOf lists the distinct kinds of entries, in the order of mailkind.Kinds.
func kindsOf(entries []mailkind.Entry) []string {
	var out []string
	for _, k := range mailkind.Kinds {
		for _, e := range entries {
			if e.Kind == k {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// domainOf is the domain of the From address, for Message-IDs.
func domainOf(from string) string {
	_, d, ok := strings.Cut(strings.TrimSuffix(strings.TrimSpace(from), ">"), "@")
	if !ok || d == "" {
		return "zirkel"
	}
	return d
}

// permanent marks an error that retrying cannot fix.
type permanent struct{ error }

// finish records the outcome of a claimed mail, if the claim still holds.
func (s *Sender) finish(ctx context.Context, m *ent.OutboxMail, token string, status outboxmail.Status, lastError string) {
	u := s.client.OutboxMail.Update().Where(outboxmail.ID(m.ID), outboxmail.LeaseOwner(token)).
		SetStatus(status).ClearLeaseUntil().SetUpdatedAt(time.Now().UTC())
	if lastError != "" { // a sent mail keeps why an earlier attempt failed
		u.SetLastError(lastError)
	}
	if status == outboxmail.StatusSENT {
		u.SetSentAt(time.Now().UTC())
	}
	n, err := u.Save(ctx)
	switch {
	case err != nil:
		s.logger.Warn("recording a mail failed", "mail", m.ID, "member", m.MemberID, "err", err)
	case n == 0:
		s.logger.Warn("a mail's lease ended before it was recorded", "mail", m.ID, "member", m.MemberID)
	case status == outboxmail.StatusSENT:
		s.logger.Debug("mail sent", "mail", m.ID, "member", m.MemberID, "kind", m.Kind)
	}
}

// release gives a claimed mail back without counting the attempt.
func (s *Sender) release(ctx context.Context, m *ent.OutboxMail, token string) {
	_ = s.client.OutboxMail.Update().Where(outboxmail.ID(m.ID), outboxmail.LeaseOwner(token)).
		ClearLeaseUntil().AddAttempts(-1).SetUpdatedAt(time.Now().UTC()).Exec(ctx)
}

// failed records a failed attempt: a retry after a backoff with jitter, or FAILED after the
// last attempt or a permanent error.
func (s *Sender) failed(ctx context.Context, m *ent.OutboxMail, token string, err error) {
	reason, temporary := classify(err)
	if !temporary || m.Attempts >= s.opts.MaxAttempts {
		s.logger.Warn("mail failed", "mail", m.ID, "member", m.MemberID, "attempts", m.Attempts, "reason", reason)
		s.finish(ctx, m, token, outboxmail.StatusFAILED, reason)
		return
	}
	next := time.Now().UTC().Add(backoff(s.opts.RetryBase, s.opts.RetryMax, m.Attempts))
	s.logger.Info("mail will be retried", "mail", m.ID, "member", m.MemberID, "attempts", m.Attempts, "reason", reason)
	err = s.client.OutboxMail.Update().Where(outboxmail.ID(m.ID), outboxmail.LeaseOwner(token)).
		SetNextAttemptAt(next).ClearLeaseUntil().SetLastError(reason).SetUpdatedAt(time.Now().UTC()).Exec(ctx)
	if err != nil {
		s.logger.Warn("recording a mail failed", "mail", m.ID, "member", m.MemberID, "err", err)
	}
}

// backoff is base·2^(attempt-1), at most max, of which a random half is taken off (jitter),
// so that mails failing together do not come back together.
func backoff(base, max time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// classify says why sending failed, without addresses or server text (which may quote them),
// and whether trying again may help.
func classify(err error) (string, bool) {
	var p permanent
	if errors.As(err, &p) {
		return p.Error(), false
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		reason := fmt.Sprintf("SMTP %s: %d %s", se.Reason, se.ErrorCode(), se.EnhancedStatusCode())
		// 5xx is permanent; 4xx and errors without a code (connection lost) are worth a retry.
		return reason, se.ErrorCode() < 500 || se.ErrorCode() >= 600
	}
	if strings.Contains(err.Error(), "connecting to the SMTP server") {
		return "connecting to the SMTP server failed", true
	}
	return "sending failed", true
}
