package graph_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/server/apitest"
)

// TestMemberFieldReads: lastLoginAt only for the member and admins, to the day; e-mail
// addresses not for vendors. Lists, node, mutations and live events alike; filters on them
// match only where they may be read.
func TestMemberFieldReads(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{Name: "Ada", PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
		anna := env.NewMember(t, apitest.Spec{Name: "Anna", Email: "anna@kreis.example"})
		vendor := env.NewMember(t, apitest.Spec{Name: "Vera", CommunityRole: member.CommunityRoleVENDOR})
		today := time.Now().UTC().Truncate(24 * time.Hour).Format(time.RFC3339)
		// Anna shows her address to all members (the default is nobody: TestEmailVisibilitySetting).
		anna.MustPost(t, `mutation { updatePrivacySettings(input: {emailVisibility: ALL_MEMBERS}) { emailVisibility } }`, nil, nil)

		type seen struct {
			LastLoginAt *string
			Email       *string
		}
		read := func(t *testing.T, as *apitest.Session, id string) seen {
			var out struct{ Node seen }
			as.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Member { lastLoginAt email } } }`, map[string]any{"id": id}, &out)
			var list struct {
				Members struct {
					Edges []struct {
						Node struct {
							ID string
							seen
						}
					}
				}
			}
			as.MustPost(t, `{ members(first: 50) { edges { node { id lastLoginAt email } } } }`, nil, &list)
			for _, e := range list.Members.Edges {
				if e.Node.ID == id && (fmtPtr(e.Node.LastLoginAt) != fmtPtr(out.Node.LastLoginAt) || fmtPtr(e.Node.Email) != fmtPtr(out.Node.Email)) {
					t.Fatalf("list and node disagree: %+v, %+v", e.Node.seen, out.Node)
				}
			}
			return out.Node
		}
		for _, tc := range []struct {
			name           string
			as             *apitest.Session
			lastLogin, eml bool
		}{
			{"the member reads their own last login", anna, true, true},
			{"an admin reads it", admin, true, true},
			{"another member does not", env.NewMember(t, apitest.Spec{Name: "Jonas"}), false, true},
			{"a vendor reads neither last login nor e-mail", vendor, false, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := read(t, tc.as, anna.MemberID)
				switch {
				case tc.lastLogin && fmtPtr(got.LastLoginAt) != today:
					t.Fatalf("lastLoginAt %s, want the day %s", fmtPtr(got.LastLoginAt), today)
				case !tc.lastLogin && got.LastLoginAt != nil:
					t.Fatalf("lastLoginAt %s, want null", *got.LastLoginAt)
				case tc.eml != (got.Email != nil):
					t.Fatalf("email %s, want shown: %v", fmtPtr(got.Email), tc.eml)
				}
				var filtered struct{ Members struct{ TotalCount int } }
				tc.as.MustPost(t, `query($id: ID!) { members(first: 1, where: {id: $id, lastLoginAtNotNil: true}) { totalCount } }`,
					map[string]any{"id": anna.MemberID}, &filtered)
				if want := map[bool]int{true: 1, false: 0}[tc.lastLogin]; filtered.Members.TotalCount != want {
					t.Fatalf("a filter on lastLoginAt finds %d, want %d", filtered.Members.TotalCount, want)
				}
			})
		}

		t.Run("a mutation's answer obeys the rules too", func(t *testing.T) {
			var out struct{ UpdateMember seen }
			vendor.MustPost(t, `mutation($id: ID!) { updateMember(id: $id, input: {bio: "Neu"}) { lastLoginAt email } }`,
				map[string]any{"id": vendor.MemberID}, &out)
			// Everyone reads their own address (DSGVO Art. 15), vendors too; another's only
			// as the read rule says (the live event below).
			if out.UpdateMember.Email == nil || fmtPtr(out.UpdateMember.LastLoginAt) != today {
				t.Fatalf("vendor's own profile: %+v", out.UpdateMember)
			}
		})

		t.Run("a live event shows another's last login to nobody but admins", func(t *testing.T) {
			var d struct{ R struct{ ID string } }
			anna.MustPost(t, `mutation { r: createDiscussion(input: {title: "Live"}) { id } }`, nil, &d)
			// Live events are loaded once for every subscriber, beyond any viewer's rights.
			q := `subscription($d: ID!) { messageAdded(discussionID: $d) { message { body author { lastLoginAt email } } } }`
			vendorWS, adminWS := vendor.DialWS(t, apitest.TransportWS), admin.DialWS(t, apitest.TransportWS)
			for _, ws := range []*apitest.WS{vendorWS, adminWS} {
				if err := ws.Subscribe("1", q, map[string]any{"d": d.R.ID}); err != nil {
					t.Fatal(err)
				}
			}
			for deadline := time.Now().Add(10 * time.Second); env.App.Live.Subscriptions() < 2; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the subscriptions did not start")
				}
			}
			post(t, anna, d.R.ID, "Hallo", nil)
			author := func(raw json.RawMessage) seen {
				var ev struct {
					Data struct {
						MessageAdded struct{ Message struct{ Author seen } }
					}
				}
				if err := json.Unmarshal(raw, &ev); err != nil {
					t.Fatalf("%s: %v", raw, err)
				}
				return ev.Data.MessageAdded.Message.Author
			}
			if got := author(vendorWS.Next("1")); got.LastLoginAt != nil || got.Email != nil {
				t.Fatalf("the vendor sees %+v", got)
			}
			if got := author(adminWS.Next("1")); fmtPtr(got.LastLoginAt) != today || got.Email == nil {
				t.Fatalf("the admin sees %+v", got)
			}
		})
	})
}

func fmtPtr(s *string) string {
	if s == nil {
		return "<null>"
	}
	return strings.TrimSpace(*s)
}

// TestHasFalseFindsRowsWithout: `hasX: false` finds the rows without an X the viewer can
// see: for a visitor, who sees no members, every organisation is one without members.
func TestHasFalseFindsRowsWithout(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{Name: "Ada", PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
		var out struct {
			O, Empty, Parent struct{ ID string }
		}
		admin.MustPost(t, `mutation {
			o: createOrganisation(input: {name: "Mit Mitgliedern", kind: LANDKREIS}) { id }
			empty: createOrganisation(input: {name: "Ohne Mitglieder", kind: GEMEINDE}) { id }
			parent: createTopic(input: {slug: "eltern", name: "Eltern"}) { id }
		}`, nil, &out)
		var child struct{ R struct{ ID string } }
		admin.MustPost(t, `mutation($p: ID!) { r: createTopic(input: {slug: "kind", name: "Kind", parentID: $p}) { id } }`, map[string]any{"p": out.Parent.ID}, &child)
		env.NewMember(t, apitest.Spec{Name: "Mit Organisation", OrganisationID: out.O.ID})
		anna := env.NewMember(t, apitest.Spec{Name: "Ohne Organisation"})
		ids := func(as *apitest.Session, query string) string {
			var res map[string]struct {
				Edges []struct{ Node struct{ ID string } }
			}
			as.MustPost(t, query, nil, &res)
			var got []string
			for _, page := range res {
				for _, e := range page.Edges {
					got = append(got, e.Node.ID)
				}
			}
			return strings.Join(got, ",")
		}
		for _, tc := range []struct {
			name, query string
			as          *apitest.Session
			want        []string
		}{
			{"topics without children", `{ topics(first: 10, where: {hasChildren: false}) { edges { node { id } } } }`, anna, []string{child.R.ID}},
			{"organisations without members, as a member", `{ organisations(first: 10, where: {hasMembers: false}, orderBy: {field: NAME}) { edges { node { id } } } }`, anna, []string{out.Empty.ID}},
			{"organisations without members they can see, as a visitor", `{ organisations(first: 10, where: {hasMembers: false}, orderBy: {field: NAME}) { edges { node { id } } } }`, env.Anonymous(), []string{out.O.ID, out.Empty.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := ids(tc.as, tc.query); got != strings.Join(tc.want, ",") {
					t.Fatalf("got %s, want %s", got, strings.Join(tc.want, ","))
				}
			})
		}
	})
}
