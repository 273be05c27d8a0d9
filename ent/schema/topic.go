package schema

import (
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"zirkel/ent/schema/gid"
	"zirkel/server/integrity"
	"zirkel/server/policy"
)

// Topic is a field the officers work on, in a tree ("Low Code" under "Technologie").
type Topic struct{ ent.Schema }

// slugPattern is lower-case words joined by single hyphens.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Mixin implements ent.Schema.
func (Topic) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("top", "topics"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Topic) Fields() []ent.Field {
	return []ent.Field{
		field.String("slug").Unique().MaxLen(64).Match(slugPattern).
			Annotations(entgql.OrderField("SLUG")),
		field.String("name").NotEmpty().MaxLen(maxName).
			Annotations(entgql.OrderField("NAME")),
		field.String("description").Optional().MaxLen(maxShort),
	}
}

// Edges implements ent.Schema.
func (Topic) Edges() []ent.Edge {
	noInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Edge{
		edge.To("children", Topic.Type).Annotations(entgql.RelayConnection(), noInput).
			From("parent").Unique(),
		edge.From("experts", Member.Type).Ref("expertise").
			Comment("Read through the hand-written Topic.experts (policy.ExpertVisible); not filterable.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipAll)),
		edge.From("practices", Practice.Type).Ref("topics").
			Annotations(entgql.RelayConnection(), noInput),
		edge.From("discussions", Discussion.Type).Ref("topics").
			Annotations(entgql.RelayConnection(), noInput),
		edge.From("indicators", Indicator.Type).Ref("topics").
			Annotations(entgql.RelayConnection(), noInput),
	}
}

// Annotations implements ent.Schema.
func (Topic) Annotations() []schema.Annotation { return queryable() }

// Hooks implements ent.Schema: see server/integrity/topic.go.
func (Topic) Hooks() []ent.Hook { return integrity.Topic() }

// Policy implements ent.Schema.
func (Topic) Policy() ent.Policy { return policy.Topic() }
