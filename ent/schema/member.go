package schema

import (
	"regexp"

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

// Member is a person in the community.
type Member struct{ ent.Schema }

// emailPattern accepts what a directory or mail server accepts in practice, refusing spaces,
// missing parts and more than one @.
var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

// Mixin implements ent.Schema.
func (Member) Mixin() []ent.Mixin {
	return []ent.Mixin{gid.NewMixin("mem", "members"), TimeMixin{}}
}

// Fields implements ent.Schema.
func (Member) Fields() []ent.Field {
	serverOnly := entgql.Skip(entgql.SkipAll)
	return []ent.Field{
		field.String("display_name").NotEmpty().MaxLen(maxName).
			Annotations(entgql.OrderField("DISPLAY_NAME")),
		field.String("email").Unique().MaxLen(254).Match(emailPattern).
			Comment("Stored in lower case. Read through the hand-written Member.email; only members other than vendors read it (policy.memberFields); not filterable.").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Enum("community_role").
			Values("CDO", "CIO", "DIGITAL_PILOT", "STAFF", "VENDOR", "RESEARCHER").
			Annotations(entgql.OrderField("COMMUNITY_ROLE")),
		field.String("job_title").Optional().MaxLen(maxName),
		field.String("bio").Optional().MaxLen(maxShort),
		field.Enum("status").Values("ACTIVE", "DEACTIVATED", "DELETED").Default("ACTIVE").
			Comment("DELETED: the account was erased (server/privacy); the row stays as the former member that their content is attributed to.").
			Annotations(entgql.OrderField("STATUS")),
		field.Enum("platform_role").Values("MEMBER", "MODERATOR", "ADMIN").Default("MEMBER").
			Comment("What the member may do on the platform; set from the directory or by an admin.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("directory_id").Optional().Nillable().MaxLen(64).
			Comment("The configured directory the member logs in with; nil for local accounts.").
			Annotations(serverOnly),
		field.String("directory_entry_id").Optional().Nillable().MaxLen(256).
			Comment("The directory's stable id of the entry (entryUUID, objectGUID).").
			Annotations(serverOnly),
		field.String("password_hash").Optional().Nillable().Sensitive().MaxLen(200).
			Comment("argon2id hash of a local account's password (PHC string); nil for directory accounts.").
			Annotations(serverOnly),
		field.String("invitation_hash").Optional().Nillable().Unique().Sensitive().MaxLen(64).
			Comment("Hex SHA-256 of an open invitation's token.").
			Annotations(serverOnly),
		field.Time("invitation_expires_at").Optional().Nillable().Annotations(serverOnly),
		field.String("calendar_token_hash").Optional().Nillable().Unique().Sensitive().MaxLen(64).
			Comment("Hex SHA-256 of the token in the member's personal calendar feed URL.").
			Annotations(serverOnly),
		// Privacy settings (issue 11): protective defaults; changed only with updatePrivacySettings,
		// read through Member.privacySettings (the member and admins).
		field.Enum("email_visibility").Values("NOBODY", "MY_CIRCLES", "ALL_MEMBERS").Default("NOBODY").
			Comment("Who reads the e-mail address besides the member and admins (policy.memberFields); vendors never do.").
			Annotations(serverOnly),
		field.Bool("findable_as_expert").Default(false).
			Comment("Others find the member's competency ratings (those also marked findable) only when true (policy.CompetencyRatingRows).").
			Annotations(serverOnly),
		field.Bool("contact_about_practices").Default(false).
			Comment("The member agrees to be contacted about the practices they wrote (Member.contactAboutPractices).").
			Annotations(serverOnly),
		field.Enum("language").Values("DE", "EN").Default("DE").
			Comment("The language of the member's e-mails; read and set through emailSettings.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("last_login_at").Optional().Nillable().
			Comment("The day (UTC) of the last login; only the member and admins read it (policy.memberFields).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// Deletion (DSGVO Art. 17, server/privacy): when the account is erased, why, and what
		// becomes of what the member wrote. Set while the grace period runs; cleared by an undo
		// and by the erasure.
		field.Time("deletion_due_at").Optional().Nillable().
			Comment("When the account is erased (end of the grace period); nil when no deletion is pending.").
			Annotations(serverOnly),
		field.Enum("deletion_cause").Values("REQUESTED", "DIRECTORY_REMOVED").Optional().Nillable().
			Comment("REQUESTED: the member asked for it (they may undo it); DIRECTORY_REMOVED: their directory no longer knows them (undone when it does again).").
			Annotations(serverOnly),
		field.Enum("deletion_content").Values("KEEP_AS_FORMER_MEMBER", "DELETE").Optional().Nillable().
			Comment("What becomes of the member's messages, practices, reactions and survey answers.").
			Annotations(serverOnly),
	}
}

// Edges implements ent.Schema.
func (Member) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organisation", Organisation.Type).Ref("members").Unique(),
		edge.To("expertise", Topic.Type).
			Comment("Members set it with updateMember; others read it only while the member is findable as an expert (policy.ExpertVisible), through the hand-written Member.expertise and Topic.experts; not filterable.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)),
		edge.From("practices", Practice.Type).Ref("authors").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("circle_memberships", CircleMembership.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("authorship_invitations", AuthorshipInvitation.Type).
			Comment("Invitations to co-author practices that the member received.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("join_requests", CircleJoinRequest.Type).
			Comment("The member's requests to join closed circles, with their decisions.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("sessions", Session.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("organised_events", Event.Type).Ref("organisers").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes implements ent.Schema.
func (Member) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("directory_id", "directory_entry_id").Unique(),
	}
}

// Annotations implements ent.Schema.
func (Member) Annotations() []schema.Annotation { return queryable() }

// Hooks implements ent.Schema: see server/integrity/member.go.
func (Member) Hooks() []ent.Hook { return integrity.Member() }

// Policy implements ent.Schema.
func (Member) Policy() ent.Policy { return policy.Member() }

// Interceptors implements ent.Schema: fields the viewer may not read (policy.memberFields) are
// blanked in what queries return.
func (Member) Interceptors() []ent.Interceptor { return []ent.Interceptor{policy.ReadFields()} }
