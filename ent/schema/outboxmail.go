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

// OutboxMail is an e-mail to a member, written in the same transaction as what it tells about,
// so that a crash loses none. It keeps what to say (entries), not the rendered text: it is
// rendered in the member's language when sent. Senders on every replica claim due mails with a
// lease in the database (lease_owner, lease_until), so that each is sent once.
type OutboxMail struct{ ent.Schema }

// Mixin implements ent.Schema.
func (OutboxMail) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("obm", "outbox_mails"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (OutboxMail) Fields() []ent.Field {
	return []ent.Field{
		field.String("member_id").GoType(gid.ID("")).Immutable().MaxLen(40),
		field.Enum("kind").Values(append([]string{mailkind.Digest}, mailkind.Kinds...)...).Immutable(),
		field.Enum("status").Values("PENDING", "DIGEST_PENDING", "DIGESTED", "SENT", "FAILED", "CANCELLED").
			Comment("PENDING: to send; DIGEST_PENDING: waits for the member's digest of its period; DIGESTED: went into a digest; CANCELLED: the member turned the kind off or left."),
		field.Enum("period").Values("DAILY", "WEEKLY").Optional().Nillable().Immutable().
			Comment("The digest period of a DIGEST_PENDING item or of a digest."),
		field.JSON("entries", []mailkind.Entry{}).
			Comment("What the mail says: one entry, or a digest's items. Personal data: deleted with the member."),
		field.Int("attempts").Default(0).NonNegative(),
		field.Time("next_attempt_at"),
		field.String("lease_owner").Optional().Nillable().MaxLen(80),
		field.Time("lease_until").Optional().Nillable(),
		field.Time("sent_at").Optional().Nillable(),
		field.String("last_error").Optional().MaxLen(200).
			Comment("Why the last attempt failed: SMTP codes and a category, never addresses or text."),
	}
}

// Edges implements ent.Schema.
func (OutboxMail) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("member", Member.Type).Field("member_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes implements ent.Schema.
func (OutboxMail) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("status", "next_attempt_at"),
		index.Fields("member_id", "status"),
	}
}

// Annotations implements ent.Schema.
func (OutboxMail) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy implements ent.Schema: only the mail code (System) touches the outbox.
func (OutboxMail) Policy() ent.Policy { return policy.Session() }
