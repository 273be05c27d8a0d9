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

// Event is a workshop, brown-bag talk, meetup, conference or online session, with
// registrations. Times are instants; calendars show them in Europe/Berlin.
type Event struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Event) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("evt", "events"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Event) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().MaxLen(maxName).Annotations(entgql.OrderField("TITLE")),
		field.Text("description").Optional().MaxLen(maxLong),
		field.Enum("kind").Values("WORKSHOP", "BROWN_BAG", "MEETUP", "CONFERENCE", "ONLINE_SESSION").
			Annotations(entgql.OrderField("KIND")),
		field.Time("starts_at").Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at").Annotations(entgql.OrderField("ENDS_AT")),
		field.String("place").Optional().MaxLen(maxShort).Comment("Where it happens, for events on site."),
		field.String("online_url").Optional().MaxLen(maxURL).Match(urlPattern).
			Comment("Shown only to registered members and organisers (Event.onlineURL).").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Int("capacity").Optional().Nillable().Positive().Max(100_000).
			Comment("Places; nil for unlimited. Further registrations go on the waitlist."),
		field.Time("registration_deadline").Optional().Nillable(),
		field.Time("cancelled_at").Optional().Nillable().
			Comment("When the organisers cancelled the event (cancelEvent); nobody registers for it after.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("registered_count").Default(0).NonNegative().
			Comment("Registered and attended; kept by registerForEvent and cancelRegistration.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("waitlist_count").Default(0).NonNegative().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges implements ent.Schema.
func (Event) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("circle", Circle.Type).Ref("events").Unique().Immutable(),
		edge.To("organisers", Member.Type).Annotations(entgql.RelayConnection()),
		edge.To("registrations", Registration.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Annotations implements ent.Schema.
func (Event) Annotations() []schema.Annotation { return queryable() }

// Hooks implements ent.Schema: see server/integrity/event.go.
func (Event) Hooks() []ent.Hook { return integrity.Event() }

// Policy implements ent.Schema.
func (Event) Policy() ent.Policy { return policy.Event() }

// Interceptors implements ent.Schema: reads of a closed circle's content by platform admins
// and moderators outside it are audited (policy.AuditClosedReads).
func (Event) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{policy.AuditClosedReads()}
}
