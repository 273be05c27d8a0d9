package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"zirkel/ent/schema/gid"
	"zirkel/server/integrity"
	"zirkel/server/policy"
)

// SurveyQuestion is one question of a survey.
type SurveyQuestion struct{ ent.Schema }

// Mixin implements ent.Schema.
func (SurveyQuestion) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("qst", "survey_questions")}
}

// Fields implements ent.Schema.
func (SurveyQuestion) Fields() []ent.Field {
	return []ent.Field{
		field.Int("position").NonNegative(),
		field.Enum("kind").Values("SINGLE_CHOICE", "MULTI_CHOICE", "SCALE", "NUMBER", "TEXT"),
		field.String("text").NotEmpty().MaxLen(maxShort),
		field.Strings("options").Optional().Comment("The choices of SINGLE_CHOICE and MULTI_CHOICE."),
		field.Bool("required").Default(false),
	}
}

// Edges implements ent.Schema.
func (SurveyQuestion) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("survey", Survey.Type).Ref("questions").Unique().Required().Immutable(),
	}
}

// Annotations implements ent.Schema.
func (SurveyQuestion) Annotations() []schema.Annotation { return nil }

// Hooks implements ent.Schema: see server/integrity/surveyquestion.go.
func (SurveyQuestion) Hooks() []ent.Hook { return integrity.SurveyQuestion() }

// Policy implements ent.Schema.
func (SurveyQuestion) Policy() ent.Policy { return policy.SurveyPart() }
