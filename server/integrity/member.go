package integrity

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/member"
)

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
