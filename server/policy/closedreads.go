package policy

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/message"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/ent/survey"
)

// A closed circle is a protected space: when a platform admin or moderator reads content of a
// CLOSED circle they do not belong to (however a rule let them: as an author of a practice in a
// circle they left, through a moderation queue, ...), the read is audited. The interceptor
// below sees every query of circle content; it costs nothing for other viewers (one check of
// the viewer's role) and one query of the circles concerned for admins and moderators. What
// is recorded, and how often (once per circle per GraphQL operation), is decided by the
// ClosedReads of the context (server/audit); without one nothing is recorded.

// ClosedReads records reads of closed circles' content by platform admins and moderators
// outside them.
type ClosedReads interface {
	// Record is told the closed circles (as a predicate over circles) whose content the
	// viewer of ctx just read without belonging to them; it records them before the rows are
	// returned, and an error fails the read.
	Record(ctx context.Context, circles predicate.Circle) error
}

type closedReadsKey struct{}

// WithClosedReads returns ctx with the recorder of closed-circle reads.
func WithClosedReads(ctx context.Context, r ClosedReads) context.Context {
	return context.WithValue(ctx, closedReadsKey{}, r)
}

// AuditClosedReads is an ent interceptor for the types of circle content: it tells the
// context's ClosedReads (if any) of closed circles outside the viewer's whose content a
// platform admin or moderator read. Trusted server code (System) is not audited here: what it
// reads on someone's behalf is audited where it does so (exports).
func AuditClosedReads() ent.Interceptor {
	return ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			res, err := next.Query(ctx, q)
			v := viewerOf(ctx)
			if err != nil || !v.IsModerator() || trusted(ctx) {
				return res, err
			}
			rec, ok := ctx.Value(closedReadsKey{}).(ClosedReads)
			if !ok {
				return res, nil
			}
			if of := circlesOfContent(res); of != nil {
				closed := circle.And(of, circle.VisibilityEQ(circle.VisibilityCLOSED), circle.IDNotIn(v.CircleIDs()...))
				if err := rec.Record(ctx, closed); err != nil {
					return nil, err
				}
			}
			return res, nil
		})
	})
}

// circlesOfContent matches the circles of the rows a query returned, or is nil when they are
// not circle content (counts, ids, other types) or there are none.
func circlesOfContent(res ent.Value) predicate.Circle {
	switch rows := res.(type) {
	case []*ent.Discussion:
		if ids := idsOf(rows, func(r *ent.Discussion) gid.ID { return r.ID }); ids != nil {
			return circle.HasDiscussionsWith(discussion.IDIn(ids...))
		}
	case []*ent.Message:
		if ids := idsOf(rows, func(r *ent.Message) gid.ID { return r.ID }); ids != nil {
			return circle.HasDiscussionsWith(discussion.HasMessagesWith(message.IDIn(ids...)))
		}
	case []*ent.Practice:
		if ids := idsOf(rows, func(r *ent.Practice) gid.ID { return r.ID }); ids != nil {
			return circle.HasPracticesWith(practice.IDIn(ids...))
		}
	case []*ent.Event:
		if ids := idsOf(rows, func(r *ent.Event) gid.ID { return r.ID }); ids != nil {
			return circle.HasEventsWith(event.IDIn(ids...))
		}
	case []*ent.Survey:
		if ids := idsOf(rows, func(r *ent.Survey) gid.ID { return r.ID }); ids != nil {
			return circle.HasSurveysWith(survey.IDIn(ids...))
		}
	}
	return nil
}

// idsOf lists the rows' ids, nil for no rows.
func idsOf[T any](rows []T, id func(T) gid.ID) []gid.ID {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]gid.ID, len(rows))
	for i, r := range rows {
		ids[i] = id(r)
	}
	return ids
}
