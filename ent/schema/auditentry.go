package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// AuditEntry is one link of the audit log's hash chain: who did what to which object, when
// and why. It holds ids only (no names, bodies or other personal values), is written only by
// server/audit and never changed; entries older than the retention are purged from the start
// of the chain.
type AuditEntry struct{ ent.Schema }

// Mixin implements ent.Schema.
func (AuditEntry) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("aud", "audit_entries")}
}

// Fields implements ent.Schema.
func (AuditEntry) Fields() []ent.Field {
	id := func(name, comment string) ent.Field {
		return field.String(name).GoType(gid.ID("")).Optional().Nillable().Immutable().MaxLen(40).
			Comment(comment).Annotations(entgql.Type("ID"))
	}
	return []ent.Field{
		field.Int64("seq").Positive().Unique().Immutable().
			Comment("Position in the chain: 1 for the first entry ever written, one more for each next.").
			Annotations(entgql.OrderField("SEQ")),
		field.Time("at").Default(time.Now).Immutable().
			Comment("When it happened.").
			Annotations(entgql.OrderField("AT")),
		id("actor_id", "The member who did it; null for the system (background jobs, the directory)."),
		field.String("action").NotEmpty().MaxLen(100).Immutable().
			Comment(`What was done, e.g. "member.role", "circle.membership.add", "moderation.hide".`),
		field.String("target_type").NotEmpty().MaxLen(64).Immutable().
			Comment(`The type of the object acted on, as in the API ("Member", "Circle").`),
		id("target_id", "The object acted on."),
		id("subject_id", "The member the entry is about, where there is one (the member whose role changed, who was added to a circle, whose session ended)."),
		id("circle_id", "The circle concerned, where there is one."),
		id("organisation_id", "The organisation concerned: the target's (a member's, a practice's), else the actor's."),
		field.String("reason").Optional().MaxLen(maxShort).Immutable().
			Comment("The reason given, where one applies (moderation, revocation)."),
		field.String("prev_hash").MaxLen(64).Immutable().
			Comment("Hex SHA-256 of the previous entry (its hash); 64 zeros for the first entry ever written."),
		field.String("hash").MaxLen(64).Immutable().
			Comment("Hex SHA-256 over this entry's canonical content and prev_hash."),
	}
}

// Indexes implements ent.Schema.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("at"),
		index.Fields("actor_id"),
		index.Fields("target_id"),
		index.Fields("subject_id"),
	}
}

// Annotations implements ent.Schema.
func (AuditEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{
		// Queried through the hand-written auditEntries (schema.graphqls) with its own filter:
		// only admins read the log, everyone else is refused rather than shown an empty list.
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipWhereInput),
	}
}

// Policy implements ent.Schema.
func (AuditEntry) Policy() ent.Policy { return policy.AuditEntry() }

// Hooks implements ent.Schema: entries are appended, never changed.
func (AuditEntry) Hooks() []ent.Hook { return []ent.Hook{policy.AuditEntryAppendOnly} }
