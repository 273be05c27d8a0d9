package integrity

import (
	"context"
	"slices"
	"strings"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/member"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// Member is the integrity of members, declared in ent/schema/member.go: e-mail addresses are
// stored normalised (and so unique however they are spelt), and bookkeeping leaves updatedAt.
func Member() []ent.Hook { return []ent.Hook{memberEmail, memberUpdatedAt} }

// memberBookkeeping are the fields the server writes for itself: when a member last logged in
// (to the day), their password, calendar and invitation secrets, and a pending deletion (which
// nobody else may learn of through updatedAt).
var memberBookkeeping = []string{
	member.FieldLastLoginAt, member.FieldPasswordHash, member.FieldCalendarTokenHash,
	member.FieldInvitationHash, member.FieldInvitationExpiresAt,
	member.FieldDeletionDueAt, member.FieldDeletionCause, member.FieldDeletionContent,
}

// memberUpdatedAt keeps a member's updatedAt when only bookkeeping changes. updatedAt is
// readable (and filterable) by every member: moved by each login, it would tell everyone to the
// nanosecond when a member was last online, which only they and admins may know, and only to
// the day.
func memberUpdatedAt(next ent.Mutator) ent.Mutator {
	return hook.MemberFunc(func(ctx context.Context, m *ent.MemberMutation) (ent.Value, error) {
		if m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) && onlyBookkeeping(m) {
			m.ResetUpdatedAt()
		}
		return next.Mutate(ctx, m)
	})
}

// onlyBookkeeping tells whether a member mutation changes nothing but bookkeeping fields.
func onlyBookkeeping(m *ent.MemberMutation) bool {
	if len(m.AddedEdges())+len(m.RemovedEdges())+len(m.ClearedEdges()) > 0 {
		return false
	}
	changed := append(m.Fields(), m.ClearedFields()...)
	for _, f := range changed {
		if f != member.FieldUpdatedAt && !slices.Contains(memberBookkeeping, f) {
			return false
		}
	}
	return len(changed) > 0
}

// memberEmail stores e-mail addresses trimmed and in lower case, so that uniqueness holds
// however a directory or an admin spells them. The generic uniqueness check (see
// uniqueness) ran on the address as given; a normalised one is checked again here, so that
// the client learns the field instead of meeting the constraint.
func memberEmail(next ent.Mutator) ent.Mutator {
	return hook.MemberFunc(func(ctx context.Context, m *ent.MemberMutation) (ent.Value, error) {
		email, ok := m.Email()
		if !ok {
			return next.Mutate(ctx, m)
		}
		normal := strings.ToLower(strings.TrimSpace(email))
		if normal != email {
			m.SetEmail(normal)
			taken := m.Client().Member.Query().Where(member.Email(normal))
			if id, ok := m.ID(); ok {
				taken.Where(member.IDNEQ(id))
			}
			exists, err := taken.Exist(policy.System(ctx))
			if err != nil {
				return nil, err
			}
			if exists {
				return nil, apperr.Invalid("email", "is already taken")
			}
		}
		return next.Mutate(ctx, m)
	})
}
