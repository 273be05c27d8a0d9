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

// NotificationKinds are the kinds of notification, shared with the e-mail preferences.
var NotificationKinds = []string{
	"REPLY", "MENTION", "PRACTICE", "DISCUSSION", "COAUTHOR_REQUEST", "JOIN_DECISION", "WAITLIST",
	"EVENT_CHANGE", "EVENT_REMINDER", "SURVEY", "MODERATION",
}

// Notification tells a member that something concerns them (server/notify writes them from
// the event pipeline). Unread ones of the same kind about the same subject are one
// notification with a count ("20 replies in …"): the group key is unique while unread.
type Notification struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Notification) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("ntf", "notifications")}
}

// Fields implements ent.Schema.
func (Notification) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values(NotificationKinds...).Immutable(),
		field.String("subject_type").Immutable().MaxLen(64).
			Comment("The ent type of what it is about (Discussion, Practice, Event, …)."),
		field.String("subject_id").GoType(gid.ID("")).Immutable().MaxLen(64).
			Comment("What it is about; the notification is shown only while the member may read it."),
		field.String("group_key").Immutable().MaxLen(200).Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("recipient, kind and subject: unread notifications with the same key are one."),
		field.Int("count").Default(1).Positive().
			Comment("How many times it happened while unread."),
		field.Time("first_at").Immutable(),
		field.Time("last_at").Annotations(entgql.OrderField("LAST_AT")),
		field.Time("read_at").Optional().Nillable(),
	}
}

// Edges implements ent.Schema.
func (Notification) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("recipient", Member.Type).Unique().Required().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("actor", Member.Type).Unique().
			Comment("Who caused it last (null for the system)."),
	}
}

// Indexes implements ent.Schema.
func (Notification) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("group_key").Unique().Annotations(entsql.IndexWhere("read_at IS NULL")),
		index.Edges("recipient").Fields("last_at"),
		index.Fields("subject_id"),
	}
}

// Annotations implements ent.Schema.
func (Notification) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)}
}

// Policy implements ent.Schema.

// Policy implements ent.Schema.
func (Notification) Policy() ent.Policy { return policy.Notification() }
