package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// TimeMixin adds created_at and updated_at, set by the server and never by clients.
type TimeMixin struct{ mixin.Schema }

// Fields implements ent.Mixin.
func (TimeMixin) Fields() []ent.Field {
	skipInputs := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.Time("created_at").Default(time.Now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT"), skipInputs),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).
			Annotations(entgql.OrderField("UPDATED_AT"), skipInputs),
	}
}

// Limits on free text, in characters; every text field has one.
const (
	maxName  = 200
	maxShort = 2000
	maxLong  = 20000
	maxURL   = 500
)

// queryable returns the annotations of a type that is listed at the root of the API: a Relay
// connection with where filters, and generated create/update inputs.
func queryable() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// HiddenMixin adds what moderators set when they hide an item (a message, practice or
// discussion): when, and the reason its author reads. A hidden item is shown only to its
// author and to the moderators of its place (server/policy/moderation.go); restoring it clears
// both fields.
type HiddenMixin struct{ mixin.Schema }

// Fields implements ent.Mixin.
func (HiddenMixin) Fields() []ent.Field {
	serverSet := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.Time("hidden_at").Optional().Nillable().
			Comment("Set by hideContent, cleared by restoreContent.").
			Annotations(serverSet),
		field.String("hidden_reason").Optional().Nillable().MaxLen(maxShort).
			Comment("The moderator's reason, which the author reads.").
			Annotations(serverSet),
	}
}

// ServerWritten marks a type whose rows only server code writes, from ids it has just read and
// values it has just made (a session with a fresh random token): no client input names its
// fields, so the checks of server/integrity that exist to name the client's field (referenced
// rows exist, unique fields are free) are skipped for it, saving their statements. The
// database's constraints (foreign keys, unique indexes) still refuse what they refused.
type ServerWritten struct {
	Why string // who writes the rows, and from what
}

// Name implements schema.Annotation.
func (ServerWritten) Name() string { return "ServerWritten" }
