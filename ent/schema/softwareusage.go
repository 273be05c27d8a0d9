package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// SoftwareUsage says that an organisation uses a product for a topic or task, how satisfied
// it is, and whom to ask.
type SoftwareUsage struct{ ent.Schema }

// Mixin implements ent.Schema.
func (SoftwareUsage) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("swu", "software_usages"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (SoftwareUsage) Fields() []ent.Field {
	return []ent.Field{
		field.String("task").Optional().MaxLen(maxName).Comment("What it is used for, in words."),
		field.Time("since").Optional().Nillable(),
		field.Int("satisfaction").Optional().Nillable().Range(1, 5).Annotations(entgql.OrderField("SATISFACTION")),
		field.Bool("would_recommend").Optional().Nillable(),
		field.String("notes").Optional().MaxLen(maxShort),
	}
}

// Edges implements ent.Schema.
func (SoftwareUsage) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("product", SoftwareProduct.Type).Ref("usages").Unique().Required().Immutable(),
		edge.From("organisation", Organisation.Type).Ref("software_usages").Unique().Required().Immutable(),
		edge.To("topic", Topic.Type).Unique(),
		edge.To("contact", Member.Type).Unique().
			Comment("A member who agreed to be asked: only members set themselves as contact.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes implements ent.Schema.
func (SoftwareUsage) Indexes() []ent.Index {
	return []ent.Index{index.Edges("organisation", "product", "topic").Unique()}
}

// Annotations implements ent.Schema.
func (SoftwareUsage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate())}
}

// Policy implements ent.Schema.
func (SoftwareUsage) Policy() ent.Policy { return policy.SoftwareUsage() }
