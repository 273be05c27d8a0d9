package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// Indicator is an entry of the KPI catalogue: a shared measure of impact and benefit for one
// target group, with its source (an OZG or LeiKa service id, a study).
type Indicator struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Indicator) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("ind", "indicators"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Indicator) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(maxName).Annotations(entgql.OrderField("NAME")),
		field.Text("definition").NotEmpty().MaxLen(maxShort),
		field.String("unit").NotEmpty().MaxLen(50),
		field.Enum("target_group").Values("CITIZENS", "BUSINESSES", "STAFF", "ADMINISTRATION").
			Annotations(entgql.OrderField("TARGET_GROUP")),
		field.Enum("direction").Values("HIGHER_IS_BETTER", "LOWER_IS_BETTER"),
		field.String("source_reference").Optional().MaxLen(maxName).
			Comment("e.g. an OZG service, a LeiKa id (99123012000000) or a study."),
	}
}

// Edges implements ent.Schema.
func (Indicator) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("topics", Topic.Type).Annotations(entgql.RelayConnection()),
		edge.To("measurements", Measurement.Type).
			Annotations(entgql.Skip(entgql.SkipAll)), // values are read through benchmark only
	}
}

// Annotations implements ent.Schema.
func (Indicator) Annotations() []schema.Annotation { return queryable() }

// Policy implements ent.Schema.
func (Indicator) Policy() ent.Policy { return policy.Indicator() }
