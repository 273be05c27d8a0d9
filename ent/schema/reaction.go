package schema

import (
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

// Reaction is one member's reaction of one kind to a message. Messages keep the counts, so
// reading them costs nothing; these rows make "one per member and kind" hold.
type Reaction struct{ ent.Schema }

// ReactionKinds are the reactions on offer: few, and about the content.
var ReactionKinds = []string{"THUMBS_UP", "HEART", "CLAP", "IDEA", "QUESTION"}

// Mixin implements ent.Schema.
func (Reaction) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("rea", "reactions"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Reaction) Fields() []ent.Field {
	return []ent.Field{field.Enum("kind").Values(ReactionKinds...).Immutable()}
}

// Edges implements ent.Schema.
func (Reaction) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("message", Message.Type).Ref("reactions").Unique().Required().Immutable(),
		edge.To("member", Member.Type).Unique().Required().Immutable(),
	}
}

// Indexes implements ent.Schema.
func (Reaction) Indexes() []ent.Index {
	return []ent.Index{index.Edges("message", "member").Fields("kind").Unique()}
}

// Annotations implements ent.Schema.
func (Reaction) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Hooks implements ent.Schema: see server/integrity/reaction.go.
func (Reaction) Hooks() []ent.Hook { return integrity.Reaction() }

// Policy implements ent.Schema.
func (Reaction) Policy() ent.Policy { return policy.Reaction() }
