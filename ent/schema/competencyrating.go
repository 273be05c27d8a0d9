package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// CompetencyRating is a member's rating of their own competency: 1 (heard of it) to 4 (can
// teach it). Others see it only when the member agreed to be found.
type CompetencyRating struct{ ent.Schema }

// Mixin implements ent.Schema.
func (CompetencyRating) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("cmr", "competency_ratings"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (CompetencyRating) Fields() []ent.Field {
	return []ent.Field{
		field.Int("level").Range(1, 4).Annotations(entgql.OrderField("LEVEL")),
		field.Bool("findable").Default(false).Comment("The member agreed to be found for it."),
	}
}

// Edges implements ent.Schema.
func (CompetencyRating) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("competency", Competency.Type).Ref("ratings").Unique().Required().Immutable(),
		edge.To("member", Member.Type).Unique().Required().Immutable(),
	}
}

// Indexes implements ent.Schema.
func (CompetencyRating) Indexes() []ent.Index {
	return []ent.Index{index.Edges("competency", "member").Unique()}
}

// Annotations implements ent.Schema.
func (CompetencyRating) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Policy implements ent.Schema.
func (CompetencyRating) Policy() ent.Policy { return policy.CompetencyRating() }
