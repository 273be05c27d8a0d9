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
	"zirkel/server/integrity"
	"zirkel/server/policy"
)

// Report is a member's report of a message, practice or discussion to the moderators of its
// place (the circle's moderators; platform moderators outside circles), and their decision.
type Report struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Report) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("rep", "reports"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Report) Fields() []ent.Field {
	serverSet := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.Enum("reason").
			Values("SPAM", "SALES_PITCH", "OFFENSIVE", "PERSONAL_DATA", "MISINFORMATION", "OTHER").
			Comment("SALES_PITCH only for items of vendors (policy.Report).").
			Immutable().Annotations(entgql.OrderField("REASON")),
		field.String("note").Optional().MaxLen(maxShort).Immutable().
			Comment("The reporter's words; only the reporter and the moderators read reports."),
		field.Enum("status").Values("OPEN", "ACTION_TAKEN", "DISMISSED").Default("OPEN").
			Comment("Decided by a moderator: ACTION_TAKEN when the item was hidden or locked, DISMISSED otherwise.").
			Annotations(entgql.OrderField("STATUS"), serverSet),
		field.String("resolution_note").Optional().MaxLen(maxShort).
			Comment("What the moderator says about the decision; the reporter reads it.").
			Annotations(serverSet),
		field.Time("decided_at").Optional().Nillable().
			Annotations(entgql.OrderField("DECIDED_AT"), serverSet),
	}
}

// Edges implements ent.Schema. Exactly one of message, practice and discussion is set
// (server/integrity/report.go).
func (Report) Edges() []ent.Edge {
	noInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Edge{
		edge.To("reporter", Member.Type).Unique().Required().Immutable().Annotations(noInput),
		edge.To("decided_by", Member.Type).Unique().Annotations(noInput),
		edge.To("message", Message.Type).Unique().Immutable().Annotations(noInput),
		edge.To("practice", Practice.Type).Unique().Immutable().Annotations(noInput),
		edge.To("discussion", Discussion.Type).Unique().Immutable().Annotations(noInput),
	}
}

// Indexes implements ent.Schema: one open report per reporter and item (the check in
// server/integrity/report.go names the field; these catch concurrent reports).
func (Report) Indexes() []ent.Index {
	open := entsql.IndexWhere("status = 'OPEN'")
	return []ent.Index{
		index.Edges("reporter", "message").Unique().Annotations(open),
		index.Edges("reporter", "practice").Unique().Annotations(open),
		index.Edges("reporter", "discussion").Unique().Annotations(open),
		index.Fields("status"),
	}
}

// Annotations implements ent.Schema.
func (Report) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Hooks implements ent.Schema: deciding a report records who decided and when
// (server/policy/report.go).
func (Report) Hooks() []ent.Hook { return append(integrity.Report(), policy.RecordDecision) }

// Policy implements ent.Schema.
func (Report) Policy() ent.Policy { return policy.Report() }
