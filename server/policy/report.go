package policy

import (
	"context"
	"time"

	"zirkel/ent"
	"zirkel/ent/discussion"
	"zirkel/ent/hook"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/report"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/viewer"
)

// Reports. Any member reports a message, practice or discussion they can see; the moderators
// of its place (see Moderates) decide. Only the reporter and those moderators read a report:
// the author of the item never learns who reported it.

// ReportRows: the reporter reads their reports, the moderators of the item's place the reports
// about it (ModeratedReports), admins all.
func ReportRows(v *viewer.Viewer) predicate.Report {
	switch {
	case v == nil:
		return none[predicate.Report]()
	case v.IsAdmin():
		return nil
	}
	own := report.HasReporterWith(member.ID(v.MemberID))
	if queue := ModeratedReports(v); queue != nil {
		return report.Or(own, queue)
	}
	return own
}

// ModeratedReports matches the reports about items in places the viewer moderates (their
// moderation queue); nil for admins (every report), no report for those who moderate nothing.
func ModeratedReports(v *viewer.Viewer) predicate.Report {
	mod, ok := discussionsModeratedBy(v)
	switch {
	case !ok:
		return none[predicate.Report]()
	case mod == nil:
		return nil
	}
	practices, _ := practicesModeratedBy(v)
	return report.Or(
		report.HasMessageWith(message.HasDiscussionWith(mod)),
		report.HasDiscussionWith(mod),
		report.HasPracticeWith(practices),
	)
}

// Report: see ReportRows. Members report as themselves what they can see; the moderators of
// the item's place decide (status and resolution note only); reports are never deleted.
func Report() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{queryRows[*ent.ReportQuery](ReportRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, privacy.ReportMutationRuleFunc(reportMutation)},
	}
}

func reportMutation(ctx context.Context, m *ent.ReportMutation) error {
	v := viewerOf(ctx)
	if m.Op().Is(ent.OpCreate) {
		if reporter, _ := m.ReporterID(); reporter != v.MemberID {
			return privacy.Denyf("members report as themselves")
		}
		// Queried with the viewer's rights: only what they can see can be reported.
		visible, err := itemVisible(ctx, m)
		if err != nil || !visible {
			return privacy.Denyf("members report only what they can see")
		}
		return privacy.Allow
	}
	id, ok := m.ID()
	if !ok || !m.Op().Is(ent.OpUpdateOne) {
		return privacy.Denyf("reports are decided one at a time and never deleted")
	}
	place, err := ReportPlace(System(ctx), m.Client(), id)
	if err != nil {
		return err
	}
	if Moderates(v, place) {
		return privacy.Allow
	}
	return privacy.Denyf("only the moderators of the item's place decide on reports")
}

// itemVisible tells whether the viewer of ctx can see the item a new report is about.
func itemVisible(ctx context.Context, m *ent.ReportMutation) (bool, error) {
	c := m.Client()
	if id, ok := m.MessageID(); ok {
		return c.Message.Query().Where(message.ID(id)).Exist(ctx)
	}
	if id, ok := m.PracticeID(); ok {
		return c.Practice.Query().Where(practice.ID(id)).Exist(ctx)
	}
	if id, ok := m.DiscussionID(); ok {
		return c.Discussion.Query().Where(discussion.ID(id)).Exist(ctx)
	}
	return false, nil
}

// ReportPlace is the place (circle id, or "" outside circles) of the item a report is about;
// ctx must be allowed to read the report and its item.
func ReportPlace(ctx context.Context, c *ent.Client, id gid.ID) (gid.ID, error) {
	r, err := c.Report.Query().Where(report.ID(id)).
		WithMessage(func(q *ent.MessageQuery) { q.WithDiscussion(func(q *ent.DiscussionQuery) { q.WithCircle() }) }).
		WithPractice(func(q *ent.PracticeQuery) { q.WithCircle() }).
		WithDiscussion(func(q *ent.DiscussionQuery) { q.WithCircle() }).
		Only(ctx)
	if err != nil {
		return "", err
	}
	var circle *ent.Circle
	switch e := r.Edges; {
	case e.Message != nil && e.Message.Edges.Discussion != nil:
		circle = e.Message.Edges.Discussion.Edges.Circle
	case e.Practice != nil:
		circle = e.Practice.Edges.Circle
	case e.Discussion != nil:
		circle = e.Discussion.Edges.Circle
	}
	if circle == nil {
		return "", nil
	}
	return circle.ID, nil
}

// RecordDecision records who decided a report and when, and refuses deciding a report that is
// no longer open (CONFLICT) or reopening one.
func RecordDecision(next ent.Mutator) ent.Mutator {
	return hook.ReportFunc(func(ctx context.Context, m *ent.ReportMutation) (ent.Value, error) {
		status, sets := m.Status()
		if !sets || !m.Op().Is(ent.OpUpdateOne) {
			return next.Mutate(ctx, m)
		}
		if status == report.StatusOPEN {
			return nil, apperr.Invalid("status", "a decided report cannot be reopened")
		}
		old, err := m.OldStatus(System(ctx))
		if err != nil {
			return nil, err
		}
		if old != report.StatusOPEN {
			return nil, apperr.Conflict("the report was already decided")
		}
		m.SetDecidedAt(time.Now())
		if v := viewerOf(ctx); v != nil {
			m.SetDecidedByID(v.MemberID)
		}
		return next.Mutate(ctx, m)
	})
}

// SettleReports: when moderators hide an item (or lock a discussion), its open reports are
// decided as ACTION_TAKEN, with the moderator's reason as the resolution note that the
// reporters read. Install it on Message, Practice and Discussion.
func SettleReports(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		value, err := next.Mutate(ctx, m)
		if err != nil || !m.Op().Is(ent.OpUpdateOne) {
			return value, err
		}
		note, settles := settlement(m)
		withID, hasID := m.(interface{ ID() (gid.ID, bool) })
		withClient, hasClient := m.(interface{ Client() *ent.Client })
		if !settles || !hasID || !hasClient {
			return value, nil
		}
		id, _ := withID.ID()
		var about predicate.Report
		switch m.(type) {
		case *ent.MessageMutation:
			about = report.HasMessageWith(message.ID(id))
		case *ent.PracticeMutation:
			about = report.HasPracticeWith(practice.ID(id))
		case *ent.DiscussionMutation:
			about = report.HasDiscussionWith(discussion.ID(id))
		default:
			return value, nil
		}
		c := withClient.Client()
		open, err := c.Report.Query().Where(about, report.StatusEQ(report.StatusOPEN)).IDs(System(ctx))
		if err != nil {
			return nil, err
		}
		for _, rid := range open { // as the moderator: the report's policy checks them again
			if err := c.Report.UpdateOneID(rid).SetStatus(report.StatusACTION_TAKEN).SetResolutionNote(note).Exec(ctx); err != nil {
				return nil, err
			}
		}
		return value, nil
	})
}

// settlement tells whether a mutation hides an item or locks a discussion, with the reason.
func settlement(m ent.Mutation) (note string, settles bool) {
	if at, set := m.Field("hidden_at"); set && at != nil {
		reason, _ := m.Field("hidden_reason")
		s, _ := reason.(string)
		return s, true
	}
	if d, ok := m.(*ent.DiscussionMutation); ok {
		if reason, set := d.LockReason(); set {
			return reason, true
		}
	}
	return "", false
}
