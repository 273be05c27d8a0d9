package policy

import (
	"context"
	"slices"
	"time"

	"zirkel/ent"
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
	{ // e-mail addresses: members, not vendors ("no sales show")
		Name: member.FieldEmail,
		Rows: func(v *viewer.Viewer) predicate.Member {
			if v == nil || v.IsVendor() {
				return none[predicate.Member]()
			}
			return nil
		},
		May: func(v *viewer.Viewer, _ *ent.Member) bool { return v != nil && !v.IsVendor() },
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

// LoginDay is a login time as Zirkel keeps and shows it: the day (UTC), so that nobody learns
// when exactly a member was online.
func LoginDay(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// Member: see MemberRows and memberFields. Admins create and change members; members change
// their own profile (bio, job title, expertise) and the language of their e-mails.
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
					if !slices.Contains([]string{member.FieldBio, member.FieldJobTitle, member.FieldLanguage, member.FieldUpdatedAt}, f) {
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
