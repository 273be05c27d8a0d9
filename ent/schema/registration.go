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

// Registration is a member's registration for an event. The waitlist is ordered by when a
// member (re-)registered.
type Registration struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Registration) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("reg", "registrations"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Registration) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("status").Values("REGISTERED", "WAITLISTED", "CANCELLED", "ATTENDED").
			Annotations(entgql.OrderField("STATUS")),
		field.Time("registered_at").Annotations(entgql.OrderField("REGISTERED_AT")),
	}
}

// Edges implements ent.Schema.
func (Registration) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("event", Event.Type).Ref("registrations").Unique().Required().Immutable(),
		edge.To("member", Member.Type).Unique().Required().Immutable(),
	}
}

// Indexes implements ent.Schema.
func (Registration) Indexes() []ent.Index {
	return []ent.Index{index.Edges("event", "member").Unique()}
}

// Annotations implements ent.Schema.
func (Registration) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Hooks implements ent.Schema: see server/integrity/registration.go.
func (Registration) Hooks() []ent.Hook { return integrity.Registration() }

// Policy implements ent.Schema.
func (Registration) Policy() ent.Policy { return policy.Registration() }
