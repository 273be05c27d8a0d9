package schema

import (
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"zirkel/ent/schema/gid"
	"zirkel/server/integrity"
	"zirkel/server/policy"
)

// Organisation is an authority (district, city, municipality, state, federal body) or another
// organisation taking part: a vendor, a research institute, an association.
type Organisation struct{ ent.Schema }

// urlPattern accepts empty or http(s) URLs, nothing that a browser would run.
var urlPattern = regexp.MustCompile(`^$|^https?://[^\s]+$`)

// States are the 16 Länder by their ISO 3166-2 code, in the order of their AGS state number.
var States = integrity.States

// Mixin implements ent.Schema.
func (Organisation) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("org", "organisations"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Organisation) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(maxName).
			Annotations(entgql.OrderField("NAME")),
		field.Enum("kind").
			Values("LANDKREIS", "KREISFREIE_STADT", "GEMEINDE", "LAND", "BUND", "VENDOR", "RESEARCH", "ASSOCIATION", "OTHER").
			Annotations(entgql.OrderField("KIND")),
		field.String("ags").Optional().Nillable().Unique().
			Match(regexp.MustCompile(`^(0[1-9]|1[0-6])[0-9]{6}$`)).
			Comment("Amtlicher Gemeindeschlüssel: 8 digits, the first two the state (01-16).").
			Annotations(entgql.OrderField("AGS")),
		field.Enum("state").Values(States...).Optional().Nillable().
			Comment("Derived from ags where there is one.").
			Annotations(entgql.OrderField("STATE")),
		field.Int("population").Optional().Nillable().Min(0).Max(100_000_000).
			Annotations(entgql.OrderField("POPULATION")),
		field.String("website").Optional().MaxLen(maxURL).Match(urlPattern),
	}
}

// Edges implements ent.Schema.
func (Organisation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("children", Organisation.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			From("parent").Unique(),
		edge.To("members", Member.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("software_products", SoftwareProduct.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("software_usages", SoftwareUsage.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("measurements", Measurement.Type).
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("practices", Practice.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Annotations implements ent.Schema.
func (Organisation) Annotations() []schema.Annotation { return queryable() }

// Hooks implements ent.Schema: see server/integrity/organisation.go.
func (Organisation) Hooks() []ent.Hook { return integrity.Organisation() }

// Policy implements ent.Schema.
func (Organisation) Policy() ent.Policy { return policy.Organisation() }
