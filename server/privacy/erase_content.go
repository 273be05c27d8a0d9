package privacy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/circleban"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/circlemembership"
	"zirkel/ent/competencyrating"
	"zirkel/ent/discussion"
	"zirkel/ent/emailpreference"
	"zirkel/ent/follow"
	"zirkel/ent/loginthrottle"
	"zirkel/ent/measurement"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/notification"
	"zirkel/ent/outboxmail"
	"zirkel/ent/practice"
	"zirkel/ent/reaction"
	"zirkel/ent/registration"
	"zirkel/ent/report"
	"zirkel/ent/session"
	"zirkel/ent/softwareusage"
	"zirkel/ent/survey"
	"zirkel/ent/surveyresponse"
)

// DeletedTitle replaces the title of a discussion whose opener chose to delete what they
// wrote: the discussion keeps its place and the others' messages.
const DeletedTitle = "(gelöscht)"

// endSessions deletes the member's sessions (not only revokes them: a session row says when
// they were online); the live hub closes their websockets when the deletion is committed (it
// consumes the event pipeline).
func (e *Eraser) endSessions(ctx context.Context, c *ent.Client, m *ent.Member) error {
	if _, err := c.Session.Delete().Where(session.HasMemberWith(member.ID(m.ID))).Exec(ctx); err != nil {
		return fmt.Errorf("deleting sessions: %w", err)
	}
	return nil
}

// forgetThrottles deletes the member's failed-login counters (keyed by a hash of the account
// name, which is their e-mail address or directory user name).
func (e *Eraser) forgetThrottles(ctx context.Context, c *ent.Client, m *ent.Member) error {
	if e.cfg.ThrottleKeys == nil {
		return nil
	}
	if _, err := c.LoginThrottle.Delete().Where(loginthrottle.KeyIn(e.cfg.ThrottleKeys(m)...)).Exec(ctx); err != nil {
		return fmt.Errorf("deleting failed-login counters: %w", err)
	}
	return nil
}

// removePersonalRows deletes what only says something about the member: circle memberships,
// join requests, co-authorship invitations they received, event registrations (the events'
// counts go down), competency ratings, what they follow and others' follows of them, their
// notifications, e-mail preferences and outbox mails, the reports they filed (with the
// reporter's words; a decision taken on one is in the audit log) and their circle bans; it
// withdraws the co-authorship invitations they sent that are still open, and removes them as
// contact of software usages, recorder of measurements, causer of others' notifications,
// and decider of reports. Bans they imposed keep them as banned_by (an immutable record of a
// moderator's decision, like a join request's decided_by).
func removePersonalRows(ctx context.Context, c *ent.Client, m *ent.Member) error {
	is := member.ID(m.ID)
	if err := deleteRegistrations(ctx, c, m); err != nil {
		return err
	}
	for _, step := range []struct {
		what string
		run  func(context.Context) (int, error)
	}{
		{"circle memberships", c.CircleMembership.Delete().Where(circlemembership.HasMemberWith(is)).Exec},
		{"join requests", c.CircleJoinRequest.Delete().Where(circlejoinrequest.HasMemberWith(is)).Exec},
		{"invitations", c.AuthorshipInvitation.Delete().Where(authorshipinvitation.HasInviteeWith(is)).Exec},
		{"competency ratings", c.CompetencyRating.Delete().Where(competencyrating.HasMemberWith(is)).Exec},
		{"sent invitations", c.AuthorshipInvitation.Update().
			Where(authorshipinvitation.HasInviterWith(is), authorshipinvitation.StatusEQ(authorshipinvitation.StatusPENDING)).
			SetStatus(authorshipinvitation.StatusWITHDRAWN).Save},
		{"software contacts", c.SoftwareUsage.Update().Where(softwareusage.HasContactWith(is)).ClearContact().Save},
		{"measurements", c.Measurement.Update().Where(measurement.HasRecordedByWith(is)).ClearRecordedBy().Save},
		{"follows", c.Follow.Delete().Where(follow.HasMemberWith(is)).Exec},
		{"followers", c.Follow.Delete().Where(follow.TargetTypeEQ(follow.TargetTypeMEMBER), follow.TargetID(m.ID)).Exec},
		{"notifications", c.Notification.Delete().Where(notification.HasRecipientWith(is)).Exec},
		{"notifications caused", c.Notification.Update().Where(notification.HasActorWith(is)).ClearActor().Save},
		{"e-mail preferences", c.EmailPreference.Delete().Where(emailpreference.MemberID(m.ID)).Exec},
		{"outbox mails", c.OutboxMail.Delete().Where(outboxmail.MemberID(m.ID)).Exec},
		{"reports", c.Report.Delete().Where(report.HasReporterWith(is)).Exec},
		{"report decisions", c.Report.Update().Where(report.HasDecidedByWith(is)).ClearDecidedBy().Save},
		{"circle bans", c.CircleBan.Delete().Where(circleban.HasMemberWith(is)).Exec},
	} {
		if _, err := step.run(ctx); err != nil {
			return fmt.Errorf("removing the member's %s: %w", step.what, err)
		}
	}
	return nil
}

// deleteRegistrations deletes the member's event registrations and lowers the events' counts.
func deleteRegistrations(ctx context.Context, c *ent.Client, m *ent.Member) error {
	regs, err := c.Registration.Query().Where(registration.HasMemberWith(member.ID(m.ID))).WithEvent().All(ctx)
	if err != nil {
		return fmt.Errorf("listing registrations: %w", err)
	}
	for _, r := range regs {
		if err := c.Registration.DeleteOne(r).Exec(ctx); err != nil {
			return fmt.Errorf("deleting a registration: %w", err)
		}
		update := c.Event.UpdateOneID(r.Edges.Event.ID)
		switch r.Status {
		case registration.StatusREGISTERED, registration.StatusATTENDED:
			update.AddRegisteredCount(-1)
		case registration.StatusWAITLISTED:
			update.AddWaitlistCount(-1)
		default:
			continue
		}
		if err := update.Exec(ctx); err != nil {
			return fmt.Errorf("counting an event's registrations: %w", err)
		}
	}
	return nil
}

// unlinkAnonymousResponses gives the member's responses to anonymous surveys random keys. Their
// key was an HMAC of survey and member id under the server's secret, which the server could
// compute again for the former member's id; afterwards nothing links them to anyone. Responses
// per organisation are the organisation's and keep their key.
func (e *Eraser) unlinkAnonymousResponses(ctx context.Context, c *ent.Client, m *ent.Member) error {
	if len(e.cfg.SurveySecret) == 0 {
		return nil
	}
	surveys, err := c.Survey.Query().Where(survey.Anonymous(true), survey.ResponseScopeEQ(survey.ResponseScopeMEMBER)).IDs(ctx)
	if err != nil {
		return fmt.Errorf("listing anonymous surveys: %w", err)
	}
	for _, id := range surveys {
		mac := hmac.New(sha256.New, e.cfg.SurveySecret)
		fmt.Fprintf(mac, "%s|%s", id, m.ID) // as graph.respondentKey
		q, args := entsql.Dialect(e.cfg.Dialect).Update(surveyresponse.Table).
			Set(surveyresponse.FieldRespondentKey, randomHex(32)).
			Where(entsql.And(
				entsql.EQ(surveyresponse.SurveyColumn, string(id)),
				entsql.EQ(surveyresponse.FieldRespondentKey, hex.EncodeToString(mac.Sum(nil))),
			)).Query()
		if _, err := c.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("unlinking an anonymous response: %w", err)
		}
	}
	return nil
}

// deleteMessages empties the member's messages as deleteMessage does: each keeps its place in
// its thread (replies stay in context) and leaves the search index.
func (e *Eraser) deleteMessages(ctx context.Context, c *ent.Client, m *ent.Member) error {
	msgs, err := c.Message.Query().Where(message.HasAuthorWith(member.ID(m.ID))).All(ctx)
	if err != nil {
		return fmt.Errorf("listing messages: %w", err)
	}
	now := e.now()
	for _, msg := range msgs {
		deletedAt := now
		if msg.DeletedAt != nil {
			deletedAt = *msg.DeletedAt
		}
		if err := c.Message.UpdateOne(msg).SetBody("").SetDeletedAt(deletedAt).Exec(ctx); err != nil {
			return fmt.Errorf("deleting a message: %w", err)
		}
	}
	return nil
}

// retitleDiscussions replaces the titles of the discussions the member opened.
func retitleDiscussions(ctx context.Context, c *ent.Client, m *ent.Member) error {
	ids, err := c.Discussion.Query().Where(discussion.HasAuthorWith(member.ID(m.ID))).IDs(ctx)
	if err != nil {
		return fmt.Errorf("listing discussions: %w", err)
	}
	for _, id := range ids { // one by one: the search index follows single updates
		if err := c.Discussion.UpdateOneID(id).SetTitle(DeletedTitle).Exec(ctx); err != nil {
			return fmt.Errorf("retitling a discussion: %w", err)
		}
	}
	return nil
}

// deletePractices deletes the practices the member wrote alone (with their co-authorship
// invitations) and removes them from the authors of the others.
func deletePractices(ctx context.Context, c *ent.Client, m *ent.Member) error {
	ps, err := c.Practice.Query().Where(practice.HasAuthorsWith(member.ID(m.ID))).WithAuthors().All(ctx)
	if err != nil {
		return fmt.Errorf("listing practices: %w", err)
	}
	for _, p := range ps {
		if len(p.Edges.Authors) > 1 {
			if err := c.Practice.UpdateOne(p).RemoveAuthorIDs(m.ID).Exec(ctx); err != nil {
				return fmt.Errorf("removing an author: %w", err)
			}
			continue
		}
		if _, err := c.AuthorshipInvitation.Delete().Where(authorshipinvitation.HasPracticeWith(practice.ID(p.ID))).Exec(ctx); err != nil {
			return fmt.Errorf("deleting a practice's invitations: %w", err)
		}
		if err := c.Practice.DeleteOne(p).Exec(ctx); err != nil {
			return fmt.Errorf("deleting a practice: %w", err)
		}
	}
	return nil
}

// deleteReactions deletes the member's reactions and counts the messages' reactions again.
func deleteReactions(ctx context.Context, c *ent.Client, m *ent.Member) error {
	mine := reaction.HasMemberWith(member.ID(m.ID))
	msgIDs, err := c.Message.Query().Where(message.HasReactionsWith(mine)).IDs(ctx)
	if err != nil {
		return fmt.Errorf("listing reactions: %w", err)
	}
	if _, err := c.Reaction.Delete().Where(mine).Exec(ctx); err != nil {
		return fmt.Errorf("deleting reactions: %w", err)
	}
	for _, id := range msgIDs {
		var rows []struct {
			Kind  reaction.Kind `json:"kind"`
			Count int           `json:"count"`
		}
		if err := c.Reaction.Query().Where(reaction.HasMessageWith(message.ID(id))).
			GroupBy(reaction.FieldKind).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("counting reactions: %w", err)
		}
		counts := map[string]int{}
		for _, r := range rows {
			counts[string(r.Kind)] = r.Count
		}
		if err := c.Message.UpdateOneID(id).SetReactionCounts(counts).Exec(ctx); err != nil {
			return fmt.Errorf("counting reactions: %w", err)
		}
	}
	return nil
}

// deleteSurveyAnswers deletes the member's responses to surveys that are not anonymous (those
// of anonymous surveys cannot be told apart any more, see unlinkAnonymousResponses) and lowers
// the surveys' counts; a survey's time of change stays.
func deleteSurveyAnswers(ctx context.Context, c *ent.Client, m *ent.Member) error {
	rs, err := c.SurveyResponse.Query().Where(surveyresponse.HasMemberWith(member.ID(m.ID))).WithSurvey().All(ctx)
	if err != nil {
		return fmt.Errorf("listing survey responses: %w", err)
	}
	for _, r := range rs {
		if err := c.SurveyResponse.DeleteOne(r).Exec(ctx); err != nil {
			return fmt.Errorf("deleting a survey response: %w", err)
		}
		s := r.Edges.Survey
		err := c.Survey.UpdateOneID(s.ID).AddResponseCount(-1).AddPublishedCount(-1).SetUpdatedAt(s.UpdatedAt).Exec(ctx)
		if err != nil {
			return fmt.Errorf("counting a survey's responses: %w", err)
		}
	}
	return nil
}
