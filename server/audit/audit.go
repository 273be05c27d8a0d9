// Package audit keeps Zirkel's audit log: an append-only record of who did what to which
// object (role and status changes, circle memberships and join decisions, co-author
// invitations, session revocations, moderation, exports and deletions, and reads of closed
// circles by admins and moderators outside them). Entries hold ids, never names, bodies or
// passwords.
//
// Entries form a hash chain: each stores the SHA-256 of the previous entry and its own hash
// over its canonical content and that previous hash, so that changing, inserting or removing
// an entry in the middle breaks the chain (Verify finds the first broken link). Appends are
// serialised (a PostgreSQL advisory lock; SQLite has one writer anyway) so that concurrent
// transactions never fork the chain. Purge removes entries past the retention from the start
// of the chain; the oldest remaining entry's previous hash is then the trusted anchor.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/auditentry"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// Actions recorded by this package; other packages name their own (events.WithAction), such
// as "moderation.hide" or "privacy.delete".
const (
	ActionMemberRole               = "member.role"
	ActionMemberStatus             = "member.status"
	ActionMemberOrganisation       = "member.organisation"
	ActionMembershipAdd            = "circle.membership.add"
	ActionMembershipRole           = "circle.membership.role"
	ActionMembershipRemove         = "circle.membership.remove"
	ActionJoinRequestDecide        = "circle.joinrequest.decide"
	ActionAuthorshipInvite         = "authorship.invitation"
	ActionAuthorshipDecide         = "authorship.invitation.decide"
	ActionSessionRevoke            = "session.revoke"
	ActionReadClosedCircle         = "admin.read.closedCircle"
	ActionPurge                    = "audit.purge"
	ActionPrivacyExport            = "privacy.export"
	ActionPrivacyDelete            = "privacy.delete"
	targetAuditEntry               = "AuditEntry"
	genesisHash                    = "0000000000000000000000000000000000000000000000000000000000000000"
	hashVersion                    = "zirkel-audit-1"
	idPrefix                       = "aud"
	chainLock                int64 = 0x5a69726b41756474 // "ZirkAudt": the PostgreSQL advisory lock of appends
)

// Entry is what one audit entry says. Only ids: no names, texts or other personal values.
type Entry struct {
	Actor        gid.ID // the member who did it; empty for the system
	Action       string // e.g. "member.role"
	TargetType   string // the type acted on, as in the API ("Member")
	TargetID     gid.ID
	Subject      gid.ID // the member the entry is about, if any
	Circle       gid.ID // the circle concerned, if any
	Organisation gid.ID // the target's organisation, else the actor's
	Reason       string // the reason given, where one applies
}

// Log appends one entry (see Append).
func Log(ctx context.Context, client *ent.Client, e Entry) error { return Append(ctx, client, e) }

// Append appends entries to the chain, in their order. With a transaction's client they are
// written in that transaction (and stand or fall with it); with the plain client in a
// transaction of their own.
func Append(ctx context.Context, client *ent.Client, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	ctx = trusted(ctx)
	tx, err := client.Tx(ctx)
	switch {
	case errors.Is(err, ent.ErrTxStarted):
		return appendTo(ctx, client, entries)
	case err != nil:
		return fmt.Errorf("opening a transaction for the audit log: %w", err)
	}
	if err := appendTo(ctx, tx.Client(), entries); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing audit entries: %w", err)
	}
	return nil
}

// trusted is the context of the audit log's own reads and writes: beyond every viewer's rights.
func trusted(ctx context.Context) context.Context { return quiet(policy.System(ctx)) }

// appendTo appends entries with a transaction's client, holding the chain's lock.
func appendTo(ctx context.Context, c *ent.Client, entries []Entry) error {
	head, err := lockedHead(ctx, c)
	if err != nil {
		return err
	}
	prev, seq := genesisHash, int64(0)
	if head != nil {
		prev, seq = head.Hash, head.Seq
	}
	at := time.Now().UTC().Truncate(time.Microsecond) // what both databases keep
	if head != nil && at.Before(head.At) {
		at = head.At.UTC() // a clock that went back (or another replica's) never reorders the log
	}
	creates := make([]*ent.AuditEntryCreate, len(entries))
	for i, e := range entries {
		if e.Action == "" || e.TargetType == "" {
			return fmt.Errorf("appending to the audit log: an entry needs an action and a target type")
		}
		seq++
		row := &ent.AuditEntry{ID: gid.New(idPrefix), Seq: seq, At: at, Action: e.Action, TargetType: e.TargetType,
			ActorID: optional(e.Actor), TargetID: optional(e.TargetID), SubjectID: optional(e.Subject),
			CircleID: optional(e.Circle), OrganisationID: optional(e.Organisation), Reason: e.Reason, PrevHash: prev}
		row.Hash = Hash(row)
		prev = row.Hash
		creates[i] = c.AuditEntry.Create().SetID(row.ID).SetSeq(row.Seq).SetAt(row.At).SetAction(row.Action).
			SetTargetType(row.TargetType).SetNillableActorID(row.ActorID).SetNillableTargetID(row.TargetID).
			SetNillableSubjectID(row.SubjectID).SetNillableCircleID(row.CircleID).
			SetNillableOrganisationID(row.OrganisationID).SetReason(row.Reason).
			SetPrevHash(row.PrevHash).SetHash(row.Hash)
	}
	if err := c.AuditEntry.CreateBulk(creates...).Exec(ctx); err != nil {
		return fmt.Errorf("appending to the audit log: %w", err)
	}
	return nil
}

// lockedHead takes the chain's lock for the rest of the transaction and returns the newest
// entry (nil for an empty log). On PostgreSQL the lock is an advisory transaction lock taken
// before the head is read; SQLite transactions here begin IMMEDIATE, holding the one write
// lock from their start.
func lockedHead(ctx context.Context, c *ent.Client) (*ent.AuditEntry, error) {
	var dialectName string
	head := func() (*ent.AuditEntry, error) {
		rows, err := c.AuditEntry.Query().
			Where(func(s *sql.Selector) { dialectName = s.Dialect() }). // no condition: learns the dialect
			Order(ent.Desc(auditentry.FieldSeq)).Limit(1).All(ctx)
		if err != nil || len(rows) == 0 {
			return nil, err
		}
		return rows[0], nil
	}
	h, err := head()
	if err != nil {
		return nil, fmt.Errorf("reading the audit log's head: %w", err)
	}
	if dialectName != dialect.Postgres {
		return h, nil
	}
	if _, err := c.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", chainLock); err != nil {
		return nil, fmt.Errorf("locking the audit log: %w", err)
	}
	if h, err = head(); err != nil { // what was appended while we waited
		return nil, fmt.Errorf("reading the audit log's head: %w", err)
	}
	return h, nil
}

// Hash is the hex SHA-256 of an entry's canonical content and previous hash: a JSON array of
// a version tag, the id, position, time (UTC, RFC 3339 with nanoseconds), actor, action,
// target type and id, subject, circle, organisation, reason and the previous hash (missing
// ids as "").
func Hash(e *ent.AuditEntry) string {
	canonical, _ := json.Marshal([]any{hashVersion, string(e.ID), e.Seq, e.At.UTC().Format(time.RFC3339Nano),
		deref(e.ActorID), e.Action, e.TargetType, deref(e.TargetID), deref(e.SubjectID), deref(e.CircleID),
		deref(e.OrganisationID), e.Reason, e.PrevHash})
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

func optional(id gid.ID) *gid.ID {
	if id == "" {
		return nil
	}
	return &id
}

func deref(id *gid.ID) string {
	if id == nil {
		return ""
	}
	return string(*id)
}

// isAuditType tells whether an ent type name is the audit log's own (never audited itself).
func isAuditType(typeName string) bool { return strings.EqualFold(typeName, targetAuditEntry) }
