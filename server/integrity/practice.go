package integrity

import (
	"context"
	"strings"
	"time"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/measurement"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// Practice is the integrity of practices, declared in ent/schema/practice.go: a practice
// visible only to a circle names the circle, is published only with the parts another
// authority needs, and links only measurements of its own organisation.
func Practice() []ent.Hook {
	return []ent.Hook{practiceCircle, practicePublished, practiceMeasurements, moderationReason}
}

// practiceCircle requires a circle for practices visible only to a circle.
func practiceCircle(next ent.Mutator) ent.Mutator {
	return hook.PracticeFunc(func(ctx context.Context, m *ent.PracticeMutation) (ent.Value, error) {
		visibility, setsVisibility := m.Visibility()
		_, hasCircle := m.CircleID()
		if !setsVisibility && !m.CircleCleared() {
			return next.Mutate(ctx, m) // nothing that could break the rule
		}
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			old, err := m.Client().Practice.Query().Where(practice.ID(id)).WithCircle().Only(ctx)
			if err != nil {
				return nil, err
			}
			if !setsVisibility {
				visibility = old.Visibility
			}
			if !hasCircle && !m.CircleCleared() {
				hasCircle = old.Edges.Circle != nil
			}
		}
		if visibility == practice.VisibilityCIRCLE && !hasCircle {
			return nil, apperr.Invalid("circleID", "is required when the visibility is CIRCLE")
		}
		return next.Mutate(ctx, m)
	})
}

// practiceRequiredToPublish are the parts another authority needs, by ent field.
var practiceRequiredToPublish = []string{practice.FieldSummary, practice.FieldProblem, practice.FieldApproach, practice.FieldOutcome}

// practicePublished publishes a practice only once the parts another authority needs are
// written, and stamps when it was first published. Trusted code (the demo) imports practices
// as they were.
func practicePublished(next ent.Mutator) ent.Mutator {
	return hook.PracticeFunc(func(ctx context.Context, m *ent.PracticeMutation) (ent.Value, error) {
		status, sets := m.Status()
		if !sets || status != practice.StatusPUBLISHED || trusted(ctx) {
			return next.Mutate(ctx, m)
		}
		updateOne := m.Op().Is(ent.OpUpdateOne)
		if !updateOne && !m.Op().Is(ent.OpCreate) {
			return nil, apperr.Forbidden("practices are published one at a time")
		}
		sys := policy.System(ctx)
		for _, f := range practiceRequiredToPublish {
			v, ok := m.Field(f)
			if !ok && updateOne {
				old, err := m.OldField(sys, f)
				if err != nil {
					return nil, err
				}
				v = old
			}
			if s, _ := v.(string); strings.TrimSpace(s) == "" {
				return nil, apperr.Invalid(FieldName(f), "is required to publish a practice")
			}
		}
		if _, given := m.PublishedAt(); !given {
			var first *time.Time
			if updateOne {
				old, err := m.OldPublishedAt(sys)
				if err != nil {
					return nil, err
				}
				first = old
			}
			if first == nil {
				m.SetPublishedAt(time.Now())
			}
		}
		return next.Mutate(ctx, m)
	})
}

// practiceMeasurements links a practice only to measurements of its own organisation.
func practiceMeasurements(next ent.Mutator) ent.Mutator {
	return hook.PracticeFunc(func(ctx context.Context, m *ent.PracticeMutation) (ent.Value, error) {
		before, after := m.MeasurementsBeforeIDs(), m.MeasurementsAfterIDs()
		if len(before)+len(after) == 0 {
			return next.Mutate(ctx, m)
		}
		sys := policy.System(ctx)
		org, ok := m.OrganisationID()
		if !ok {
			id, _ := m.ID()
			p, err := m.Client().Practice.Query().Where(practice.ID(id)).WithOrganisation().Only(sys)
			if err != nil {
				return nil, err
			}
			if p.Edges.Organisation != nil {
				org = p.Edges.Organisation.ID
			}
		}
		for field, ids := range map[string][]gid.ID{"beforeIDs": before, "afterIDs": after} {
			n, err := m.Client().Measurement.Query().Where(measurement.IDIn(ids...),
				measurement.HasOrganisationWith(organisation.ID(org))).Count(sys)
			if err != nil {
				return nil, err
			}
			if n != len(ids) {
				return nil, apperr.Invalid(field, "must be measurements of the practice's organisation")
			}
		}
		return next.Mutate(ctx, m)
	})
}
