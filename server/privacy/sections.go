package privacy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/auditentry"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/circleban"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/circlemembership"
	"zirkel/ent/competencyrating"
	"zirkel/ent/discussion"
	"zirkel/ent/emailpreference"
	"zirkel/ent/event"
	"zirkel/ent/follow"
	"zirkel/ent/measurement"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/notification"
	"zirkel/ent/outboxmail"
	"zirkel/ent/practice"
	"zirkel/ent/reaction"
	"zirkel/ent/registration"
	"zirkel/ent/report"
	"zirkel/ent/schema/gid"
	"zirkel/ent/session"
	"zirkel/ent/softwareusage"
	"zirkel/ent/survey"
	"zirkel/ent/surveyresponse"
)

// Excluded names what of the data model that concerns a member is deliberately not exported,
// with the reason (see Section.Covers for the names).
var Excluded = map[string]string{
	"Member.password_hash":       "a hash of a secret, not information about the member; the profile says whether a password is set",
	"Member.invitation_hash":     "a hash of a secret; the profile says whether an invitation is open and until when",
	"Member.calendar_token_hash": "a hash of a secret; the profile says whether a calendar feed is active",
	"Notification.actor":         "a notification belongs to its recipient; what the member did that caused it (a message, a reaction, a registration) is exported in its own section",
}

// Sections are the standard sections of an export, in the order of the document.
func Sections() []Section {
	return []Section{
		{Name: "profile", Description: "The member's profile, account and organisation.",
			Covers: []string{"Member.id", "Member.created_at", "Member.updated_at", "Member.display_name", "Member.email",
				"Member.community_role", "Member.job_title", "Member.bio", "Member.status", "Member.platform_role",
				"Member.directory_id", "Member.directory_entry_id", "Member.invitation_expires_at", "Member.last_login_at",
				"Member.organisation", "Organisation.members", "Member.expertise", "Topic.experts",
				"Member.deletion_due_at", "Member.deletion_cause", "Member.deletion_content"},
			Collect: profile},
		{Name: "privacySettings", Description: "Who sees the e-mail address, findability as an expert, contact about practices.",
			Covers:  []string{"Member.email_visibility", "Member.findable_as_expert", "Member.contact_about_practices"},
			Collect: privacySettings},
		{Name: "circleMemberships", Description: "The circles the member belongs to, with the role there.",
			Covers: []string{"Member.circle_memberships", "CircleMembership.member"}, Collect: circleMemberships},
		{Name: "joinRequests", Description: "Requests to join closed circles (with the decision), and decisions the member made on others' requests.",
			Covers: []string{"Member.join_requests", "CircleJoinRequest.member", "CircleJoinRequest.decided_by"}, Collect: joinRequests},
		{Name: "practices", Description: "Practices the member wrote or co-authored.",
			Covers: []string{"Member.practices", "Practice.authors"}, Collect: practices},
		{Name: "authorshipInvitations", Description: "Invitations to co-author practices: received, sent and decided.",
			Covers:  []string{"Member.authorship_invitations", "AuthorshipInvitation.invitee", "AuthorshipInvitation.inviter", "AuthorshipInvitation.decided_by"},
			Collect: authorshipInvitations},
		{Name: "discussions", Description: "Discussions the member started.", Covers: []string{"Discussion.author"}, Collect: discussions},
		{Name: "messages", Description: "Messages the member wrote.", Covers: []string{"Message.author"}, Collect: messages},
		{Name: "reactions", Description: "The member's reactions to messages.", Covers: []string{"Reaction.member"}, Collect: reactions},
		{Name: "registrations", Description: "Registrations for events.", Covers: []string{"Registration.member"}, Collect: registrations},
		{Name: "organisedEvents", Description: "Events the member organises.",
			Covers: []string{"Member.organised_events", "Event.organisers"}, Collect: organisedEvents},
		{Name: "measurementsRecorded", Description: "Values of indicators the member entered or last corrected for their organisation.",
			Covers: []string{"Measurement.recorded_by"}, Collect: measurementsRecorded},
		{Name: "softwareContacts", Description: "Software usages for which the member agreed to be asked.",
			Covers: []string{"SoftwareUsage.contact"}, Collect: softwareContacts},
		{Name: "competencyRatings", Description: "The member's ratings of their own competencies.",
			Covers: []string{"CompetencyRating.member"}, Collect: competencyRatings},
		{Name: "surveysOwned", Description: "Surveys the member runs.", Covers: []string{"Survey.owner"}, Collect: surveysOwned},
		{Name: "surveyResponses", Description: "Responses to surveys that are not anonymous. Anonymous responses keep no link to the member, so no export can find them.",
			Covers: []string{"SurveyResponse.member"}, Collect: surveyResponses},
		{Name: "sessions", Description: "Logins (sessions), without their tokens.",
			Covers: []string{"Member.sessions", "Session.member"}, Collect: sessions},
		{Name: "emailSettings", Description: "The language of the member's e-mails and, per kind of mail, how it is delivered.",
			Covers: []string{"Member.language", "EmailPreference.member"}, Collect: emailSettings},
		{Name: "outboxMails", Description: "E-mails to the member waiting to be sent or sent in the last 30 days (sent mails are deleted 30 days after sending).",
			Covers: []string{"OutboxMail.member"}, Collect: outboxMails},
		{Name: "follows", Description: "What the member follows (topics, circles, discussions, members, organisations).",
			Covers: []string{"Follow.member"}, Collect: follows},
		{Name: "notifications", Description: "The member's in-app notifications.",
			Covers: []string{"Notification.recipient"}, Collect: notifications},
		{Name: "reports", Description: "Reports of content the member filed (with the moderators' decision), and reports the member decided as a moderator.",
			Covers: []string{"Report.reporter", "Report.decided_by"}, Collect: reports},
		{Name: "circleBans", Description: "Bans of the member from circles (with the reason), and bans the member imposed as a moderator.",
			Covers: []string{"CircleBan.member", "CircleBan.banned_by"}, Collect: circleBans},
		{Name: "auditEntries", Description: "Entries of the audit log whose actor is the member or that are about the member (ids only).",
			Collect: auditEntries},
	}
}

func profile(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	m, err := c.Member.Query().Where(member.ID(id)).WithOrganisation().WithExpertise().Only(ctx)
	if err != nil {
		return nil, err
	}
	r := Row{"id": m.ID, "createdAt": m.CreatedAt, "updatedAt": m.UpdatedAt, "displayName": m.DisplayName, "email": m.Email,
		"communityRole": m.CommunityRole, "jobTitle": m.JobTitle, "bio": m.Bio, "status": m.Status, "platformRole": m.PlatformRole,
		"directoryId": m.DirectoryID, "directoryEntryId": m.DirectoryEntryID, "hasPassword": m.PasswordHash != nil,
		"invitationOpen": m.InvitationHash != nil, "invitationExpiresAt": m.InvitationExpiresAt,
		"calendarFeedActive": m.CalendarTokenHash != nil, "lastLoginAt": m.LastLoginAt,
		"deletionDueAt": m.DeletionDueAt, "deletionCause": m.DeletionCause, "deletionContent": m.DeletionContent}
	if o := m.Edges.Organisation; o != nil {
		r["organisation"] = Row{"id": o.ID, "name": o.Name}
	}
	expertise := make([]Row, 0, len(m.Edges.Expertise))
	for _, t := range m.Edges.Expertise {
		expertise = append(expertise, Row{"id": t.ID, "name": t.Name})
	}
	r["expertise"] = expertise
	return []Row{r}, nil
}

func privacySettings(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	m, err := c.Member.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return []Row{{"emailVisibility": m.EmailVisibility, "findableAsExpert": m.FindableAsExpert, "contactAboutPractices": m.ContactAboutPractices}}, nil
}

func circleMemberships(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ms, err := c.CircleMembership.Query().Where(circlemembership.HasMemberWith(member.ID(id))).WithCircle().
		Order(ent.Asc(circlemembership.FieldCreatedAt)).All(ctx)
	return mapRows(ms, err, func(m *ent.CircleMembership) Row {
		return Row{"id": m.ID, "circle": named(m.Edges.Circle.ID, m.Edges.Circle.Name), "role": m.Role, "createdAt": m.CreatedAt, "updatedAt": m.UpdatedAt}
	})
}

func joinRequests(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	rs, err := c.CircleJoinRequest.Query().
		Where(circlejoinrequest.Or(circlejoinrequest.HasMemberWith(member.ID(id)), circlejoinrequest.HasDecidedByWith(member.ID(id)))).
		WithCircle().WithMember(idOnly[*ent.MemberQuery]).WithDecidedBy(idOnly[*ent.MemberQuery]).
		Order(ent.Asc(circlejoinrequest.FieldCreatedAt)).All(ctx)
	return mapRows(rs, err, func(r *ent.CircleJoinRequest) Row {
		if r.Edges.Member.ID != id { // a decision the member made: not the other member's message
			return Row{"id": r.ID, "role": "DECIDED", "circle": named(r.Edges.Circle.ID, r.Edges.Circle.Name), "status": r.Status,
				"reason": r.Reason, "decidedAt": r.DecidedAt}
		}
		return Row{"id": r.ID, "role": "REQUESTED", "circle": named(r.Edges.Circle.ID, r.Edges.Circle.Name), "message": r.Message,
			"status": r.Status, "reason": r.Reason, "decidedAt": r.DecidedAt, "createdAt": r.CreatedAt}
	})
}

func practices(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ps, err := c.Practice.Query().Where(practice.HasAuthorsWith(member.ID(id))).WithOrganisation().
		Order(ent.Asc(practice.FieldCreatedAt)).All(ctx)
	return mapRows(ps, err, func(p *ent.Practice) Row {
		return Row{"id": p.ID, "title": p.Title, "summary": p.Summary, "problem": p.Problem, "approach": p.Approach,
			"outcome": p.Outcome, "lessonsLearned": p.LessonsLearned, "maturity": p.Maturity, "status": p.Status,
			"publishedAt": p.PublishedAt, "effortPersonDays": p.EffortPersonDays, "durationWeeks": p.DurationWeeks,
			"transferability": p.Transferability, "softwareUsed": p.SoftwareUsed, "visibility": p.Visibility,
			"organisation": named(p.Edges.Organisation.ID, p.Edges.Organisation.Name), "createdAt": p.CreatedAt, "updatedAt": p.UpdatedAt}
	})
}

func authorshipInvitations(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	me := member.ID(id)
	is, err := c.AuthorshipInvitation.Query().
		Where(authorshipinvitation.Or(authorshipinvitation.HasInviteeWith(me), authorshipinvitation.HasInviterWith(me), authorshipinvitation.HasDecidedByWith(me))).
		WithPractice(func(q *ent.PracticeQuery) { q.Select(practice.FieldTitle) }).
		WithInvitee(idOnly[*ent.MemberQuery]).WithInviter(idOnly[*ent.MemberQuery]).WithDecidedBy(idOnly[*ent.MemberQuery]).
		Order(ent.Asc(authorshipinvitation.FieldCreatedAt)).All(ctx)
	return mapRows(is, err, func(i *ent.AuthorshipInvitation) Row {
		r := Row{"id": i.ID, "practice": named(i.Edges.Practice.ID, i.Edges.Practice.Title), "status": i.Status,
			"decidedAt": i.DecidedAt, "createdAt": i.CreatedAt,
			"received": i.Edges.Invitee.ID == id, "sent": i.Edges.Inviter.ID == id,
			"decidedByMember": i.Edges.DecidedBy != nil && i.Edges.DecidedBy.ID == id}
		return r
	})
}

func discussions(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ds, err := c.Discussion.Query().Where(discussion.HasAuthorWith(member.ID(id))).Order(ent.Asc(discussion.FieldCreatedAt)).All(ctx)
	return mapRows(ds, err, func(d *ent.Discussion) Row {
		return Row{"id": d.ID, "title": d.Title, "status": d.Status, "createdAt": d.CreatedAt, "updatedAt": d.UpdatedAt}
	})
}

func messages(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ms, err := c.Message.Query().Where(message.HasAuthorWith(member.ID(id))).
		WithDiscussion(func(q *ent.DiscussionQuery) { q.Select(discussion.FieldTitle) }).WithParent(idOnly[*ent.MessageQuery]).
		Order(ent.Asc(message.FieldCreatedAt)).All(ctx)
	return mapRows(ms, err, func(m *ent.Message) Row {
		r := Row{"id": m.ID, "discussion": named(m.Edges.Discussion.ID, m.Edges.Discussion.Title), "position": m.Position,
			"body": m.Body, "createdAt": m.CreatedAt, "editedAt": m.EditedAt, "deletedAt": m.DeletedAt}
		if m.Edges.Parent != nil {
			r["replyTo"] = m.Edges.Parent.ID
		}
		return r
	})
}

func reactions(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	rs, err := c.Reaction.Query().Where(reaction.HasMemberWith(member.ID(id))).WithMessage(idOnly[*ent.MessageQuery]).
		Order(ent.Asc(reaction.FieldCreatedAt)).All(ctx)
	return mapRows(rs, err, func(r *ent.Reaction) Row {
		return Row{"id": r.ID, "message": r.Edges.Message.ID, "kind": r.Kind, "createdAt": r.CreatedAt}
	})
}

func registrations(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	rs, err := c.Registration.Query().Where(registration.HasMemberWith(member.ID(id))).
		WithEvent(func(q *ent.EventQuery) { q.Select(event.FieldTitle, event.FieldStartsAt) }).
		Order(ent.Asc(registration.FieldRegisteredAt)).All(ctx)
	return mapRows(rs, err, func(r *ent.Registration) Row {
		return Row{"id": r.ID, "event": Row{"id": r.Edges.Event.ID, "title": r.Edges.Event.Title, "startsAt": r.Edges.Event.StartsAt},
			"status": r.Status, "registeredAt": r.RegisteredAt}
	})
}

func organisedEvents(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	es, err := c.Event.Query().Where(event.HasOrganisersWith(member.ID(id))).Order(ent.Asc(event.FieldStartsAt)).All(ctx)
	return mapRows(es, err, func(e *ent.Event) Row {
		return Row{"id": e.ID, "title": e.Title, "kind": e.Kind, "startsAt": e.StartsAt, "endsAt": e.EndsAt, "place": e.Place}
	})
}

func measurementsRecorded(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ms, err := c.Measurement.Query().Where(measurement.HasRecordedByWith(member.ID(id))).WithIndicator().WithOrganisation().
		Order(ent.Asc(measurement.FieldCreatedAt)).All(ctx)
	return mapRows(ms, err, func(m *ent.Measurement) Row {
		return Row{"id": m.ID, "indicator": named(m.Edges.Indicator.ID, m.Edges.Indicator.Name),
			"organisation": named(m.Edges.Organisation.ID, m.Edges.Organisation.Name), "period": m.Period, "value": m.Value,
			"note": m.Note, "createdAt": m.CreatedAt, "updatedAt": m.UpdatedAt}
	})
}

func softwareContacts(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	us, err := c.SoftwareUsage.Query().Where(softwareusage.HasContactWith(member.ID(id))).WithProduct().WithOrganisation().
		Order(ent.Asc(softwareusage.FieldCreatedAt)).All(ctx)
	return mapRows(us, err, func(u *ent.SoftwareUsage) Row {
		return Row{"id": u.ID, "product": named(u.Edges.Product.ID, u.Edges.Product.Name),
			"organisation": named(u.Edges.Organisation.ID, u.Edges.Organisation.Name), "task": u.Task, "notes": u.Notes,
			"satisfaction": u.Satisfaction, "wouldRecommend": u.WouldRecommend, "since": u.Since}
	})
}

func competencyRatings(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	rs, err := c.CompetencyRating.Query().Where(competencyrating.HasMemberWith(member.ID(id))).WithCompetency().
		Order(ent.Asc(competencyrating.FieldCreatedAt)).All(ctx)
	return mapRows(rs, err, func(r *ent.CompetencyRating) Row {
		return Row{"id": r.ID, "competency": named(r.Edges.Competency.ID, r.Edges.Competency.Name), "level": r.Level,
			"findable": r.Findable, "createdAt": r.CreatedAt, "updatedAt": r.UpdatedAt}
	})
}

func surveysOwned(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ss, err := c.Survey.Query().Where(survey.HasOwnerWith(member.ID(id))).Order(ent.Asc(survey.FieldCreatedAt)).All(ctx)
	return mapRows(ss, err, func(s *ent.Survey) Row {
		return Row{"id": s.ID, "title": s.Title, "introduction": s.Introduction, "opensAt": s.OpensAt, "closesAt": s.ClosesAt,
			"anonymous": s.Anonymous, "createdAt": s.CreatedAt}
	})
}

// surveyResponses finds the responses linked to the member: those of surveys that are not
// anonymous (anonymous responses have no member, by design).
func surveyResponses(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	rs, err := c.SurveyResponse.Query().
		Where(surveyresponse.HasMemberWith(member.ID(id)), surveyresponse.HasSurveyWith(survey.Anonymous(false))).
		WithSurvey(func(q *ent.SurveyQuery) { q.Select(survey.FieldTitle) }).
		Order(ent.Asc(surveyresponse.FieldSubmittedAt)).All(ctx)
	return mapRows(rs, err, func(r *ent.SurveyResponse) Row {
		return Row{"id": r.ID, "survey": named(r.Edges.Survey.ID, r.Edges.Survey.Title), "answers": r.Answers, "submittedAt": r.SubmittedAt}
	})
}

func sessions(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ss, err := c.Session.Query().Where(session.HasMemberWith(member.ID(id))).Order(ent.Asc(session.FieldCreatedAt)).All(ctx)
	return mapRows(ss, err, func(s *ent.Session) Row {
		return Row{"id": s.ID, "createdAt": s.CreatedAt, "lastUsedAt": s.LastUsedAt, "expiresAt": s.ExpiresAt,
			"revokedAt": s.RevokedAt, "revokedReason": s.RevokedReason}
	})
}

func emailSettings(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	m, err := c.Member.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	ps, err := c.EmailPreference.Query().Where(emailpreference.MemberID(id)).Order(ent.Asc(emailpreference.FieldKind)).All(ctx)
	if err != nil {
		return nil, err
	}
	prefs := make([]Row, 0, len(ps))
	for _, p := range ps {
		prefs = append(prefs, Row{"kind": p.Kind, "delivery": p.Delivery, "updatedAt": p.UpdatedAt})
	}
	return []Row{{"language": m.Language, "preferences": prefs}}, nil
}

func outboxMails(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ms, err := c.OutboxMail.Query().Where(outboxmail.MemberID(id)).Order(ent.Asc(outboxmail.FieldCreatedAt)).All(ctx)
	return mapRows(ms, err, func(m *ent.OutboxMail) Row {
		return Row{"id": m.ID, "kind": m.Kind, "status": m.Status, "period": m.Period, "entries": m.Entries,
			"createdAt": m.CreatedAt, "sentAt": m.SentAt}
	})
}

func follows(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	fs, err := c.Follow.Query().Where(follow.HasMemberWith(member.ID(id))).Order(ent.Asc(follow.FieldCreatedAt)).All(ctx)
	return mapRows(fs, err, func(f *ent.Follow) Row {
		return Row{"id": f.ID, "targetType": f.TargetType, "targetId": f.TargetID, "muted": f.Muted, "automatic": f.Automatic,
			"createdAt": f.CreatedAt}
	})
}

func notifications(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	ns, err := c.Notification.Query().Where(notification.HasRecipientWith(member.ID(id))).WithActor(idOnly[*ent.MemberQuery]).
		Order(ent.Asc(notification.FieldFirstAt)).All(ctx)
	return mapRows(ns, err, func(n *ent.Notification) Row {
		r := Row{"id": n.ID, "kind": n.Kind, "subjectType": n.SubjectType, "subjectId": n.SubjectID, "count": n.Count,
			"firstAt": n.FirstAt, "lastAt": n.LastAt, "readAt": n.ReadAt}
		if n.Edges.Actor != nil {
			r["actor"] = n.Edges.Actor.ID
		}
		return r
	})
}

// reports are the member's own reports in full, and of reports the member decided as a
// moderator only the decision (the reporter's note is the reporter's).
func reports(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	rs, err := c.Report.Query().Where(report.Or(report.HasReporterWith(member.ID(id)), report.HasDecidedByWith(member.ID(id)))).
		WithReporter(idOnly[*ent.MemberQuery]).WithMessage(idOnly[*ent.MessageQuery]).WithPractice(idOnly[*ent.PracticeQuery]).
		WithDiscussion(idOnly[*ent.DiscussionQuery]).Order(ent.Asc(report.FieldCreatedAt)).All(ctx)
	return mapRows(rs, err, func(r *ent.Report) Row {
		row := Row{"id": r.ID, "status": r.Status, "resolutionNote": r.ResolutionNote, "decidedAt": r.DecidedAt}
		switch {
		case r.Edges.Message != nil:
			row["item"] = Row{"type": "Message", "id": r.Edges.Message.ID}
		case r.Edges.Practice != nil:
			row["item"] = Row{"type": "Practice", "id": r.Edges.Practice.ID}
		case r.Edges.Discussion != nil:
			row["item"] = Row{"type": "Discussion", "id": r.Edges.Discussion.ID}
		}
		if r.Edges.Reporter.ID != id {
			row["role"] = "DECIDED"
			return row
		}
		row["role"] = "REPORTED"
		row["reason"], row["note"], row["createdAt"] = r.Reason, r.Note, r.CreatedAt
		return row
	})
}

func circleBans(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	bs, err := c.CircleBan.Query().Where(circleban.Or(circleban.HasMemberWith(member.ID(id)), circleban.HasBannedByWith(member.ID(id)))).
		WithCircle().WithMember(idOnly[*ent.MemberQuery]).Order(ent.Asc(circleban.FieldCreatedAt)).All(ctx)
	return mapRows(bs, err, func(b *ent.CircleBan) Row {
		role := "BANNED"
		if b.Edges.Member.ID != id {
			role = "BANNED_BY_MEMBER"
		}
		return Row{"id": b.ID, "role": role, "circle": named(b.Edges.Circle.ID, b.Edges.Circle.Name), "reason": b.Reason,
			"createdAt": b.CreatedAt}
	})
}

// auditEntries are the audit log's entries by or about the member (the log holds ids only).
func auditEntries(ctx context.Context, c *ent.Client, id gid.ID) ([]Row, error) {
	es, err := c.AuditEntry.Query().Where(auditentry.Or(auditentry.ActorID(id), auditentry.SubjectID(id))).
		Order(ent.Asc(auditentry.FieldSeq)).All(ctx)
	return mapRows(es, err, func(e *ent.AuditEntry) Row {
		return Row{"id": e.ID, "at": e.At, "actor": e.ActorID, "action": e.Action, "targetType": e.TargetType, "targetId": e.TargetID,
			"subject": e.SubjectID, "circle": e.CircleID, "organisation": e.OrganisationID, "reason": e.Reason}
	})
}

// mapRows maps loaded entities to rows.
func mapRows[T any](items []T, err error, f func(T) Row) ([]Row, error) {
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(items))
	for _, it := range items {
		rows = append(rows, f(it))
	}
	return rows, nil
}

// named is a reference to another object by id and name.
func named(id gid.ID, name string) Row { return Row{"id": id, "name": name} }

// idOnly loads only the ids of an edge (no other member's data).
func idOnly[Q interface{ Select(...string) S }, S any](q Q) { q.Select("id") }
