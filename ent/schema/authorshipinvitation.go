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

// AuthorshipInvitation asks a member to become a co-author of a practice. Naming a co-author
// creates one; the practice lists the member among its authors only once they accept. The
// decision stays stored (decided_at, decided_by) for the notifications that will follow.
type AuthorshipInvitation struct{ ent.Schema }

// Mixin implements ent.Schema.
func (AuthorshipInvitation) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("aiv", "authorship_invitations"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (AuthorshipInvitation) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("status").Values("PENDING", "ACCEPTED", "DECLINED", "WITHDRAWN").Default("PENDING").
			Comment("PENDING until the invitee accepts or declines, or an author withdraws it.").
			Annotations(entgql.OrderField("STATUS")),
		field.Time("decided_at").Optional().Nillable().
			Comment("When it was accepted, declined or withdrawn."),
	}
}

// Edges implements ent.Schema.
func (AuthorshipInvitation) Edges() []ent.Edge {
	noWhere := entgql.Skip(entgql.SkipWhereInput) // filters must not reveal hidden rows
	return []ent.Edge{
		edge.From("practice", Practice.Type).Ref("authorship_invitations").Unique().Required().Immutable().
			Comment("Read through AuthorshipInvitation.practice, null where the viewer may not read the practice.").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)),
		edge.From("invitee", Member.Type).Ref("authorship_invitations").Unique().Required().Immutable().
			Annotations(noWhere),
		edge.To("inviter", Member.Type).Unique().Required().Immutable().
			Annotations(noWhere),
		edge.To("decided_by", Member.Type).Unique().
			Comment("Who accepted, declined or withdrew it.").
			Annotations(noWhere),
	}
}

// Indexes implements ent.Schema.
func (AuthorshipInvitation) Indexes() []ent.Index {
	return []ent.Index{
		// At most one open invitation per practice and member.
		index.Edges("practice", "invitee").Unique().
			Annotations(entsql.IndexWhere("status = 'PENDING'")),
	}
}

// Annotations implements ent.Schema.
func (AuthorshipInvitation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Hooks implements ent.Schema: the decision is stamped, and an acceptance makes the invitee
// an author (server/policy/authorship.go).
func (AuthorshipInvitation) Hooks() []ent.Hook { return []ent.Hook{policy.DecideInvitation} }

// Policy implements ent.Schema.
func (AuthorshipInvitation) Policy() ent.Policy { return policy.AuthorshipInvitation() }
