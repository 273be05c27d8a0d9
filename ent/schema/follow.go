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

// Follow says that a member follows a topic, circle, discussion, member or organisation: what
// happens there notifies them (server/notify). A muted follow stays (the discussion stays
// followed, so posting again does not follow it anew) but notifies nobody.
type Follow struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Follow) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("fol", "follows"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Follow) Fields() []ent.Field {
	serverSet := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.Enum("target_type").Values("TOPIC", "CIRCLE", "DISCUSSION", "MEMBER", "ORGANISATION").Immutable().
			Comment("What kind of thing is followed."),
		field.String("target_id").GoType(gid.ID("")).Immutable().MaxLen(64).
			Comment("The followed topic, circle, discussion, member or organisation."),
		field.Bool("muted").Default(false).
			Comment("A muted follow notifies nobody."),
		field.Bool("automatic").Default(false).Immutable().Annotations(serverSet).
			Comment("Made by starting or posting in a discussion, not by the member's choice."),
	}
}

// Edges implements ent.Schema.
func (Follow) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("member", Member.Type).Unique().Required().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes implements ent.Schema.
func (Follow) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("target_id").Edges("member").Unique(),
		index.Edges("member"),
	}
}

// Annotations implements ent.Schema.
func (Follow) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)}
}

// Policy implements ent.Schema.

// Policy implements ent.Schema.
func (Follow) Policy() ent.Policy { return policy.Follow() }
