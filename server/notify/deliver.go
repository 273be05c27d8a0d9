package notify

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/follow"
	"zirkel/ent/member"
	"zirkel/ent/notification"
	"zirkel/ent/schema/gid"
	"zirkel/server/events"
	"zirkel/server/mail"
	"zirkel/server/policy"
)

// draft is one notification for several recipients, before visibility and grouping.
type draft struct {
	kind        notification.Kind
	subjectType string
	subjectID   gid.ID
	actor       gid.ID
	recipients  []gid.ID
	suffix      string // tells apart groups of the same kind and subject (e.g. ":closing")
	// linked are recipients whose rights on the subject are their own (e.g. a practice's
	// authors), checked with their whole viewer rather than by class.
	linked []gid.ID
}

// mapper turns one change into drafts, reading what it needs with the transaction's client.
type mapper func(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error)

// mappers are the changes that notify, by ent type name. A type that is not built yet (the
// moderation's Report) finds its mapper here by name once it exists.
var mappers = map[string]mapper{
	"Message":              messageDrafts,
	"Discussion":           discussionDrafts,
	"Practice":             practiceDrafts,
	"AuthorshipInvitation": invitationDrafts,
	"CircleJoinRequest":    joinDecisionDrafts,
	"Registration":         waitlistDrafts,
	"Event":                eventChangeDrafts,
	"Survey":               surveyDrafts,
	"Report":               reportDrafts,
}

// Deliver is the InTx consumer of the event pipeline: it writes the notifications (and the
// automatic follows) that the transaction's changes cause, inside the transaction.
func (s *Service) Deliver(ctx context.Context, tx *ent.Client, changes []events.Change) error {
	sys := policy.System(ctx)
	var drafts []draft
	for _, c := range changes {
		if hidden, err := moderationDrafts(sys, tx, c); err != nil {
			return err
		} else {
			drafts = append(drafts, hidden...)
		}
		m, ok := mappers[c.Type]
		if !ok {
			continue
		}
		ds, err := m(sys, tx, c)
		if err != nil {
			return fmt.Errorf("notifying of %s %s: %w", c.Type, c.Op, err)
		}
		drafts = append(drafts, ds...)
	}
	if err := autoFollow(sys, tx, changes); err != nil {
		return err
	}
	if len(drafts) == 0 {
		return nil
	}
	recipients, err := s.write(ctx, tx, drafts)
	if err != nil || len(recipients) == 0 {
		return err
	}
	events.Carry(ctx, recipientsKey{}, recipients)
	return nil
}

// write keeps each draft's recipients who may read its subject (never the actor), groups them
// and stores them; it returns who got something.
func (s *Service) write(ctx context.Context, tx *ent.Client, drafts []draft) ([]gid.ID, error) {
	sys := policy.System(ctx)
	drafts = preferMentions(drafts)
	rows := map[string]*row{}
	var order []string
	at := stamp(s.now())
	for _, d := range drafts {
		candidates := without(dedupe(d.recipients), d.actor)
		if len(candidates) == 0 {
			continue
		}
		ok, err := visibleTo(ctx, tx, d.subjectType, d.subjectID, candidates, d.linked)
		if err != nil {
			return nil, err
		}
		for _, r := range ok {
			key := groupKey(r, d.kind, d.subjectID, d.suffix)
			if existing := rows[key]; existing != nil {
				existing.count++
				existing.actor = d.actor
				continue
			}
			rows[key] = &row{key: key, recipient: r, draft: d, count: 1, at: at}
			order = append(order, key)
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	list := make([]*row, 0, len(order))
	for _, k := range order {
		list = append(list, rows[k])
	}
	fresh, err := newGroups(sys, tx, list)
	if err != nil {
		return nil, err
	}
	if err := s.store(sys, tx, list); err != nil {
		return nil, err
	}
	items, err := mailItems(sys, tx, list, fresh)
	if err != nil {
		return nil, err
	}
	if err := mail.Enqueue(sys, tx, s.dialect, items...); err != nil {
		return nil, err
	}
	recipients := make([]gid.ID, 0, len(list))
	for _, r := range list {
		recipients = append(recipients, r.recipient)
	}
	return dedupe(recipients), nil
}

// row is one notification to upsert.
type row struct {
	key       string
	recipient gid.ID
	draft     draft
	count     int
	actor     gid.ID
	at        time.Time
}

// chunk is how many rows one INSERT carries: well below SQLite's 32,766 bound variables.
const chunk = 1000

// store upserts the rows in chunks: a new group is inserted, an unread one with the same key
// counts up (count + n, last_at, actor); one statement per chunk on both databases. It writes
// with plain SQL, not through ent's per-row hooks: those would check each row's references
// (two queries a row), and every reference here was just read from the database.
func (s *Service) store(ctx context.Context, tx *ent.Client, rows []*row) error {
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		ins := sql.Dialect(s.dialect).Insert(notification.Table).Columns(
			notification.FieldID, notification.FieldKind, notification.FieldSubjectType, notification.FieldSubjectID,
			notification.FieldGroupKey, notification.FieldCount, notification.FieldFirstAt, notification.FieldLastAt,
			notification.RecipientColumn, notification.ActorColumn)
		for _, r := range part {
			var actor any
			if a := cmp.Or(r.actor, r.draft.actor); a != "" {
				actor = string(a)
			}
			ins.Values(string(gid.New(idPrefix)), string(r.draft.kind), r.draft.subjectType, string(r.draft.subjectID),
				r.key, r.count, r.at, r.at, string(r.recipient), actor)
		}
		ins.OnConflict(
			sql.ConflictColumns(notification.FieldGroupKey),
			sql.ConflictWhere(sql.IsNull(notification.FieldReadAt)),
			sql.ResolveWith(func(u *sql.UpdateSet) {
				u.Add(notification.FieldCount, sql.Expr("excluded."+notification.FieldCount))
				u.SetExcluded(notification.FieldLastAt)
				u.SetExcluded(notification.ActorColumn)
			}),
		)
		query, args := ins.Query()
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("storing notifications: %w", err)
		}
	}
	return nil
}

// idPrefix is the prefix of notification ids (see ent/schema/notification.go).
const idPrefix = "ntf"

// groupKey identifies unread notifications that are one: recipient, kind and subject.
func groupKey(recipient gid.ID, kind notification.Kind, subject gid.ID, suffix string) string {
	return string(recipient) + ":" + string(kind) + ":" + string(subject) + suffix
}

// preferMentions drops a REPLY where the same recipient is mentioned in the same subject: one
// notification says it better.
func preferMentions(drafts []draft) []draft {
	mentioned := map[string]bool{}
	for _, d := range drafts {
		if d.kind == Mention {
			for _, r := range d.recipients {
				mentioned[string(d.subjectID)+":"+string(r)] = true
			}
		}
	}
	if len(mentioned) == 0 {
		return drafts
	}
	for i, d := range drafts {
		if d.kind != Reply {
			continue
		}
		drafts[i].recipients = slices.DeleteFunc(slices.Clone(d.recipients), func(r gid.ID) bool {
			return mentioned[string(d.subjectID)+":"+string(r)]
		})
	}
	return drafts
}

// followers lists who follows any of the targets and has not muted it.
func followers(ctx context.Context, tx *ent.Client, targets ...gid.ID) ([]gid.ID, error) {
	targets = slices.DeleteFunc(dedupe(targets), func(id gid.ID) bool { return id == "" })
	if len(targets) == 0 {
		return nil, nil
	}
	var ids []gid.ID
	err := tx.Follow.Query().
		Where(follow.TargetIDIn(targets...), follow.Muted(false)).
		Modify(func(s *sql.Selector) { s.Select(sql.As(s.C(follow.MemberColumn), "id")).Distinct() }).
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("finding followers: %w", err)
	}
	return ids, nil
}

// mutedBy lists who muted the target.
func mutedBy(ctx context.Context, tx *ent.Client, target gid.ID) (map[gid.ID]bool, error) {
	fs, err := tx.Follow.Query().Where(follow.TargetID(target), follow.Muted(true)).QueryMember().IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("finding muted follows: %w", err)
	}
	out := make(map[gid.ID]bool, len(fs))
	for _, id := range fs {
		out[id] = true
	}
	return out, nil
}

// autoFollow makes the starters and posters of discussions follow them (kept as it is when
// they follow already, muted or not).
func autoFollow(ctx context.Context, tx *ent.Client, changes []events.Change) error {
	seen := map[string]bool{}
	var builders []*ent.FollowCreate
	for _, c := range changes {
		if c.Op != events.Created || c.Actor == "" {
			continue
		}
		var target gid.ID
		switch c.Type {
		case "Discussion":
			target = c.ID
		case "Message":
			target = c.Refs["discussion"]
		}
		if target == "" || seen[string(c.Actor)+string(target)] {
			continue
		}
		seen[string(c.Actor)+string(target)] = true
		builders = append(builders, tx.Follow.Create().SetMemberID(c.Actor).
			SetTargetType(follow.TargetTypeDISCUSSION).SetTargetID(target).SetAutomatic(true))
	}
	if len(builders) == 0 {
		return nil
	}
	err := tx.Follow.CreateBulk(builders...).
		OnConflict(sql.ConflictColumns(follow.FieldTargetID, follow.MemberColumn)).Ignore().Exec(ctx)
	if err != nil {
		return fmt.Errorf("following discussions: %w", err)
	}
	return nil
}

func dedupe(ids []gid.ID) []gid.ID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

func without(ids []gid.ID, drop gid.ID) []gid.ID {
	return slices.DeleteFunc(ids, func(id gid.ID) bool { return id == drop || id == "" })
}

// activeMembers keeps the ids of active members.
func activeMembers(ctx context.Context, tx *ent.Client, ids []gid.ID) ([]gid.ID, error) {
	var out []gid.ID
	for start := 0; start < len(ids); start += chunk {
		part, err := tx.Member.Query().Where(member.IDIn(ids[start:min(start+chunk, len(ids))]...), member.StatusEQ(member.StatusACTIVE)).IDs(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}
