package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// Session is a login. Only a hash of its token is stored, so a copy of the database does not
// let anyone log in.
type Session struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Session) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("ses", "sessions")}
}

// Fields implements ent.Schema.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").Unique().Immutable().Sensitive().MaxLen(64).
			Comment("Hex SHA-256 of the session token."),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("last_used_at").Default(time.Now),
		field.Time("expires_at").Immutable().Comment("Absolute expiry."),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("revoked_reason").Optional().MaxLen(100),
	}
}

// Edges implements ent.Schema.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("member", Member.Type).Ref("sessions").Unique().Required().Immutable(),
	}
}

// Indexes implements ent.Schema.
func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}

// Annotations implements ent.Schema.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll),
		ServerWritten{Why: "server/auth: one row per login, for the member just read, with a fresh random token"}}
}

// Policy implements ent.Schema: sessions are handled by the auth code only.
func (Session) Policy() ent.Policy { return policy.Session() }
