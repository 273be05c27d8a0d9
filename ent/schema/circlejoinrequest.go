package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// CircleJoinRequest is a member's request to join a CLOSED circle, which its moderators (or
// an admin) accept or decline. Accepting creates the membership. The decision stays stored
// (decided_at, decided_by, reason) for the notifications that will follow.
type CircleJoinRequest struct{ ent.Schema }

// Mixin implements ent.Schema.
func (CircleJoinRequest) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("cjr", "circle_join_requests"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (CircleJoinRequest) Fields() []ent.Field {
	return []ent.Field{
		field.String("message").Optional().MaxLen(maxShort).
			Comment("What the member tells the moderators."),
		field.Enum("status").Values("PENDING", "ACCEPTED", "DECLINED").Default("PENDING").
			Annotations(entgql.OrderField("STATUS")),
		field.String("reason").Optional().MaxLen(maxShort).
			Comment("What the moderator tells the member with the decision."),
		field.Time("decided_at").Optional().Nillable(),
	}
}

// Edges implements ent.Schema.
func (CircleJoinRequest) Edges() []ent.Edge {
	noWhere := entgql.Skip(entgql.SkipWhereInput) // filters must not reveal hidden rows
	return []ent.Edge{
		edge.From("circle", Circle.Type).Ref("join_requests").Unique().Required().Immutable().
			Annotations(noWhere),
		edge.From("member", Member.Type).Ref("join_requests").Unique().Required().Immutable().
			Annotations(noWhere),
		edge.To("decided_by", Member.Type).Unique().
			Comment("The moderator or admin who accepted or declined it.").
			Annotations(noWhere),
	}
}

// Indexes implements ent.Schema.
func (CircleJoinRequest) Indexes() []ent.Index {
	return []ent.Index{
		// At most one open request per circle and member.
		index.Edges("circle", "member").Unique().
			Annotations(entsql.IndexWhere("status = 'PENDING'")),
	}
}

// Annotations implements ent.Schema.
func (CircleJoinRequest) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Hooks implements ent.Schema: conflicts are refused, the decision is stamped, and an
// acceptance creates the membership (server/policy/joinrequests.go).
func (CircleJoinRequest) Hooks() []ent.Hook {
	return []ent.Hook{policy.CheckJoinRequest, policy.DecideJoinRequest}
}

// Policy implements ent.Schema.
func (CircleJoinRequest) Policy() ent.Policy { return policy.CircleJoinRequest() }
