package integrity

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/ent/practice"
	"zirkel/server/apperr"
)

// Practice is the integrity of practices, declared in ent/schema/practice.go: a practice
// visible only to a circle names the circle.
func Practice() []ent.Hook { return []ent.Hook{practiceCircle} }

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
