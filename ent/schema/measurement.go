package schema

import (
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"zirkel/ent/schema/gid"
	"zirkel/server/integrity"
	"zirkel/server/policy"
)

// Measurement is one organisation's value of an indicator for a period. Values are visible
// only to the organisation's members; everyone else sees anonymised peer statistics.
type Measurement struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Measurement) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("mea", "measurements"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Measurement) Fields() []ent.Field {
	return []ent.Field{
		field.String("period").MaxLen(10).Match(regexp.MustCompile(`^20[0-9]{2}(-(Q[1-4]|H[12]|(0[1-9]|1[0-2])))?$`)).
			Comment("A year (2025), half (2025-H1), quarter (2025-Q3) or month (2025-07).").
			Annotations(entgql.OrderField("PERIOD")),
		field.Float("value"),
		field.String("note").Optional().MaxLen(maxShort),
	}
}

// Edges implements ent.Schema.
func (Measurement) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("indicator", Indicator.Type).Ref("measurements").Unique().Required().Immutable(),
		edge.From("organisation", Organisation.Type).Ref("measurements").Unique().Required().Immutable(),
		edge.To("recorded_by", Member.Type).Unique().
			Comment("The member who last entered or corrected the value (set by server/integrity from the viewer); for the member's export.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("practices_before", Practice.Type).Ref("measurements_before").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("practices_after", Practice.Type).Ref("measurements_after").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes implements ent.Schema.
func (Measurement) Indexes() []ent.Index {
	return []ent.Index{index.Edges("organisation", "indicator").Fields("period").Unique()}
}

// Annotations implements ent.Schema.
func (Measurement) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()} // written through recordMeasurement
}

// Hooks implements ent.Schema: the member who records a measurement is kept
// (server/integrity/measurement.go).
func (Measurement) Hooks() []ent.Hook { return integrity.Measurement() }

// Policy implements ent.Schema.
func (Measurement) Policy() ent.Policy { return policy.Measurement() }
