package demo

import (
	"context"
	"fmt"
	"time"

	"zirkel/ent/practice"
)

// practiceSpec is a good-practice record. Its texts are fictional but written the way such
// records are: what the problem was, what was done, what came out and what went wrong.
type practiceSpec struct {
	title, summary, problem, approach, outcome, lessons, transfer string

	maturity   practice.Maturity
	status     practice.Status
	visibility practice.Visibility
	circle     string // slug of the circle; required for visibility CIRCLE

	effortDays, weeks int // 0 where the authors do not know
	software          []string

	org     string   // organisation key
	authors []string // member keys
	topics  []string // topic slugs
	daysAgo int      // published, or for a draft last edited, this many days before the load
}

// archivedDaysAgo is when the archived practices were archived, in days before the load.
const archivedDaysAgo = 21

func (l *loader) loadPractices(ctx context.Context) error {
	for _, group := range [][]practiceSpec{organisationPractices, servicePractices} {
		for _, p := range group {
			if err := l.createPractice(ctx, p); err != nil {
				return fmt.Errorf("creating practice %q: %w", p.title, err)
			}
			l.counts.practices++
		}
	}
	return nil
}

func (l *loader) createPractice(ctx context.Context, p practiceSpec) error {
	org, err := lookupOne("organisation", l.orgs, p.org)
	if err != nil {
		return err
	}
	authors, err := lookup("member", l.members, p.authors...)
	if err != nil {
		return err
	}
	topicIDs, err := lookup("topic", l.topics, p.topics...)
	if err != nil {
		return err
	}
	when := l.daysAgo(p.daysAgo, 10)
	updated := when
	if p.status == practice.StatusARCHIVED {
		updated = l.daysAgo(archivedDaysAgo, 15)
	}
	c := l.client.Practice.Create().
		SetTitle(p.title).SetSummary(p.summary).SetProblem(p.problem).SetApproach(p.approach).
		SetOutcome(p.outcome).SetLessonsLearned(p.lessons).SetTransferability(p.transfer).
		SetMaturity(p.maturity).SetStatus(p.status).SetVisibility(p.visibility).
		SetSoftwareUsed(p.software).SetOrganisationID(org).
		AddAuthorIDs(authors...).AddTopicIDs(topicIDs...).
		SetCreatedAt(when.Add(-14 * 24 * time.Hour)).SetUpdatedAt(updated)
	if p.status != practice.StatusDRAFT {
		c.SetPublishedAt(when)
	}
	if p.effortDays > 0 {
		c.SetEffortPersonDays(p.effortDays)
	}
	if p.weeks > 0 {
		c.SetDurationWeeks(p.weeks)
	}
	if p.circle != "" {
		circleID, err := lookupOne("circle", l.circles, p.circle)
		if err != nil {
			return err
		}
		c.SetCircleID(circleID)
	}
	return c.Exec(ctx)
}
