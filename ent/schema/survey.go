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

// Survey is a questionnaire (Abfrage) for the whole community or one circle.
type Survey struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Survey) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("srv", "surveys"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Survey) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().MaxLen(maxName).Annotations(entgql.OrderField("TITLE")),
		field.Text("introduction").Optional().MaxLen(maxLong),
		field.Time("opens_at").Annotations(entgql.OrderField("OPENS_AT")),
		field.Time("closes_at").Annotations(entgql.OrderField("CLOSES_AT")),
		field.Bool("anonymous").Default(true).Immutable().
			Comment("Responses keep no link to a member; fixed once created."),
		field.Enum("response_scope").Values("MEMBER", "ORGANISATION").Default("MEMBER").Immutable().
			Comment("One response per member, or per organisation."),
		field.Int("response_count").Default(0).NonNegative().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("published_count").Default(0).NonNegative().
			Comment("How many responses the published results cover (see SurveyResponse.published_answers).").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges implements ent.Schema.
func (Survey) Edges() []ent.Edge {
	noInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)
	return []ent.Edge{
		edge.From("circle", Circle.Type).Ref("surveys").Unique().Immutable(),
		edge.To("owner", Member.Type).Unique().Required().Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput)),
		edge.To("questions", SurveyQuestion.Type).Annotations(noInput, entgql.Skip(entgql.SkipType)), // Survey.questions, ordered
		edge.To("responses", SurveyResponse.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Annotations implements ent.Schema.
func (Survey) Annotations() []schema.Annotation { return queryable() }

// Hooks implements ent.Schema: see server/integrity/survey.go.
func (Survey) Hooks() []ent.Hook { return integrity.Survey() }

// Policy implements ent.Schema.
func (Survey) Policy() ent.Policy { return policy.Survey() }

// Interceptors implements ent.Schema: reads of a closed circle's content by platform admins
// and moderators outside it are audited (policy.AuditClosedReads).
func (Survey) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{policy.AuditClosedReads()}
}
