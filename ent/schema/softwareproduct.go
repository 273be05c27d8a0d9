package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
)

// SoftwareProduct is a product of the software landscape ("who uses which tool for what").
type SoftwareProduct struct{ ent.Schema }

// Mixin implements ent.Schema.
func (SoftwareProduct) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("swp", "software_products"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (SoftwareProduct) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(maxName).Annotations(entgql.OrderField("NAME")),
		field.String("category").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("CATEGORY")),
		field.Bool("open_source").Default(false),
		field.Bool("efa").Default(false).Comment("Offered for reuse by other authorities (Einer für Alle)."),
		field.String("website").Optional().MaxLen(maxURL).Match(urlPattern),
	}
}

// Edges implements ent.Schema.
func (SoftwareProduct) Edges() []ent.Edge {
	noInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Edge{
		edge.From("vendor", Organisation.Type).Ref("software_products").Unique(),
		edge.To("usages", SoftwareUsage.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.From("practices", Practice.Type).Ref("software").
			Annotations(entgql.RelayConnection(), noInput),
	}
}

// Annotations implements ent.Schema.
func (SoftwareProduct) Annotations() []schema.Annotation { return queryable() }

// Policy implements ent.Schema.
func (SoftwareProduct) Policy() ent.Policy { return policy.SoftwareProduct() }
