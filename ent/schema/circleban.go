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

// CircleBan keeps a member out of a circle: a ban ends their membership, and while it lasts
// they cannot join, ask to join, start discussions or post there.
type CircleBan struct{ ent.Schema }

// Mixin implements ent.Schema.
func (CircleBan) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("ban", "circle_bans"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (CircleBan) Fields() []ent.Field {
	return []ent.Field{
		field.String("reason").NotEmpty().MaxLen(maxShort).
			Comment("Why the member was banned; the member reads it."),
	}
}

// Edges implements ent.Schema.
func (CircleBan) Edges() []ent.Edge {
	noInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Edge{
		edge.To("circle", Circle.Type).Unique().Required().Immutable().Annotations(noInput),
		edge.To("member", Member.Type).Unique().Required().Immutable().Annotations(noInput),
		edge.To("banned_by", Member.Type).Unique().Immutable().Annotations(noInput),
	}
}

// Indexes implements ent.Schema.
func (CircleBan) Indexes() []ent.Index {
	return []ent.Index{index.Edges("circle", "member").Unique(), index.Edges("member")}
}

// Annotations implements ent.Schema.
func (CircleBan) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Hooks implements ent.Schema: a ban ends the membership and declines pending requests to
// join (server/policy/circleban.go).
func (CircleBan) Hooks() []ent.Hook { return []ent.Hook{policy.EndMembershipOnBan} }

// Policy implements ent.Schema.
func (CircleBan) Policy() ent.Policy { return policy.CircleBan() }
