package policy

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/notification"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// NotificationRows: a member reads only their own notifications, and of them only those about
// something they may still read (their subject passes its type's rows rule with the member as
// viewer): a notification about a discussion of a circle they left, or about hidden or deleted
// content, is not shown. Admins are no exception.
func NotificationRows(v *viewer.Viewer) predicate.Notification {
	if v == nil {
		return none[predicate.Notification]()
	}
	return notification.And(notification.HasRecipientWith(member.ID(v.MemberID)), subjectReadable(v))
}

// notificationSubjects are the types notifications may be about, with their rows rules (the
// same as in readRules). A subject of any other type is never readable: a new kind of subject
// is added here.
var notificationSubjects = []struct {
	name string
	rows func(*viewer.Viewer) selector
}{
	{"AuthorshipInvitation", erase(Rows[predicate.AuthorshipInvitation](InvitationVisible))},
	{"Circle", erase(Rows[predicate.Circle](CircleRows))},
	{"CircleJoinRequest", erase(Rows[predicate.CircleJoinRequest](CircleJoinRequestRows))},
	{"Discussion", erase(Rows[predicate.Discussion](DiscussionRows))},
	{"Event", erase(Rows[predicate.Event](EventRows))},
	{"Message", erase(Rows[predicate.Message](MessageRows))},
	{"Practice", erase(Rows[predicate.Practice](PracticeRows))},
	{"Registration", erase(Rows[predicate.Registration](RegistrationRows))},
	{"Report", erase(Rows[predicate.Report](ReportRows))},
	{"Survey", erase(Rows[predicate.Survey](SurveyRows))},
}

// subjectReadable matches the notifications whose subject the viewer may read: for each
// subject type, (subject_type = T and subject_id in (the ids of T the viewer may read)).
func subjectReadable(v *viewer.Viewer) predicate.Notification {
	return func(s *sql.Selector) {
		ors := make([]*sql.Predicate, 0, len(notificationSubjects))
		for _, st := range notificationSubjects {
			t := sql.Table(ent.SchemaInfo[st.name].Table)
			sub := sql.Select(t.C("id")).From(t)
			if p := st.rows(v); p != nil {
				p(sub)
			}
			ors = append(ors, sql.And(sql.EQ(s.C(notification.FieldSubjectType), st.name), sql.In(s.C(notification.FieldSubjectID), sub)))
		}
		s.Where(sql.Or(ors...))
	}
}

// Notification: see NotificationRows. Only server/notify writes them (under System); a member
// marks their own as read, and changes nothing else.
func Notification() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.NotificationQuery](NotificationRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, privacy.NotificationMutationRuleFunc(func(ctx context.Context, m *ent.NotificationMutation) error {
			if !m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
				return privacy.Denyf("notifications are written by the server")
			}
			for _, f := range m.Fields() {
				if f != notification.FieldReadAt {
					return privacy.Denyf("members only mark notifications read")
				}
			}
			if len(m.AddedFields()) > 0 || len(m.ClearedFields()) > 0 || len(m.AddedEdges()) > 0 || len(m.ClearedEdges()) > 0 {
				return privacy.Denyf("members only mark notifications read")
			}
			// Only the viewer's own: the update is limited to them.
			m.Where(notification.HasRecipientWith(member.ID(viewerOf(ctx).MemberID)))
			return privacy.Allow
		})},
	}
}
