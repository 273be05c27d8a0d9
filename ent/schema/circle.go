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

// Circle is a working group (Arbeitskreis): the protected space whose content, when CLOSED,
// only its members see.
type Circle struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Circle) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("cir", "circles"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Circle) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(maxName).
			Annotations(entgql.OrderField("NAME")),
		field.String("slug").Unique().MaxLen(64).Match(slugPattern).
			Annotations(entgql.OrderField("SLUG")),
		field.String("description").Optional().MaxLen(maxShort),
		field.Enum("visibility").Values("OPEN", "CLOSED").Default("CLOSED").
			Comment("OPEN: any member may join. CLOSED: by invitation, content only for members.").
			Annotations(entgql.OrderField("VISIBILITY")),
		field.Bool("vendors_may_ask").Default(false).
			Comment("Whether vendors may ask to join this CLOSED circle (members always may)."),
	}
}

// Edges implements ent.Schema.
func (Circle) Edges() []ent.Edge {
	noInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput) // filters see only visible rows: policy.GuardWhere
	return []ent.Edge{
		edge.To("memberships", CircleMembership.Type).
			Annotations(entgql.RelayConnection(), noInput),
		edge.To("practices", Practice.Type).
			Annotations(entgql.RelayConnection(), noInput),
		edge.To("discussions", Discussion.Type).
			Annotations(entgql.RelayConnection(), noInput),
		edge.To("events", Event.Type).
			Annotations(entgql.RelayConnection(), noInput),
		edge.To("surveys", Survey.Type).
			Annotations(entgql.RelayConnection(), noInput),
		edge.To("join_requests", CircleJoinRequest.Type).
			Comment("Requests to join: its moderators and admins see them all, a member their own.").
			Annotations(entgql.RelayConnection(), noInput),
	}
}

// Annotations implements ent.Schema.
func (Circle) Annotations() []schema.Annotation { return queryable() }

// Policy implements ent.Schema.
func (Circle) Policy() ent.Policy { return policy.Circle() }
