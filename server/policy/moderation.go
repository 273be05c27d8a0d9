package policy

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"
)

// Moderation. Every message, practice and discussion has a place: the circle it is in, or
// none. The moderators of a place are the circle's moderators (CircleMembership role
// MODERATOR) or, outside circles, the platform moderators (Member.platformRole MODERATOR);
// admins moderate every place. They hide an item with a reason and restore it: a hidden item
// (hidden_at set) is shown only to its author (with the reason) and to the moderators of its
// place, through the rows rules of its type, so that lists, node, filters, counts and search
// leave it out for everyone else (live events: HiddenShownTo).

// Moderates tells whether the viewer moderates the place: the circle, or "" for outside
// circles.
func Moderates(v *viewer.Viewer, circleID gid.ID) bool {
	switch {
	case v.IsAdmin():
		return true
	case circleID == "":
		return v.IsModerator()
	}
	return v.ModeratesCircle(circleID)
}

// HiddenShownTo tells, in memory, whether the viewer may see a hidden item of the author in
// the place (live events).
func HiddenShownTo(v *viewer.Viewer, authorID, circleID gid.ID) bool {
	return v != nil && (v.MemberID == authorID || Moderates(v, circleID))
}

// moderatedPlace matches items by their circle edge: in a circle the viewer moderates, or
// outside circles for platform moderators. It is nil for admins (every place) and false when
// the viewer moderates no place.
func moderatedPlace[P ~func(*sql.Selector)](v *viewer.Viewer, inCircles func(...predicate.Circle) P, noCircle P, or func(...P) P) (P, bool) {
	switch {
	case v == nil:
		return nil, false
	case v.IsAdmin():
		return nil, true
	}
	var ps []P
	if ids := moderatedCircles(v); len(ids) > 0 {
		ps = append(ps, inCircles(circle.IDIn(ids...)))
	}
	if v.IsModerator() {
		ps = append(ps, noCircle)
	}
	switch len(ps) {
	case 0:
		return nil, false
	case 1:
		return ps[0], true
	}
	return or(ps...), true
}

// discussionsModeratedBy matches the discussions in places the viewer moderates (see
// moderatedPlace).
func discussionsModeratedBy(v *viewer.Viewer) (predicate.Discussion, bool) {
	return moderatedPlace(v, discussion.HasCircleWith, discussion.Not(discussion.HasCircle()), discussion.Or)
}

// practicesModeratedBy matches the practices in places the viewer moderates.
func practicesModeratedBy(v *viewer.Viewer) (predicate.Practice, bool) {
	return moderatedPlace(v, practice.HasCircleWith, practice.Not(practice.HasCircle()), practice.Or)
}

// shownDiscussions matches the discussions that are not hidden, or hidden and shown to the
// viewer; nil when the viewer sees every hidden one (admins).
func shownDiscussions(v *viewer.Viewer) predicate.Discussion {
	shown := []predicate.Discussion{discussion.HiddenAtIsNil()}
	if v != nil {
		shown = append(shown, discussion.HasAuthorWith(member.ID(v.MemberID)))
	}
	if mod, ok := discussionsModeratedBy(v); ok {
		if mod == nil {
			return nil
		}
		shown = append(shown, mod)
	}
	return discussion.Or(shown...)
}

// shownPractices is shownDiscussions for practices (authors are all of its authors).
func shownPractices(v *viewer.Viewer) predicate.Practice {
	shown := []predicate.Practice{practice.HiddenAtIsNil()}
	if v != nil {
		shown = append(shown, practice.HasAuthorsWith(member.ID(v.MemberID)))
	}
	if mod, ok := practicesModeratedBy(v); ok {
		if mod == nil {
			return nil
		}
		shown = append(shown, mod)
	}
	return practice.Or(shown...)
}

// shownMessages is shownDiscussions for messages (their place is their discussion's).
func shownMessages(v *viewer.Viewer) predicate.Message {
	shown := []predicate.Message{message.HiddenAtIsNil()}
	if v != nil {
		shown = append(shown, message.HasAuthorWith(member.ID(v.MemberID)))
	}
	if mod, ok := discussionsModeratedBy(v); ok {
		if mod == nil {
			return nil
		}
		shown = append(shown, message.HasDiscussionWith(mod))
	}
	return message.Or(shown...)
}

// moderationFields are the fields a moderation action sets: hiding and restoring, locking and
// unlocking (with the updated_at that every update sets).
var moderationFields = map[string]bool{
	"hidden_at": true, "hidden_reason": true, "lock_reason": true, "status": true, "updated_at": true,
}

// denyModerationByOthers guards the moderation fields of messages, practices and discussions:
// only the moderators of the item's place hide, restore, lock with a reason and unlock, and
// such an update changes nothing else (the status only of a discussion). A discussion that
// moderators locked is unlocked only by them. Other mutations pass to the type's rules.
var denyModerationByOthers = privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
	moderates := touches(m, "hidden_at", "hidden_reason", "lock_reason")
	if m.Op().Is(ent.OpCreate) {
		if moderates {
			return privacy.Denyf("new items are not hidden or locked")
		}
		return privacy.Skip
	}
	withID, ok := m.(interface{ ID() (gid.ID, bool) })
	if !ok {
		return privacy.Skip
	}
	id, hasID := withID.ID()
	statusOfLocked := false
	if d, ok := m.(*ent.DiscussionMutation); ok && hasID && !moderates {
		if _, sets := d.Status(); sets {
			locked, err := d.Client().Discussion.Query().Where(discussion.ID(id), discussion.LockReasonNotNil()).Exist(System(ctx))
			if err != nil {
				return err
			}
			statusOfLocked = locked
		}
	}
	if !moderates && !statusOfLocked {
		return privacy.Skip
	}
	if !hasID || !m.Op().Is(ent.OpUpdateOne) {
		return privacy.Denyf("items are hidden, restored and locked one at a time")
	}
	place, err := placeOf(System(ctx), m, id)
	if err != nil {
		return err
	}
	if !Moderates(viewerOf(ctx), place) {
		if statusOfLocked {
			return privacy.Denyf("moderators locked this discussion; only they unlock it")
		}
		return privacy.Denyf("only the moderators of the item's place hide, restore or lock it")
	}
	for _, f := range append(m.Fields(), m.ClearedFields()...) {
		if !moderationFields[f] {
			return privacy.Denyf("a moderation action changes nothing else")
		}
	}
	if _, isDiscussion := m.(*ent.DiscussionMutation); !isDiscussion && touches(m, "status") {
		return privacy.Denyf("a moderation action changes nothing else")
	}
	if len(m.AddedEdges())+len(m.RemovedEdges())+len(m.ClearedEdges()) > 0 {
		return privacy.Denyf("a moderation action changes nothing else")
	}
	return privacy.Allow
})

// touches tells whether a mutation sets or clears one of the fields.
func touches(m ent.Mutation, fields ...string) bool {
	for _, f := range fields {
		if _, set := m.Field(f); set || m.FieldCleared(f) {
			return true
		}
	}
	return false
}

// placeOf is the place (circle id, or "" outside circles) of the message, practice or
// discussion that m changes.
func placeOf(ctx context.Context, m ent.Mutation, id gid.ID) (gid.ID, error) {
	var (
		circleID gid.ID
		err      error
	)
	switch m := m.(type) {
	case *ent.MessageMutation:
		circleID, err = m.Client().Message.Query().Where(message.ID(id)).QueryDiscussion().QueryCircle().OnlyID(ctx)
	case *ent.PracticeMutation:
		circleID, err = m.Client().Practice.Query().Where(practice.ID(id)).QueryCircle().OnlyID(ctx)
	case *ent.DiscussionMutation:
		circleID, err = m.Client().Discussion.Query().Where(discussion.ID(id)).QueryCircle().OnlyID(ctx)
	default:
		return "", fmt.Errorf("placing a %s: not an item of moderation", m.Type())
	}
	if ent.IsNotFound(err) {
		return "", nil
	}
	return circleID, err
}
