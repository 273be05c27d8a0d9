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

// Message is one post in a discussion. A deleted message keeps its place in the thread (its
// position and replies) but not its text.
type Message struct{ ent.Schema }

// MaxMessageLength is the longest message body, in characters.
const MaxMessageLength = 10000

// Mixin implements ent.Schema.
func (Message) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("msg", "messages"), TimeMixin{}, HiddenMixin{}}
}

// Fields implements ent.Schema.
func (Message) Fields() []ent.Field {
	serverSet := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.Text("body").MaxLen(MaxMessageLength).
			Comment("Markdown. Empty once the message is deleted."),
		field.Int("position").Positive().Immutable().
			Comment("1, 2, 3, ... in the order the discussion received them; the resume cursor of live clients.").
			Annotations(entgql.OrderField("POSITION"), serverSet),
		field.Time("edited_at").Optional().Nillable().Annotations(serverSet),
		field.Time("deleted_at").Optional().Nillable().Annotations(serverSet),
		field.JSON("reaction_counts", map[string]int{}).Optional().
			Comment("Reactions by kind; kept by the react mutation. Read through Message.reactions.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges implements ent.Schema.
func (Message) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("discussion", Discussion.Type).Ref("messages").Unique().Required().Immutable(),
		edge.To("author", Member.Type).Unique().Required().Immutable(),
		edge.To("replies", Message.Type).Annotations(entgql.RelayConnection()).
			From("parent").Unique().Immutable(),
		edge.To("reactions", Reaction.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes implements ent.Schema.
func (Message) Indexes() []ent.Index {
	return []ent.Index{index.Edges("discussion").Fields("position").Unique()}
}

// Annotations implements ent.Schema.
func (Message) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}

// Hooks implements ent.Schema: see server/integrity/message.go; hiding settles the open
// reports of the message (server/policy/report.go).
func (Message) Hooks() []ent.Hook { return append(integrity.Message(), policy.SettleReports) }

// Policy implements ent.Schema.
func (Message) Policy() ent.Policy { return policy.Message() }

// Interceptors implements ent.Schema: reads of a closed circle's content by platform admins
// and moderators outside it are audited (policy.AuditClosedReads).
func (Message) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{policy.AuditClosedReads()}
}
