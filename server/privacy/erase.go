// Deletion (DSGVO Art. 17). A member asks for their account to be deleted and can undo it during a grace
// period (they can still log in meanwhile); an admin deletes at once on request; members whose
// directory no longer knows them are deleted after the same grace period. Deleting erases the
// account's personal fields and personal rows and leaves a former-member row (status DELETED)
// that what they wrote stays attributed to, unless they chose to have it deleted.

package privacy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/events"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// DefaultGrace is how long a requested deletion can be undone.
const DefaultGrace = 30 * 24 * time.Hour

// The actions the audit log records (events.WithAction) on the member's row.
const (
	ActionRequest  = "privacy.delete_requested" // a member asked for their account's deletion
	ActionCancel   = "privacy.delete_cancelled" // a member undid their request
	ActionSchedule = "privacy.delete_scheduled" // the directory no longer knows the member
	ActionDelete   = "privacy.delete"           // the account was erased (by an admin, or at the end of the grace period)
)

// MaxReasonLength is the longest reason an admin gives for deleting an account.
const MaxReasonLength = 500

// FormerMemberName is the display name of an erased member. The platform speaks German; the
// status DELETED lets clients show their own words.
const FormerMemberName = "Ehemaliges Mitglied"

// Config is what the eraser needs from the rest of the server.
type Config struct {
	// Grace is the time between a member's request (or their removal from the directory) and
	// the erasure; DefaultGrace when zero.
	Grace time.Duration
	// Dialect is the database's (entgo.io/ent/dialect): some rows are rewritten in SQL.
	Dialect string
	// SurveySecret keys anonymous survey responses (graph.respondentKey): the eraser finds the
	// member's anonymous responses with it and gives them random keys, so that nothing links
	// them to the former member any more.
	SurveySecret []byte
	// ThrottleKeys are the keys of the member's failed-login counters (auth.Service).
	ThrottleKeys func(m *ent.Member) []string
}

// Eraser deletes accounts.
type Eraser struct {
	client *ent.Client
	cfg    Config
	logger *slog.Logger
	now    func() time.Time
}

// New builds the eraser.
func New(client *ent.Client, cfg Config, logger *slog.Logger) *Eraser {
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	return &Eraser{client: client, cfg: cfg, logger: logger, now: time.Now}
}

// dueAt is when a deletion asked for now is due, to the second (as both databases keep it).
func (e *Eraser) dueAt() time.Time { return e.now().Add(e.cfg.Grace).Truncate(time.Second) }

// Grace is the configured grace period.
func (e *Eraser) Grace() time.Duration { return e.cfg.Grace }

// Pending is a deletion of an account that has not happened yet.
type Pending struct {
	DueAt   time.Time
	Content member.DeletionContent
}

// errNotLoggedIn is the error of the self-service mutations without a viewer.
var errNotLoggedIn = &apperr.Error{Code: apperr.CodeUnauthenticated, Message: "not logged in"}

// Request schedules the deletion of the viewer's own account at the end of the grace period.
// Asking again keeps the date and changes the content choice. The member policy decides (a
// member may schedule their own deletion, admins anyone's).
func (e *Eraser) Request(ctx context.Context, content member.DeletionContent) (*Pending, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, errNotLoggedIn
	}
	if err := member.DeletionContentValidator(content); err != nil {
		return nil, apperr.Invalid("contentChoice", "must be KEEP_AS_FORMER_MEMBER or DELETE")
	}
	c := clientFor(ctx, e.client)
	m, err := c.Member.Get(policy.System(ctx), v.MemberID)
	if err != nil {
		return nil, fmt.Errorf("loading the account: %w", err)
	}
	due := e.dueAt()
	if m.DeletionDueAt != nil && m.DeletionCause != nil && *m.DeletionCause == member.DeletionCauseREQUESTED {
		due = *m.DeletionDueAt
	}
	err = c.Member.UpdateOneID(m.ID).SetDeletionDueAt(due).SetDeletionCause(member.DeletionCauseREQUESTED).
		SetDeletionContent(content).Exec(events.WithAction(ctx, ActionRequest)) // the viewer's own rights: see policy.Member
	if err != nil {
		return nil, err
	}
	e.logger.InfoContext(ctx, "account deletion requested", "member", m.ID, "due", due.UTC().Format(time.DateOnly))
	return &Pending{DueAt: due, Content: content}, nil
}

// Cancel undoes the viewer's own pending deletion request; false when none was pending.
func (e *Eraser) Cancel(ctx context.Context) (bool, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return false, errNotLoggedIn
	}
	c := clientFor(ctx, e.client)
	pending, err := c.Member.Query().
		Where(member.ID(v.MemberID), member.DeletionCauseEQ(member.DeletionCauseREQUESTED)).
		Exist(policy.System(ctx))
	if err != nil || !pending {
		return false, err
	}
	err = c.Member.UpdateOneID(v.MemberID).ClearDeletionDueAt().ClearDeletionCause().ClearDeletionContent().
		Exec(events.WithAction(ctx, ActionCancel)) // the viewer's own rights: see policy.Member
	if err != nil {
		return false, err
	}
	e.logger.InfoContext(ctx, "account deletion cancelled", "member", v.MemberID)
	return true, nil
}

// PendingOf is the viewer's pending deletion; nil when none is pending.
func (e *Eraser) PendingOf(ctx context.Context) (*Pending, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, errNotLoggedIn
	}
	m, err := clientFor(ctx, e.client).Member.Get(policy.System(ctx), v.MemberID)
	if err != nil {
		return nil, fmt.Errorf("loading the account: %w", err)
	}
	if m.DeletionDueAt == nil || m.DeletionCause == nil || *m.DeletionCause != member.DeletionCauseREQUESTED {
		return nil, nil // a removal from the directory is not the member's to undo
	}
	content := member.DeletionContentKEEP_AS_FORMER_MEMBER
	if m.DeletionContent != nil {
		content = *m.DeletionContent
	}
	return &Pending{DueAt: *m.DeletionDueAt, Content: content}, nil
}

// DeleteNow erases a member's account at once, in the caller's transaction. The member
// policy decides under the caller's own rights (admins only: others get FORBIDDEN and nothing
// is written). The caller names the reason for the audit log (events.WithReason).
func (e *Eraser) DeleteNow(ctx context.Context, id gid.ID, reason string, content member.DeletionContent) (*ent.Member, error) {
	if err := member.DeletionContentValidator(content); err != nil {
		return nil, apperr.Invalid("contentChoice", "must be KEEP_AS_FORMER_MEMBER or DELETE")
	}
	if reason = strings.TrimSpace(reason); reason == "" || utf8.RuneCountInString(reason) > MaxReasonLength {
		return nil, apperr.Invalid("reason", fmt.Sprintf("must have 1 to %d characters", MaxReasonLength))
	}
	if !utf8.ValidString(reason) || strings.ContainsFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return nil, apperr.Invalid("reason", "must be text without control characters")
	}
	c := clientFor(ctx, e.client)
	m, err := c.Member.Get(ctx, id) // whom the viewer may not see is not found
	if err != nil {
		return nil, notFoundAs("id", err)
	}
	if m.Status == member.StatusDELETED {
		return m, nil // erased already
	}
	// The audit log records the first write of the member's row with the action and reason.
	if err := authorise(events.WithReason(events.WithAction(ctx, ActionDelete), reason), c, id); err != nil {
		return nil, err
	}
	if m, err = c.Member.Get(policy.System(ctx), id); err != nil { // every field, as stored
		return nil, err
	}
	if err := e.erase(ctx, c, m, content, ""); err != nil {
		return nil, err
	}
	e.logger.InfoContext(ctx, "account deleted by an admin", "member", id, "admin", viewer.FromContext(ctx).MemberID)
	return c.Member.Get(ctx, id)
}

// EraseDue erases every account whose deletion the member asked for and whose grace period
// has ended, each in its own transaction, and says how many it erased. The scheduler in
// server/app runs it periodically. Members removed from their directory are erased by
// DirectoryPresence instead, only when the directory confirms the removal after the period.
func (e *Eraser) EraseDue(ctx context.Context) (int, error) {
	sys := policy.System(ctx)
	due, err := e.client.Member.Query().
		Where(member.DeletionDueAtLTE(e.now()), member.DeletionCauseEQ(member.DeletionCauseREQUESTED), member.StatusNEQ(member.StatusDELETED)).
		IDs(sys)
	if err != nil {
		return 0, fmt.Errorf("listing due deletions: %w", err)
	}
	var errs []error
	erased := 0
	for _, id := range due {
		done, err := e.eraseDue(sys, id, member.DeletionCauseREQUESTED)
		if err != nil {
			errs = append(errs, fmt.Errorf("erasing member %s: %w", id, err))
		}
		if done {
			erased++
		}
	}
	return erased, errors.Join(errs...)
}

// eraseDue erases one account in a transaction of its own, if it is still due for the cause
// (the member may have undone it since the list was read), and tells whether it did.
func (e *Eraser) eraseDue(ctx context.Context, id gid.ID, cause member.DeletionCause) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute) // each unit of work has its own deadline
	defer cancel()
	tx, err := e.client.Tx(ctx)
	if err != nil {
		return false, err
	}
	ctx = ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client())
	m, err := tx.Member.Query().
		Where(member.ID(id), member.DeletionDueAtLTE(e.now()), member.DeletionCauseEQ(cause), member.StatusNEQ(member.StatusDELETED)).
		Only(ctx)
	if ent.IsNotFound(err) {
		return false, tx.Rollback()
	}
	if err == nil {
		content := member.DeletionContentKEEP_AS_FORMER_MEMBER
		if m.DeletionContent != nil {
			content = *m.DeletionContent
		}
		reason := "grace period ended after the member's request"
		if cause == member.DeletionCauseDIRECTORY_REMOVED {
			reason = "grace period ended after the removal from the directory"
		}
		err = e.erase(ctx, tx.Client(), m, content, reason)
	}
	if err != nil {
		return false, errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	e.logger.InfoContext(ctx, "account erased after its grace period", "member", id, "cause", string(cause))
	return true, nil
}

// erase erases one account with the client of the running transaction (as the system: who
// may delete whom was decided before, see authorise): the rows and links that are personal,
// then what they wrote as chosen, then the member's own fields. With a reason, the last write
// carries the action ActionDelete and the reason for the audit log (one entry per deletion,
// not one per message).
func (e *Eraser) erase(ctx context.Context, c *ent.Client, m *ent.Member, content member.DeletionContent, reason string) error {
	sys := policy.System(ctx)
	steps := []func(context.Context, *ent.Client, *ent.Member) error{
		e.endSessions, e.forgetThrottles, removePersonalRows, e.unlinkAnonymousResponses,
	}
	if content == member.DeletionContentDELETE {
		steps = append(steps, e.deleteMessages, retitleDiscussions, deletePractices, deleteReactions, deleteSurveyAnswers)
	}
	for _, step := range steps {
		if err := step(sys, c, m); err != nil {
			return err
		}
	}
	if reason != "" {
		sys = events.WithReason(events.WithAction(sys, ActionDelete), reason)
	}
	return e.eraseFields(sys, c, m)
}

// authorise asks the member policy, under the caller's rights, whether they may delete the
// member at once: the first write sets the status DELETED, which only admins may (a member may
// only schedule their own deletion, see policy.Member); a refusal is FORBIDDEN and, the
// transaction being rolled back, nothing is written.
func authorise(ctx context.Context, c *ent.Client, id gid.ID) error {
	return c.Member.UpdateOneID(id).SetStatus(member.StatusDELETED).Exec(ctx)
}

// eraseFields leaves the former member: no name, address, title, text, directory link,
// secret or login time; privacy settings and language back to their defaults; the organisation stays (their content is "a former member of" it).
// Community roles that name one position (CDO, CIO, digital pilot) would point at one person
// in small organisations and become STAFF; VENDOR and RESEARCHER describe the organisation
// and stay, since the rules of vendors' content depend on them.
func (e *Eraser) eraseFields(ctx context.Context, c *ent.Client, m *ent.Member) error {
	role := m.CommunityRole
	switch role {
	case member.CommunityRoleCDO, member.CommunityRoleCIO, member.CommunityRoleDIGITAL_PILOT:
		role = member.CommunityRoleSTAFF
	}
	err := c.Member.UpdateOneID(m.ID).
		SetStatus(member.StatusDELETED).SetDisplayName(FormerMemberName).SetEmail(tombstoneEmail()).
		SetCommunityRole(role).SetPlatformRole(member.PlatformRoleMEMBER).
		ClearJobTitle().ClearBio().ClearDirectoryID().ClearDirectoryEntryID().
		ClearPasswordHash().ClearInvitationHash().ClearInvitationExpiresAt().ClearCalendarTokenHash().
		ClearLastLoginAt().ClearDeletionDueAt().ClearDeletionCause().ClearDeletionContent().
		ClearExpertise().ClearOrganisedEvents().
		SetEmailVisibility(member.DefaultEmailVisibility).SetFindableAsExpert(member.DefaultFindableAsExpert).
		SetContactAboutPractices(member.DefaultContactAboutPractices).SetLanguage(member.DefaultLanguage).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("erasing the member's fields: %w", err)
	}
	return nil
}

// tombstoneEmail is a unique address that names nobody (the column is unique and required;
// .invalid never resolves, RFC 2606).
func tombstoneEmail() string {
	return "former-" + randomHex(12) + "@deleted.invalid"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// clientFor is the request's transaction when there is one, else the root client.
func clientFor(ctx context.Context, root *ent.Client) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return root
}

// notFoundAs turns "not found" into NOT_FOUND on the field.
func notFoundAs(field string, err error) error {
	if ent.IsNotFound(err) {
		return apperr.NotFound(field)
	}
	return err
}
