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

// Competency is an entry of the competency inventory (Auftraggeberkompetenz): what the
// authority side needs to run good projects, and the mirror list for the vendor side.
type Competency struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Competency) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("cmp", "competencies"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Competency) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(maxName).Annotations(entgql.OrderField("NAME")),
		field.Enum("side").Values("AUTHORITY", "VENDOR").Annotations(entgql.OrderField("SIDE")),
		field.Text("description").Optional().MaxLen(maxShort),
	}
}

// Edges implements ent.Schema.
func (Competency) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("topic", Topic.Type).Unique(),
		edge.To("ratings", CompetencyRating.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Annotations implements ent.Schema.
func (Competency) Annotations() []schema.Annotation { return queryable() }

// Policy implements ent.Schema.
func (Competency) Policy() ent.Policy { return policy.Competency() }
