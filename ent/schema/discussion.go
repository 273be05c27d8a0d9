package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"zirkel/ent/schema/gid"
	"zirkel/server/integrity"
	"zirkel/server/policy"
)

// Discussion is a thread on a topic, in the open community or inside a circle.
type Discussion struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Discussion) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("dis", "discussions"), TimeMixin{}, HiddenMixin{}}
}

// Fields implements ent.Schema.
func (Discussion) Fields() []ent.Field {
	serverSet := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.String("title").NotEmpty().MaxLen(maxName).
			Annotations(entgql.OrderField("TITLE")),
		field.Enum("status").Values("OPEN", "LOCKED").Default("OPEN").
			Annotations(entgql.OrderField("STATUS")),
		field.String("lock_reason").Optional().Nillable().MaxLen(maxShort).
			Comment("Set when moderators lock the discussion (lockDiscussion); while set, only moderators change its status.").
			Annotations(serverSet),
		field.Bool("pinned").Default(false).
			Annotations(entgql.OrderField("PINNED")),
		field.Int("message_count").Default(0).NonNegative().
			Comment("Messages ever posted; the next message's position is this plus one.").
			Annotations(entgql.OrderField("MESSAGE_COUNT"), serverSet),
		field.Time("last_message_at").Optional().Nillable().
			Annotations(entgql.OrderField("LAST_MESSAGE_AT"), serverSet),
	}
}

// Edges implements ent.Schema.
func (Discussion) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("topics", Topic.Type).
			Annotations(entgql.RelayConnection()),
		edge.From("circle", Circle.Type).Ref("discussions").Unique().Immutable(),
		edge.To("author", Member.Type).Unique().Required().Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput)), // the viewer
		edge.To("messages", Message.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Annotations implements ent.Schema.
func (Discussion) Annotations() []schema.Annotation { return queryable() }

// Hooks implements ent.Schema: see server/integrity/discussion.go; hiding or locking settles
// the open reports of the discussion (server/policy/report.go).
func (Discussion) Hooks() []ent.Hook { return append(integrity.Discussion(), policy.SettleReports) }

// Policy implements ent.Schema.
func (Discussion) Policy() ent.Policy { return policy.Discussion() }

// Interceptors implements ent.Schema: reads of a closed circle's content by platform admins
// and moderators outside it are audited (policy.AuditClosedReads).
func (Discussion) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{policy.AuditClosedReads()}
}
