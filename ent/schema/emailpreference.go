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
	"zirkel/ent/schema/mailkind"
	"zirkel/server/policy"
)

// EmailPreference is how a member wants e-mails of one kind delivered. A kind without a row
// has its default (mailkind.Default).
type EmailPreference struct{ ent.Schema }

// Mixin implements ent.Schema.
func (EmailPreference) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("epr", "email_preferences"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (EmailPreference) Fields() []ent.Field {
	return []ent.Field{
		field.String("member_id").GoType(gid.ID("")).Immutable().MaxLen(40),
		field.Enum("kind").Values(mailkind.Kinds...).Immutable(),
		field.Enum("delivery").Values(mailkind.Deliveries...),
	}
}

// Edges implements ent.Schema.
func (EmailPreference) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("member", Member.Type).Field("member_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes implements ent.Schema.
func (EmailPreference) Indexes() []ent.Index {
	return []ent.Index{index.Fields("member_id", "kind").Unique()}
}

// Annotations implements ent.Schema.
func (EmailPreference) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy implements ent.Schema: a member reads and sets their own preferences (see
// policy.EmailPreference); the unsubscribe link sets one to OFF without login.
func (EmailPreference) Policy() ent.Policy { return policy.EmailPreference() }
