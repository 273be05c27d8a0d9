package notify

import (
	"context"
	"fmt"
	"strings"

	"zirkel/ent"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/circle"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/notification"
	"zirkel/ent/practice"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/server/mail"
)

// E-mail. Each stored notification that starts a group becomes one mail.Item in the outbox, in
// the same transaction (mail.Enqueue applies the member's delivery preference: at once, in a
// digest, or not at all). A notification that only counts up an unread group (the 2nd to 20th
// reply in a discussion before the member reads the first) enqueues nothing: the member has
// been told already, and the app shows the count. Once the member reads the group, the next
// one starts a new group and a new mail.
//
// A mail's title names the subject (a discussion's title, an event's title, ...). Rows reach
// here only for recipients who may read the subject (visibleTo), so the title tells them
// nothing they could not read in the app. A report's outcome is named without its content.

// subjectRef is what a mail says about a subject: its name and its path in the app.
type subjectRef struct {
	name string
	link string
}

// newGroups returns which of the rows' group keys have no unread notification yet (one query
// per chunk of rows); only those are mailed.
func newGroups(ctx context.Context, tx *ent.Client, rows []*row) (map[string]bool, error) {
	fresh := make(map[string]bool, len(rows))
	keys := make([]string, 0, len(rows))
	for _, r := range rows {
		fresh[r.key] = true
		keys = append(keys, r.key)
	}
	for start := 0; start < len(keys); start += chunk {
		got, err := tx.Notification.Query().
			Where(notification.GroupKeyIn(keys[start:min(start+chunk, len(keys))]...), notification.ReadAtIsNil()).
			Select(notification.FieldGroupKey).Strings(ctx)
		if err != nil {
			return nil, fmt.Errorf("finding unread notification groups: %w", err)
		}
		for _, k := range got {
			delete(fresh, k)
		}
	}
	return fresh, nil
}

// mailItems are the outbox items of the rows that start a group (fresh), with titles in each
// recipient's language. It reads the subjects' names with a query per subject type and the
// recipients' languages with a query per chunk of recipients.
func mailItems(ctx context.Context, tx *ent.Client, rows []*row, fresh map[string]bool) ([]mail.Item, error) {
	byType := map[string][]gid.ID{}
	for _, r := range rows {
		if fresh[r.key] {
			byType[r.draft.subjectType] = append(byType[r.draft.subjectType], r.draft.subjectID)
		}
	}
	refs := map[gid.ID]subjectRef{}
	for typ, ids := range byType {
		if err := subjectRefs(ctx, tx, typ, dedupe(ids), refs); err != nil {
			return nil, fmt.Errorf("naming %s for e-mail: %w", typ, err)
		}
	}
	langs, err := languages(ctx, tx, rows, fresh)
	if err != nil {
		return nil, err
	}
	var out []mail.Item
	for _, r := range rows {
		if !fresh[r.key] {
			continue
		}
		ref, ok := refs[r.draft.subjectID]
		if !ok {
			continue // the subject is gone
		}
		if r.draft.subjectType == "Report" {
			ref.name = catalogueOf(langs[r.recipient]).report
		}
		out = append(out, mail.Item{MemberID: r.recipient, Kind: string(r.draft.kind), Title: title(r, ref, langs[r.recipient]), Link: ref.link})
	}
	return out, nil
}

// subjectRefs reads the names and links of subjects of one type into refs.
func subjectRefs(ctx context.Context, tx *ent.Client, typ string, ids []gid.ID, refs map[gid.ID]subjectRef) error {
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		switch typ {
		case "Discussion":
			ds, err := tx.Discussion.Query().Where(discussion.IDIn(part...)).Select(discussion.FieldTitle).All(ctx)
			if err != nil {
				return err
			}
			for _, d := range ds {
				refs[d.ID] = subjectRef{d.Title, "/discussions/" + string(d.ID)}
			}
		case "Message":
			ms, err := tx.Message.Query().Where(message.IDIn(part...)).WithDiscussion(func(q *ent.DiscussionQuery) {
				q.Select(discussion.FieldTitle)
			}).All(ctx)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if d := m.Edges.Discussion; d != nil {
					refs[m.ID] = subjectRef{d.Title, "/discussions/" + string(d.ID)}
				}
			}
		case "Practice":
			ps, err := tx.Practice.Query().Where(practice.IDIn(part...)).Select(practice.FieldTitle).All(ctx)
			if err != nil {
				return err
			}
			for _, p := range ps {
				refs[p.ID] = subjectRef{p.Title, "/practices/" + string(p.ID)}
			}
		case "Event":
			es, err := tx.Event.Query().Where(event.IDIn(part...)).Select(event.FieldTitle).All(ctx)
			if err != nil {
				return err
			}
			for _, e := range es {
				refs[e.ID] = subjectRef{e.Title, "/events/" + string(e.ID)}
			}
		case "Survey":
			ss, err := tx.Survey.Query().Where(survey.IDIn(part...)).Select(survey.FieldTitle).All(ctx)
			if err != nil {
				return err
			}
			for _, s := range ss {
				refs[s.ID] = subjectRef{s.Title, "/surveys/" + string(s.ID)}
			}
		case "Circle":
			cs, err := tx.Circle.Query().Where(circle.IDIn(part...)).Select(circle.FieldName).All(ctx)
			if err != nil {
				return err
			}
			for _, c := range cs {
				refs[c.ID] = subjectRef{c.Name, "/circles/" + string(c.ID)}
			}
		case "AuthorshipInvitation":
			is, err := tx.AuthorshipInvitation.Query().Where(authorshipinvitation.IDIn(part...)).
				WithPractice(func(q *ent.PracticeQuery) { q.Select(practice.FieldTitle) }).All(ctx)
			if err != nil {
				return err
			}
			for _, i := range is {
				if p := i.Edges.Practice; p != nil {
					refs[i.ID] = subjectRef{p.Title, "/practices/" + string(p.ID)}
				}
			}
		case "CircleJoinRequest":
			rs, err := tx.CircleJoinRequest.Query().Where(circlejoinrequest.IDIn(part...)).
				WithCircle(func(q *ent.CircleQuery) { q.Select(circle.FieldName) }).All(ctx)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if c := r.Edges.Circle; c != nil {
					refs[r.ID] = subjectRef{c.Name, "/circles/" + string(c.ID)}
				}
			}
		case "Registration":
			rs, err := tx.Registration.Query().Where(registration.IDIn(part...)).
				WithEvent(func(q *ent.EventQuery) { q.Select(event.FieldTitle) }).All(ctx)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if e := r.Edges.Event; e != nil {
					refs[r.ID] = subjectRef{e.Title, "/events/" + string(e.ID)}
				}
			}
		case "Report": // its outcome is named without its content
			for _, id := range part {
				refs[id] = subjectRef{"Meldung", "/reports/" + string(id)}
			}
		default: // a new type
			for _, id := range part {
				refs[id] = subjectRef{strings.ToLower(typ), "/notifications"}
			}
		}
	}
	return nil
}

// languages reads the e-mail language of the recipients of the fresh rows (one query per chunk).
func languages(ctx context.Context, tx *ent.Client, rows []*row, fresh map[string]bool) (map[gid.ID]string, error) {
	var ids []gid.ID
	for _, r := range rows {
		if fresh[r.key] {
			ids = append(ids, r.recipient)
		}
	}
	ids = dedupe(ids)
	out := make(map[gid.ID]string, len(ids))
	for start := 0; start < len(ids); start += chunk {
		ms, err := tx.Member.Query().Where(member.IDIn(ids[start:min(start+chunk, len(ids))]...)).
			Select(member.FieldID, member.FieldLanguage).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the languages of mail recipients: %w", err)
		}
		for _, m := range ms {
			out[m.ID] = string(m.Language)
		}
	}
	return out, nil
}
