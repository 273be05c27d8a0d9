package integrity

import (
	"context"

	"zirkel/ent"
	"zirkel/ent/hook"
	"zirkel/server/viewer"
)

// Measurement is the integrity of measurements, declared in ent/schema/measurement.go.
func Measurement() []ent.Hook { return []ent.Hook{measurementRecorder} }

// measurementRecorder notes who entered or corrected a value (Measurement.recorded_by): the
// viewer of the mutation; writes without a viewer (demo data, imports) leave it as it is.
func measurementRecorder(next ent.Mutator) ent.Mutator {
	return hook.MeasurementFunc(func(ctx context.Context, m *ent.MeasurementMutation) (ent.Value, error) {
		if v := viewer.FromContext(ctx); v != nil && m.Op().Is(ent.OpCreate|ent.OpUpdateOne) {
			m.SetRecordedByID(v.MemberID)
		}
		return next.Mutate(ctx, m)
	})
}
