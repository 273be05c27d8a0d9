package notify

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/circle"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/circlemembership"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/registration"
	"zirkel/ent/report"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
	"zirkel/server/events"
)

// messageDrafts: a new message notifies the author of the message it answers and the
// discussion's followers (REPLY, unless they muted it), and the members it mentions (MENTION).
func messageDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op == events.Updated {
		return editDrafts(ctx, tx, c)
	}
	if c.Op != events.Created {
		return nil, nil
	}
	m, err := tx.Message.Query().Where(message.ID(c.ID)).
		WithParent(func(q *ent.MessageQuery) { q.WithAuthor() }).WithDiscussion().WithAuthor().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d := m.Edges.Discussion
	actor := c.Actor
	if actor == "" && m.Edges.Author != nil {
		actor = m.Edges.Author.ID // written by server code (the demo): the author is who acted
	}
	recipients, err := followers(ctx, tx, d.ID)
	if err != nil {
		return nil, err
	}
	if p := m.Edges.Parent; p != nil && p.Edges.Author != nil {
		muted, err := mutedBy(ctx, tx, d.ID)
		if err != nil {
			return nil, err
		}
		if !muted[p.Edges.Author.ID] {
			recipients = append(recipients, p.Edges.Author.ID)
		}
	}
	out := []draft{{kind: Reply, subjectType: "Discussion", subjectID: d.ID, actor: actor, recipients: recipients}}
	if mentioned := Mentions(m.Body); len(mentioned) > 0 {
		out = append(out, draft{kind: Mention, subjectType: "Discussion", subjectID: d.ID, actor: actor, recipients: mentioned})
	}
	return out, nil
}

// editDrafts: an edit that adds mentions notifies the members it adds (MENTION); who was
// mentioned before the edit was notified then.
func editDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	old, ok := c.Before[message.FieldBody].(string)
	if !ok {
		return nil, nil
	}
	m, err := tx.Message.Query().Where(message.ID(c.ID), message.DeletedAtIsNil()).WithDiscussion().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	before := Mentions(old)
	var added []gid.ID
	for _, id := range Mentions(m.Body) {
		if !slices.Contains(before, id) {
			added = append(added, id)
		}
	}
	if len(added) == 0 {
		return nil, nil
	}
	return []draft{{kind: Mention, subjectType: "Discussion", subjectID: m.Edges.Discussion.ID, actor: c.Actor, recipients: added}}, nil
}

// discussionDrafts: a new discussion notifies the followers of its topics, its circle, its
// author and the author's organisation (DISCUSSION).
func discussionDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op != events.Created {
		return nil, nil
	}
	d, err := tx.Discussion.Query().Where(discussion.ID(c.ID)).
		WithTopics().WithCircle().WithAuthor(func(q *ent.MemberQuery) { q.WithOrganisation() }).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	targets := []gid.ID{d.Edges.Author.ID}
	for _, t := range d.Edges.Topics {
		targets = append(targets, t.ID)
	}
	if d.Edges.Circle != nil {
		targets = append(targets, d.Edges.Circle.ID)
	}
	if o := d.Edges.Author.Edges.Organisation; o != nil {
		targets = append(targets, o.ID)
	}
	recipients, err := followers(ctx, tx, targets...)
	if err != nil {
		return nil, err
	}
	actor := c.Actor
	if actor == "" {
		actor = d.Edges.Author.ID // written by server code (the demo): the author is who acted
	}
	return []draft{{kind: Discussion, subjectType: "Discussion", subjectID: d.ID, actor: actor, recipients: recipients}}, nil
}

// practiceDrafts: a practice published for the first time notifies the followers of its
// topics, circle, organisation and authors (PRACTICE).
func practiceDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if !slices.Contains(c.Fields, practice.FieldPublishedAt) || c.Op == events.Deleted {
		return nil, nil
	}
	p, err := tx.Practice.Query().Where(practice.ID(c.ID), practice.StatusEQ(practice.StatusPUBLISHED)).
		WithTopics().WithCircle().WithOrganisation().WithAuthors().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var targets, authors []gid.ID
	for _, t := range p.Edges.Topics {
		targets = append(targets, t.ID)
	}
	for _, a := range p.Edges.Authors {
		targets, authors = append(targets, a.ID), append(authors, a.ID)
	}
	if p.Edges.Circle != nil {
		targets = append(targets, p.Edges.Circle.ID)
	}
	if p.Edges.Organisation != nil {
		targets = append(targets, p.Edges.Organisation.ID)
	}
	recipients, err := followers(ctx, tx, targets...)
	if err != nil {
		return nil, err
	}
	return []draft{{kind: Practice, subjectType: "Practice", subjectID: p.ID, actor: c.Actor, recipients: recipients, linked: authors}}, nil
}

// invitationDrafts: an invitation to co-author a practice notifies the invitee.
func invitationDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op != events.Created {
		return nil, nil
	}
	inv, err := tx.AuthorshipInvitation.Query().Where(authorshipinvitation.ID(c.ID)).WithInvitee().WithInviter().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	actor := c.Actor
	if inv.Edges.Inviter != nil {
		actor = inv.Edges.Inviter.ID
	}
	return []draft{{kind: CoauthorRequest, subjectType: "AuthorshipInvitation", subjectID: inv.ID, actor: actor, recipients: []gid.ID{inv.Edges.Invitee.ID}}}, nil
}

// joinDecisionDrafts: accepting or declining a request to join a circle notifies the member
// who asked.
func joinDecisionDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op != events.Updated || !c.Has(circlejoinrequest.FieldStatus) {
		return nil, nil
	}
	r, err := tx.CircleJoinRequest.Query().Where(circlejoinrequest.ID(c.ID),
		circlejoinrequest.StatusIn(circlejoinrequest.StatusACCEPTED, circlejoinrequest.StatusDECLINED)).WithMember().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []draft{{kind: JoinDecision, subjectType: "CircleJoinRequest", subjectID: r.ID, actor: c.Actor, recipients: []gid.ID{r.Edges.Member.ID}}}, nil
}

// waitlistDrafts: a registration moved from the waitlist to REGISTERED by someone else's
// cancellation notifies its member.
func waitlistDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op != events.Updated || !c.Has(registration.FieldStatus) {
		return nil, nil
	}
	r, err := tx.Registration.Query().Where(registration.ID(c.ID), registration.StatusEQ(registration.StatusREGISTERED)).
		WithMember().WithEvent().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil || r.Edges.Member.ID == c.Actor { // registering again oneself is no promotion
		return nil, err
	}
	return []draft{{kind: Waitlist, subjectType: "Event", subjectID: r.Edges.Event.ID, actor: c.Actor, recipients: []gid.ID{r.Edges.Member.ID}}}, nil
}

// eventFields are the changes of an event its registrants need to know.
var eventFields = []string{event.FieldTitle, event.FieldStartsAt, event.FieldEndsAt, event.FieldPlace, event.FieldOnlineURL, event.FieldCancelledAt}

// eventChangeDrafts: a change of an event's time, place or link (or its cancellation) notifies
// who is registered or waitlisted.
func eventChangeDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op != events.Updated || !c.Has(eventFields...) {
		return nil, nil
	}
	recipients, err := registrants(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	return []draft{{kind: EventChange, subjectType: "Event", subjectID: c.ID, actor: c.Actor, recipients: recipients}}, nil
}

// registrants lists who is registered for or waitlisted on an event.
func registrants(ctx context.Context, tx *ent.Client, eventID gid.ID) ([]gid.ID, error) {
	return tx.Registration.Query().
		Where(registration.HasEventWith(event.ID(eventID)), registration.StatusIn(registration.StatusREGISTERED, registration.StatusWAITLISTED)).
		QueryMember().IDs(ctx)
}

// surveyDrafts: a new survey notifies whom it is for: its circle's members, or every active
// member for a survey of the whole community (SURVEY).
func surveyDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op != events.Created {
		return nil, nil
	}
	recipients, err := surveyAudience(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	return []draft{{kind: Survey, subjectType: "Survey", subjectID: c.ID, actor: c.Actor, recipients: recipients}}, nil
}

// surveyAudience is whom a survey is for.
func surveyAudience(ctx context.Context, tx *ent.Client, surveyID gid.ID) ([]gid.ID, error) {
	s, err := tx.Survey.Query().Where(survey.ID(surveyID)).WithCircle().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.Edges.Circle != nil {
		return tx.CircleMembership.Query().Where(circlemembership.HasCircleWith(circleID(s.Edges.Circle.ID))).QueryMember().IDs(ctx)
	}
	return tx.Member.Query().Where(member.StatusEQ(member.StatusACTIVE)).IDs(ctx)
}

// reportDrafts: when a report is decided (its status becomes ACTION_TAKEN or DISMISSED, by
// dismissReport or by hiding or locking the item), the member who reported it learns the
// outcome (MODERATION about the report, which its reporter may read).
func reportDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op != events.Updated || !c.Has("status") {
		return nil, nil
	}
	r, err := tx.Report.Query().Where(report.ID(c.ID)).WithReporter().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.Status == report.StatusOPEN || r.Edges.Reporter == nil {
		return nil, nil
	}
	reporter := []gid.ID{r.Edges.Reporter.ID}
	return []draft{{kind: Moderation, subjectType: "Report", subjectID: c.ID, actor: c.Actor, recipients: reporter, linked: reporter}}, nil
}

// hiddenFields are the fields moderation sets to hide content (moderation branch).
var hiddenFields = []string{"hidden_at", "hidden"}

// moderationDrafts: content hidden by a moderator (a change of a hidden field of a message,
// discussion or practice, by its Change.Type) notifies its authors (MODERATION). Without such
// fields (before the moderation branch is merged) nothing matches.
func moderationDrafts(ctx context.Context, tx *ent.Client, c events.Change) ([]draft, error) {
	if c.Op != events.Updated || !c.Has(hiddenFields...) {
		return nil, nil
	}
	var authors []gid.ID
	var err error
	switch c.Type {
	case "Message":
		authors, err = tx.Message.Query().Where(message.ID(c.ID)).QueryAuthor().IDs(ctx)
	case "Discussion":
		authors, err = tx.Discussion.Query().Where(discussion.ID(c.ID)).QueryAuthor().IDs(ctx)
	case "Practice":
		authors, err = tx.Practice.Query().Where(practice.ID(c.ID)).QueryAuthors().IDs(ctx)
	default:
		return nil, nil
	}
	if err != nil || len(authors) == 0 {
		return nil, err
	}
	// The authors are asked with their whole viewer (linked): a hidden item is shown to its
	// author by id, which a viewer standing for a class of recipients does not have.
	return []draft{{kind: Moderation, subjectType: c.Type, subjectID: c.ID, actor: c.Actor, recipients: authors, linked: authors}}, nil
}

func circleID(id gid.ID) predicate.Circle { return circle.ID(id) }
