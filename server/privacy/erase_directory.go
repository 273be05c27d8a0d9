package privacy

import (
	"context"
	"fmt"

	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/events"
	"zirkel/server/policy"
)

// DirectoryPresence records what the periodic directory check (auth.CheckDirectoryMembers)
// found of a member. One whom the directory no longer knows (gone, disabled, out of the
// allowed groups) is scheduled for deletion at the end of the grace period, their content kept
// as a former member's, and erased when the directory still does not know them at a check
// after the period (never while it does not answer: an outage erases nobody); one it knows
// again before then is unscheduled. A member's own pending request stays as it is either way.
func (e *Eraser) DirectoryPresence(ctx context.Context, memberID gid.ID, found bool) error {
	sys := policy.System(ctx)
	if !found {
		if _, err := e.eraseDue(sys, memberID, member.DeletionCauseDIRECTORY_REMOVED); err != nil {
			return fmt.Errorf("erasing a member removed from the directory: %w", err)
		}
	}
	update := e.client.Member.Update().Where(member.ID(memberID), member.StatusNEQ(member.StatusDELETED))
	if found {
		update.Where(member.DeletionCauseEQ(member.DeletionCauseDIRECTORY_REMOVED)).
			ClearDeletionDueAt().ClearDeletionCause().ClearDeletionContent()
	} else {
		update.Where(member.DeletionDueAtIsNil()).
			SetDeletionDueAt(e.dueAt()).SetDeletionCause(member.DeletionCauseDIRECTORY_REMOVED).
			SetDeletionContent(member.DeletionContentKEEP_AS_FORMER_MEMBER)
	}
	action, reason := ActionCancel, "the directory knows the member again"
	if !found {
		action, reason = ActionSchedule, "the directory no longer knows the member"
	}
	n, err := update.Save(events.WithReason(events.WithAction(sys, action), reason))
	if err != nil {
		return fmt.Errorf("recording a directory check: %w", err)
	}
	if n > 0 {
		e.logger.InfoContext(ctx, "directory membership changed the member's deletion", "member", memberID, "found", found)
	}
	return nil
}
