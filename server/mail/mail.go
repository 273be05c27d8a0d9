// Package mail e-mails members what concerns them: an outbox written in the same transaction as
// the event (Enqueue), a sender that claims due mails with a lease in the database so that
// several replicas send each mail once (Sender), daily and weekly digests (BuildDigests),
// templates in German and English, and one-click unsubscribe links (RFC 8058, Unsubscribe).
// Who gets which notification is decided elsewhere; this package only delivers.
package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	entsql "entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/emailpreference"
	"zirkel/ent/member"
	"zirkel/ent/outboxmail"
	"zirkel/ent/schema/gid"
	"zirkel/ent/schema/mailkind"
	"zirkel/server/policy"
)

// Item is one thing to tell a member by e-mail.
type Item struct {
	// MemberID is the recipient.
	MemberID gid.ID
	// Kind is one of mailkind.Kinds (REPLY, MENTION, ...); it selects the member's delivery
	// preference and the unsubscribe link.
	Kind string
	// Title says what happened in one line (the subject of an immediate mail), e.g.
	// "Anna Beispiel hat in „Low Code im Bauamt“ geantwortet".
	Title string
	// Link is the path of the item below the public base URL, e.g. "/discussions/dis_…".
	Link string
	// Lines are optional further lines of plain text (an excerpt), at most 20.
	Lines []string
}

// Limits of an item, so that the outbox stays small.
const (
	maxTitle = 300
	maxLines = 20
	maxLine  = 1000
	maxLink  = 500
)

// insertChunk is how many outbox rows one INSERT writes (PostgreSQL allows 65,535 parameters).
const insertChunk = 1000

// Enqueue puts mails into the outbox with tx, the client of the transaction that records what
// happened, so that the mails are stored if and only if the change is: a crash loses none.
// It applies each member's delivery preference of the kind: OFF stores nothing, IMMEDIATE a
// mail to send at once, DAILY and WEEKLY an item for the next digest. It costs a constant
// number of statements per 1,000 items (one to read preferences, one to check that the
// members exist, one insert), not one per item: it writes with plain SQL in the database's
// dialect ("sqlite3", "postgres"), not through ent's per-row hooks, which would check each
// row's member on its own. It acts as trusted server code (policy.System): call it from the
// event pipeline.
func Enqueue(ctx context.Context, tx *ent.Client, dialectName string, items ...Item) error {
	if len(items) == 0 {
		return nil
	}
	ctx = policy.System(ctx)
	for i := range items {
		if err := check(&items[i]); err != nil {
			return fmt.Errorf("enqueueing mail %d: %w", i, err)
		}
	}
	deliveries, err := deliveriesOf(ctx, tx, items)
	if err != nil {
		return err
	}
	if err := membersExist(ctx, tx, items); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var rows [][]any
	for _, it := range items {
		d := deliveries[prefKey{it.MemberID, it.Kind}]
		if d == "OFF" {
			continue
		}
		entries, err := json.Marshal([]mailkind.Entry{{Kind: it.Kind, Title: it.Title, Link: it.Link, Lines: it.Lines, At: now}})
		if err != nil {
			return fmt.Errorf("enqueueing mail: %w", err)
		}
		status, period := string(outboxmail.StatusPENDING), any(nil)
		if d != "IMMEDIATE" {
			status, period = string(outboxmail.StatusDIGEST_PENDING), d
		}
		rows = append(rows, []any{string(gid.New(idPrefix)), now, now, string(it.MemberID), it.Kind, status, period,
			string(entries), 0, now})
	}
	for start := 0; start < len(rows); start += insertChunk {
		ins := entsql.Dialect(dialectName).Insert(outboxmail.Table).Columns(
			outboxmail.FieldID, outboxmail.FieldCreatedAt, outboxmail.FieldUpdatedAt, outboxmail.FieldMemberID,
			outboxmail.FieldKind, outboxmail.FieldStatus, outboxmail.FieldPeriod, outboxmail.FieldEntries,
			outboxmail.FieldAttempts, outboxmail.FieldNextAttemptAt)
		for _, r := range rows[start:min(start+insertChunk, len(rows))] {
			ins.Values(r...)
		}
		query, args := ins.Query()
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("enqueueing mails: %w", err)
		}
	}
	return nil
}

// idPrefix is the prefix of outbox mail ids (see ent/schema/outboxmail.go).
const idPrefix = "obm"

// membersExist checks that every item's member exists (what ent's reference hook checks per
// row), in one query per 5,000 members.
func membersExist(ctx context.Context, c *ent.Client, items []Item) error {
	var ids []gid.ID
	seen := map[gid.ID]bool{}
	for _, it := range items {
		if !seen[it.MemberID] {
			seen[it.MemberID] = true
			ids = append(ids, it.MemberID)
		}
	}
	for start := 0; start < len(ids); start += insertChunk * 5 {
		part := ids[start:min(start+insertChunk*5, len(ids))]
		n, err := c.Member.Query().Where(member.IDIn(part...)).Count(ctx)
		if err != nil {
			return fmt.Errorf("checking the members of mails: %w", err)
		}
		if n != len(part) {
			return fmt.Errorf("enqueueing mails: a member does not exist")
		}
	}
	return nil
}

// check validates an item and trims its text.
func check(it *Item) error {
	if _, err := gid.Parse(string(it.MemberID)); err != nil {
		return fmt.Errorf("member id: %w", err)
	}
	if !isKind(it.Kind) {
		return fmt.Errorf("unknown kind %q", it.Kind)
	}
	it.Title = clip(strings.Join(strings.Fields(it.Title), " "), maxTitle) // one line: it may become a subject
	if it.Title == "" {
		return fmt.Errorf("empty title")
	}
	if !strings.HasPrefix(it.Link, "/") || strings.HasPrefix(it.Link, "//") || len(it.Link) > maxLink {
		return fmt.Errorf("the link must be a path below the public base URL")
	}
	if len(it.Lines) > maxLines {
		it.Lines = it.Lines[:maxLines]
	}
	for i, l := range it.Lines {
		it.Lines[i] = clip(strings.Map(printable, l), maxLine)
	}
	it.Title = strings.Map(printable, it.Title)
	return nil
}

// printable drops control characters (which PostgreSQL's jsonb refuses, in the case of NUL,
// and which have no place in a mail) except tabs.
func printable(r rune) rune {
	if r == '\t' || !unicode.IsControl(r) {
		return r
	}
	return -1
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func isKind(k string) bool {
	for _, x := range mailkind.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// prefKey is a member and a kind.
type prefKey struct {
	member gid.ID
	kind   string
}

// deliveriesOf returns how each member of the items wants each kind of them delivered.
func deliveriesOf(ctx context.Context, c *ent.Client, items []Item) (map[prefKey]string, error) {
	out := make(map[prefKey]string, len(items))
	var members []gid.ID
	seen := map[gid.ID]bool{}
	for _, it := range items {
		out[prefKey{it.MemberID, it.Kind}] = mailkind.Default(it.Kind)
		if !seen[it.MemberID] {
			seen[it.MemberID] = true
			members = append(members, it.MemberID)
		}
	}
	for start := 0; start < len(members); start += insertChunk * 5 {
		end := min(start+insertChunk*5, len(members))
		prefs, err := c.EmailPreference.Query().Where(emailpreference.MemberIDIn(members[start:end]...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading e-mail preferences: %w", err)
		}
		for _, p := range prefs {
			k := prefKey{p.MemberID, string(p.Kind)}
			if _, ok := out[k]; ok {
				out[k] = string(p.Delivery)
			}
		}
	}
	return out, nil
}
