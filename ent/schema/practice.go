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

// Practice is a good-practice record (Erfolgsbeispiel), structured so that another authority
// can repeat it: problem, approach, outcome, what went wrong, effort, maturity, who to ask.
type Practice struct{ ent.Schema }

// Mixin implements ent.Schema.
func (Practice) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("prc", "practices"), TimeMixin{}, HiddenMixin{}}
}

// Fields implements ent.Schema.
func (Practice) Fields() []ent.Field {
	serverSet := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.String("title").NotEmpty().MaxLen(maxName).
			Annotations(entgql.OrderField("TITLE")),
		field.String("summary").Optional().MaxLen(maxShort),
		field.Text("problem").Optional().MaxLen(maxLong),
		field.Text("approach").Optional().MaxLen(maxLong),
		field.Text("outcome").Optional().MaxLen(maxLong),
		field.Text("lessons_learned").Optional().MaxLen(maxLong).
			Comment("What went wrong as well as what went right."),
		field.Enum("maturity").Values("IDEA", "PILOT", "ROLLOUT", "ESTABLISHED").Default("IDEA").
			Annotations(entgql.OrderField("MATURITY")),
		field.Enum("status").Values("DRAFT", "PUBLISHED", "ARCHIVED").Default("DRAFT").
			Comment("Changed only by publishPractice and archivePractice.").
			Annotations(entgql.OrderField("STATUS"), serverSet),
		field.Time("published_at").Optional().Nillable().
			Annotations(entgql.OrderField("PUBLISHED_AT"), serverSet),
		field.Int("effort_person_days").Optional().Nillable().Min(0).Max(100_000).
			Comment("Effort in person-days, as far as the authors know it."),
		field.Int("duration_weeks").Optional().Nillable().Min(0).Max(1_000),
		field.Text("transferability").Optional().MaxLen(maxLong).
			Comment("What another authority needs to repeat it."),
		field.Strings("software_used").Optional().
			Comment("Names of the software used; linked to the software catalogue later."),
		field.Enum("visibility").Values("PUBLIC", "MEMBERS", "CIRCLE").Default("MEMBERS").
			Annotations(entgql.OrderField("VISIBILITY")),
	}
}

// Edges implements ent.Schema.
func (Practice) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organisation", Organisation.Type).Ref("practices").Unique().Required(),
		edge.To("authors", Member.Type).
			Comment("The confirmed authors. Naming others invites them (authorship_invitations); they become authors when they accept.").
			Annotations(entgql.RelayConnection()),
		edge.To("authorship_invitations", AuthorshipInvitation.Type).
			Comment("Invitations to co-author it: the invitee sees theirs, the authors all.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("topics", Topic.Type).
			Annotations(entgql.RelayConnection()),
		edge.From("circle", Circle.Type).Ref("practices").Unique(),
		edge.To("software", SoftwareProduct.Type).Annotations(entgql.RelayConnection()),
		edge.To("measurements_before", Measurement.Type).
			Comment("Measurements of the organisation before the practice. Linked only through linkPracticeMeasurements, which checks the organisation.").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("measurements_after", Measurement.Type).
			Comment("Measurements after it: the benchmark offers practices of peers that did better. Linked only through linkPracticeMeasurements, which checks the organisation.").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes implements ent.Schema.
func (Practice) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "visibility")}
}

// Annotations implements ent.Schema.
func (Practice) Annotations() []schema.Annotation { return queryable() }

// Hooks implements ent.Schema: a CIRCLE practice names its circle
// (server/integrity/practice.go); named co-authors are invited rather than added, and the
// organisation must be one of an author's (server/policy/authorship.go); hiding settles the
// open reports of the practice (server/policy/report.go).
func (Practice) Hooks() []ent.Hook {
	return append(integrity.Practice(), policy.InviteCoAuthors, policy.OrganisationOfAnAuthor, policy.SettleReports)
}

// Policy implements ent.Schema.
func (Practice) Policy() ent.Policy { return policy.Practice() }

// Interceptors implements ent.Schema: reads of a closed circle's content by platform admins
// and moderators outside it are audited (policy.AuditClosedReads).
func (Practice) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{policy.AuditClosedReads()}
}
