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

// SurveyResponse is one response. For anonymous surveys it holds no member and no time of its
// own: only the respondent key, an HMAC of survey and member (or organisation) under a
// server secret kept outside the database, which makes "one response each" and editing
// possible without letting anyone with the tables link an answer to a member.
type SurveyResponse struct{ ent.Schema }

// Mixin implements ent.Schema.
func (SurveyResponse) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("rsp", "survey_responses")}
}

// Fields implements ent.Schema.
func (SurveyResponse) Fields() []ent.Field {
	return []ent.Field{
		field.String("respondent_key").MaxLen(64).Immutable().Sensitive(),
		field.JSON("answers", map[string]any{}),
		field.Time("submitted_at").Comment("The survey's opening time for anonymous surveys."),
		field.JSON("published_answers", map[string]any{}).Optional().
			Comment("The answers as the results show them: copied from answers for all of an anonymous survey's responses each time their number reaches a multiple of anonymity.K (server/integrity/surveys.go), at once otherwise."),
	}
}

// Edges implements ent.Schema.
func (SurveyResponse) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("survey", Survey.Type).Ref("responses").Unique().Required().Immutable(),
		edge.To("member", Member.Type).Unique().Immutable().Comment("Only for surveys that are not anonymous."),
	}
}

// Indexes implements ent.Schema.
func (SurveyResponse) Indexes() []ent.Index {
	return []ent.Index{index.Edges("survey").Fields("respondent_key").Unique()}
}

// Annotations implements ent.Schema.
func (SurveyResponse) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Hooks implements ent.Schema: see server/integrity/surveyresponse.go.
func (SurveyResponse) Hooks() []ent.Hook { return integrity.SurveyResponse() }

// Policy implements ent.Schema.
func (SurveyResponse) Policy() ent.Policy { return policy.SurveyResponse() }
