package integrity

import (
	"context"
	"strings"

	"zirkel/ent"
	"zirkel/ent/discussion"
	"zirkel/ent/hook"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/report"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// Report is the integrity of reports, declared in ent/schema/report.go.
func Report() []ent.Hook { return []ent.Hook{reportItem} }

// reportItem checks a new report: it names exactly one message, practice or discussion; the
// reporter has no open report about it (CONFLICT: a second report is refused, not merged, so
// that the reporter's first words stay as the moderators read them); and SALES_PITCH is given
// only for an item of a vendor: an author whose community role is VENDOR or whose organisation
// is of kind VENDOR (for a practice: any of its authors). Authorities' staff do not pitch
// sales; calling their posts so is OTHER or SPAM.
func reportItem(next ent.Mutator) ent.Mutator {
	return hook.ReportFunc(func(ctx context.Context, m *ent.ReportMutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			return next.Mutate(ctx, m)
		}
		var about predicate.Report
		var authors *ent.MemberQuery
		sys, c := policy.System(ctx), m.Client()
		n := 0
		if id, ok := m.MessageID(); ok {
			n++
			about, authors = report.HasMessageWith(message.ID(id)), c.Message.Query().Where(message.ID(id)).QueryAuthor()
		}
		if id, ok := m.PracticeID(); ok {
			n++
			about, authors = report.HasPracticeWith(practice.ID(id)), c.Practice.Query().Where(practice.ID(id)).QueryAuthors()
		}
		if id, ok := m.DiscussionID(); ok {
			n++
			about, authors = report.HasDiscussionWith(discussion.ID(id)), c.Discussion.Query().Where(discussion.ID(id)).QueryAuthor()
		}
		if n != 1 {
			return nil, apperr.Invalid("itemID", "must name exactly one message, practice or discussion")
		}
		if reason, _ := m.Reason(); reason == report.ReasonSALES_PITCH {
			isVendor, err := authors.Where(member.Or(
				member.CommunityRoleEQ(member.CommunityRoleVENDOR),
				member.HasOrganisationWith(organisation.KindEQ(organisation.KindVENDOR)))).Exist(sys)
			if err != nil {
				return nil, err
			}
			if !isVendor {
				return nil, apperr.Invalid("reason", "SALES_PITCH is only for posts of vendors")
			}
		}
		reporter, _ := m.ReporterID()
		open, err := c.Report.Query().Where(about, report.HasReporterWith(member.ID(reporter)),
			report.StatusEQ(report.StatusOPEN)).Exist(sys)
		if err != nil {
			return nil, err
		}
		if open {
			return nil, apperr.Conflict("you have already reported this; your report is still open")
		}
		if note, ok := m.Note(); ok {
			m.SetNote(strings.TrimSpace(note))
		}
		value, err := next.Mutate(ctx, m)
		if ent.IsConstraintError(err) { // the same report, sent twice at once
			return nil, apperr.Conflict("you have already reported this; your report is still open")
		}
		return value, err
	})
}

// moderationReason refuses hiding an item or locking a discussion without a reason: the
// author reads it.
func moderationReason(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		_, hides := m.Field("hidden_at")
		reason, _ := m.Field("hidden_reason")
		if d, ok := m.(*ent.DiscussionMutation); ok {
			if r, locks := d.LockReason(); locks {
				hides, reason = true, r
			}
		}
		if s, _ := reason.(string); hides && strings.TrimSpace(s) == "" {
			return nil, apperr.Invalid("reason", "must not be blank: the author reads it")
		}
		return next.Mutate(ctx, m)
	})
}
