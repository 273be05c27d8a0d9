package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// LoginThrottle counts failed logins for one account or one client address, so that every
// replica slows down guessing alike. The key is a hash: the table names neither accounts nor
// addresses.
type LoginThrottle struct{ ent.Schema }

// Mixin implements ent.Schema.
func (LoginThrottle) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("thr", "login_throttles")}
}

// Fields implements ent.Schema.
func (LoginThrottle) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").Unique().Immutable().MaxLen(64).Comment("Hex SHA-256 of the scope and the account or address."),
		field.Int("failures").Default(0).NonNegative(),
		field.Time("last_failure_at"),
	}
}

// Indexes implements ent.Schema.
func (LoginThrottle) Indexes() []ent.Index {
	return []ent.Index{index.Fields("last_failure_at")} // old failures are deleted by time
}

// Annotations implements ent.Schema.
func (LoginThrottle) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy implements ent.Schema: only the login code (System) counts failures.
func (LoginThrottle) Policy() ent.Policy { return policy.Session() }
