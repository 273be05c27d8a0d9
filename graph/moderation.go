package graph

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/circleban"
	"zirkel/ent/discussion"
	"zirkel/ent/report"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
	"zirkel/server/apperr"
)

// Moderation actions, named for the audit log (server/events: every change made under one of
// them carries it, with the moderator's reason).
const (
	actionReport  = "moderation.report"
	actionHide    = "moderation.hide"
	actionRestore = "moderation.restore"
	actionLock    = "moderation.lock"
	actionUnlock  = "moderation.unlock"
	actionDismiss = "moderation.dismiss"
	actionBan     = "moderation.ban"
	actionUnban   = "moderation.unban"
)

// audited names the action and the reason of the changes made with the returned context.
func audited(ctx context.Context, action, reason string) context.Context {
	return withAudit(ctx, action, reason)
}

// moderatedItem loads a message, practice or discussion the viewer can see (NOT_FOUND
// otherwise, whether it exists or not).
func moderatedItem(ctx context.Context, c *ent.Client, id gid.ID, field string) (ent.Noder, error) {
	n, err := c.Noder(ctx, id, ent.WithNodeType(nodeTable))
	if err != nil {
		return nil, notFoundAs(field, err)
	}
	switch n.(type) {
	case *ent.Message, *ent.Practice, *ent.Discussion:
		return n, nil
	}
	return nil, apperr.Invalid(field, "is not a message, practice or discussion")
}

// reportContent files the viewer's report about an item they can see.
func reportContent(ctx context.Context, c *ent.Client, memberID gid.ID, in model.ReportContentInput) (*ent.Report, error) {
	item, err := moderatedItem(ctx, c, in.ItemID, "itemID")
	if err != nil {
		return nil, err
	}
	create := c.Report.Create().SetReporterID(memberID).SetReason(in.Reason).SetNote(deref(in.Note))
	switch item.(type) {
	case *ent.Message:
		create.SetMessageID(in.ItemID)
	case *ent.Practice:
		create.SetPracticeID(in.ItemID)
	case *ent.Discussion:
		create.SetDiscussionID(in.ItemID)
	}
	return create.Save(audited(ctx, actionReport, string(in.Reason)))
}

// setHidden hides an item with a reason (hide) or shows it again (reason nil, with a note
// for the audit log).
func setHidden(ctx context.Context, c *ent.Client, id gid.ID, reason *string, note string) (ent.Noder, error) {
	item, err := moderatedItem(ctx, c, id, "itemID")
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if reason != nil {
		ctx = audited(ctx, actionHide, *reason)
	} else {
		ctx = audited(ctx, actionRestore, note)
	}
	switch item.(type) {
	case *ent.Message:
		u := c.Message.UpdateOneID(id)
		if reason != nil {
			return u.SetHiddenAt(now).SetHiddenReason(*reason).Save(ctx)
		}
		return u.ClearHiddenAt().ClearHiddenReason().Save(ctx)
	case *ent.Practice:
		u := c.Practice.UpdateOneID(id)
		if reason != nil {
			return u.SetHiddenAt(now).SetHiddenReason(*reason).Save(ctx)
		}
		return u.ClearHiddenAt().ClearHiddenReason().Save(ctx)
	default:
		u := c.Discussion.UpdateOneID(id)
		if reason != nil {
			return u.SetHiddenAt(now).SetHiddenReason(*reason).Save(ctx)
		}
		return u.ClearHiddenAt().ClearHiddenReason().Save(ctx)
	}
}

// setLocked locks a discussion with a reason, or unlocks it (reason nil).
func setLocked(ctx context.Context, c *ent.Client, id gid.ID, reason *string, note string) (*ent.Discussion, error) {
	if _, err := c.Discussion.Query().Where(discussion.ID(id)).OnlyID(ctx); err != nil {
		return nil, notFoundAs("id", err)
	}
	u := c.Discussion.UpdateOneID(id)
	if reason != nil {
		return u.SetStatus(discussion.StatusLOCKED).SetLockReason(*reason).Save(audited(ctx, actionLock, *reason))
	}
	return u.SetStatus(discussion.StatusOPEN).ClearLockReason().Save(audited(ctx, actionUnlock, note))
}

// dismissReport decides a report the viewer can see without acting on its item.
func dismissReport(ctx context.Context, c *ent.Client, id gid.ID, note string) (*ent.Report, error) {
	if _, err := c.Report.Query().Where(report.ID(id)).OnlyID(ctx); err != nil {
		return nil, notFoundAs("id", err)
	}
	return c.Report.UpdateOneID(id).SetStatus(report.StatusDISMISSED).SetResolutionNote(note).
		Save(audited(ctx, actionDismiss, note))
}

// liftBan deletes a ban the viewer can see and returns its id.
func liftBan(ctx context.Context, c *ent.Client, id gid.ID, reason string) (gid.ID, *ent.CircleBan, error) {
	ban, err := c.CircleBan.Query().Where(circleban.ID(id)).WithMember().Only(ctx)
	if err != nil {
		return "", nil, notFoundAs("id", err)
	}
	if err := c.CircleBan.DeleteOneID(id).Exec(audited(ctx, actionUnban, reason)); err != nil {
		return "", nil, err
	}
	return id, ban, nil
}

// reportItem is the item of a report, if the viewer can see it (edges that are not set or
// not visible come back as nil).
func reportItem(ctx context.Context, r *ent.Report) (ent.Noder, error) {
	if m, err := r.Message(ctx); err != nil || m != nil {
		return m, err
	}
	if p, err := r.Practice(ctx); err != nil || p != nil {
		return p, err
	}
	if d, err := r.Discussion(ctx); err != nil || d != nil {
		return d, err
	}
	return nil, nil
}
