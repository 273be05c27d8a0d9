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

// CircleMembership says that a member belongs to a circle, and in which role.
type CircleMembership struct{ ent.Schema }

// Mixin implements ent.Schema.
func (CircleMembership) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("cmb", "circle_memberships"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (CircleMembership) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("role").Values("MEMBER", "MODERATOR").Default("MEMBER").
			Annotations(entgql.OrderField("ROLE")),
	}
}

// Edges implements ent.Schema.
func (CircleMembership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("circle", Circle.Type).Ref("memberships").Unique().Required().Immutable(),
		edge.From("member", Member.Type).Ref("circle_memberships").Unique().Required().Immutable(),
	}
}

// Indexes implements ent.Schema.
func (CircleMembership) Indexes() []ent.Index {
	return []ent.Index{
		index.Edges("circle", "member").Unique(),
		// A member's circles, loaded with the viewer on every logged-in request.
		index.Edges("member"),
	}
}

// Annotations implements ent.Schema.
func (CircleMembership) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Policy implements ent.Schema.
func (CircleMembership) Policy() ent.Policy { return policy.CircleMembership() }
