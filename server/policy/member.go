package policy

import (
	"context"
	"slices"
	"time"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circlemembership"
	"zirkel/ent/member"
	"zirkel/ent/predicate"
	"zirkel/ent/privacy"
	"zirkel/server/viewer"
)

// MemberRows matches the members the viewer may see: members see each other, anonymous
// visitors see nobody.
func MemberRows(v *viewer.Viewer) predicate.Member {
	if v == nil {
		return none[predicate.Member]()
	}
	return nil
}

// memberFields are the fields of a member that not every viewer who sees the member may read.
var memberFields = []Field[ent.Member, predicate.Member]{
	{ // e-mail addresses: the member and admins; others as the member's privacy setting says
		// (nobody, their circles, all members); vendors and anonymous visitors never.
		Name: member.FieldEmail,
		Rows: EmailReadable,
		May:  mayReadEmail,
	},
	{ // when someone was last online: the member and admins, to the day
		Name: member.FieldLastLoginAt,
		Rows: func(v *viewer.Viewer) predicate.Member {
			switch {
			case v.IsAdmin():
				return nil
			case v == nil:
				return none[predicate.Member]()
			}
			return member.ID(v.MemberID)
		},
		May: func(v *viewer.Viewer, m *ent.Member) bool { return v.IsAdmin() || v != nil && m.ID == v.MemberID },
		Show: func(value any) any {
			if t, ok := value.(*time.Time); ok && t != nil {
				day := LoginDay(*t)
				return &day
			}
			return value
		},
	},
}

// EmailReadable matches the members whose e-mail address the viewer may read (see
// memberFields); the same as mayReadEmail, in SQL.
func EmailReadable(v *viewer.Viewer) predicate.Member {
	switch {
	case v == nil:
		return none[predicate.Member]()
	case v.IsAdmin():
		return nil
	case v.IsVendor():
		return member.ID(v.MemberID)
	}
	return member.Or(member.ID(v.MemberID),
		member.EmailVisibilityEQ(member.EmailVisibilityALL_MEMBERS),
		member.And(member.EmailVisibilityEQ(member.EmailVisibilityMY_CIRCLES),
			member.HasCircleMembershipsWith(circlemembership.HasCircleWith(circle.IDIn(v.CircleIDs()...)))))
}

// mayReadEmail is EmailReadable in memory. A member read without their settings (the field
// not loaded) counts as NOBODY.
func mayReadEmail(v *viewer.Viewer, m *ent.Member) bool {
	switch {
	case v == nil:
		return false
	case v.IsAdmin() || m.ID == v.MemberID:
		return true
	case v.IsVendor():
		return false
	}
	switch m.EmailVisibility {
	case member.EmailVisibilityALL_MEMBERS:
		return true
	case member.EmailVisibilityMY_CIRCLES:
		return v.SharesCircleWith(m.ID)
	}
	return false
}

// MayReadPrivacySettings tells whether the viewer reads a member's privacy settings: the
// member and admins.
func MayReadPrivacySettings(v *viewer.Viewer, m *ent.Member) bool {
	return v.IsAdmin() || v != nil && m.ID == v.MemberID
}

// privacyFields are the member's privacy settings, which the member changes (besides admins).
var privacyFields = []string{member.FieldEmailVisibility, member.FieldFindableAsExpert, member.FieldContactAboutPractices}

// LoginDay is a login time as Zirkel keeps and shows it: the day (UTC), so that nobody learns
// when exactly a member was online.
func LoginDay(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// ownMemberFields are the fields members set on their own row: their profile, and the
// scheduling of their own deletion (server/privacy; erasing it at once is for admins).
var ownMemberFields = []string{
	member.FieldBio, member.FieldJobTitle, member.FieldUpdatedAt,
	member.FieldDeletionDueAt, member.FieldDeletionCause, member.FieldDeletionContent,
}

// Member: see MemberRows and memberFields. Admins create and change members; members change
// their own profile (bio, job title, expertise), the language of their e-mails and schedule
// their own deletion.
func Member() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{queryRows[*ent.MemberQuery](MemberRows)},
		Mutation: privacy.MutationPolicy{denyAnonymous, allowAdmins,
			privacy.MemberMutationRuleFunc(func(ctx context.Context, m *ent.MemberMutation) error {
				id, ok := m.ID()
				if !ok || id != viewerOf(ctx).MemberID || !m.Op().Is(ent.OpUpdateOne) {
					return privacy.Denyf("only admins manage members")
				}
				for _, f := range m.Fields() {
					if !slices.Contains(ownMemberFields, f) && !slices.Contains(privacyFields, f) && f != member.FieldLanguage {
						return privacy.Denyf("%s is managed by admins or the directory", f)
					}
				}
				for _, e := range append(m.AddedEdges(), m.ClearedEdges()...) {
					if e != member.EdgeExpertise {
						return privacy.Denyf("%s is managed by admins or the directory", e)
					}
				}
				for _, e := range m.RemovedEdges() {
					if e != member.EdgeExpertise {
						return privacy.Denyf("%s is managed by admins or the directory", e)
					}
				}
				return privacy.Allow
			}),
		},
	}
}
