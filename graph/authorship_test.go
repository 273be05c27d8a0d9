package graph_test

import (
	"testing"

	"zirkel/ent/member"
	"zirkel/server/apitest"
)

// authorshipWorld has two organisations and an admin; rows add their own members and practices.
type authorshipWorld struct {
	env        *apitest.Env
	admin      *apitest.Session
	orgA, orgB string
}

func newAuthorshipWorld(t *testing.T, env *apitest.Env) *authorshipWorld {
	w := &authorshipWorld{env: env}
	w.admin = env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
	w.orgA = must[struct{ ID string }](t, w.admin, `mutation { r: createOrganisation(input: {name: "Landkreis A", kind: LANDKREIS}) { id } }`, nil).ID
	w.orgB = must[struct{ ID string }](t, w.admin, `mutation { r: createOrganisation(input: {name: "Landkreis B", kind: LANDKREIS}) { id } }`, nil).ID
	return w
}

func (w *authorshipWorld) memberOf(t *testing.T, org, name string) *apitest.Session {
	t.Helper()
	return w.env.NewMember(t, apitest.Spec{Name: name, OrganisationID: org})
}

// practiceOf creates a draft as the session, naming co-authors.
func (w *authorshipWorld) practiceOf(t *testing.T, as *apitest.Session, org string, coAuthors ...string) string {
	t.Helper()
	return must[struct{ ID string }](t, as, `mutation($o: ID!, $a: [ID!]) { r: createPractice(input: {title: "Gemeinsam",
		organisationID: $o, authorIDs: $a}) { id } }`, map[string]any{"o": org, "a": coAuthors}).ID
}

// invitationTo is the invitee's open invitation to a practice, from their viewer-level list.
func (w *authorshipWorld) invitationTo(t *testing.T, invitee *apitest.Session, practice string) string {
	t.Helper()
	out := must[struct {
		AuthorshipInvitations struct {
			Edges []struct {
				Node struct {
					ID, Status string
					Practice   *struct{ ID string }
				}
			}
		}
	}](t, invitee, `{ r: viewer { authorshipInvitations(first: 50) { edges { node { id status practice { id } } } } } }`, nil)
	for _, e := range out.AuthorshipInvitations.Edges {
		if e.Node.Status == "PENDING" {
			return e.Node.ID
		}
	}
	t.Fatalf("no open invitation for %s", invitee.MemberID)
	return ""
}

// authorsOf lists the display names of a practice's authors as the session sees them.
func authorsOf(t *testing.T, as *apitest.Session, practice string) []string {
	t.Helper()
	out := must[struct {
		Authors struct {
			Edges []struct{ Node struct{ DisplayName string } }
		}
	}](t, as, `query($id: ID!) { r: node(id: $id) { ... on Practice { authors(first: 10) { edges { node { displayName } } } } } }`,
		map[string]any{"id": practice})
	var names []string
	for _, e := range out.Authors.Edges {
		names = append(names, e.Node.DisplayName)
	}
	return names
}

const updateOrg = `mutation($id: ID!, $o: ID!) { updatePractice(id: $id, input: {organisationID: $o}) { id } }`

// TestPracticeSpeaksForAnAuthorsOrganisation: a practice's organisation is the organisation of
// one of its confirmed authors; admins are excepted.
func TestPracticeSpeaksForAnAuthorsOrganisation(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newAuthorshipWorld(t, env)
		create := `mutation($o: ID!, $a: [ID!]) { createPractice(input: {title: "Fremd", organisationID: $o, authorIDs: $a}) { id } }`
		t.Run("a member cannot write in another organisation's name", func(t *testing.T) {
			res := w.memberOf(t, w.orgA, "Anna").Post(t, create, map[string]any{"o": w.orgB})
			wantError(t, res, "BAD_USER_INPUT", "organisationID")
		})
		t.Run("naming a co-author of that organisation does not help before they accept", func(t *testing.T) {
			res := w.memberOf(t, w.orgA, "Anna").Post(t, create, map[string]any{"o": w.orgB, "a": []string{w.memberOf(t, w.orgB, "Bernd").MemberID}})
			wantError(t, res, "BAD_USER_INPUT", "organisationID")
		})
		t.Run("a member writes in their own organisation's name", func(t *testing.T) {
			w.practiceOf(t, w.memberOf(t, w.orgA, "Anna"), w.orgA)
		})
		t.Run("an admin writes in any organisation's name", func(t *testing.T) {
			w.practiceOf(t, w.admin, w.orgB)
		})
		t.Run("a practice cannot move to an organisation none of its authors belongs to", func(t *testing.T) {
			anna := w.memberOf(t, w.orgA, "Anna")
			p := w.practiceOf(t, anna, w.orgA)
			wantError(t, anna.Post(t, updateOrg, map[string]any{"id": p, "o": w.orgB}), "BAD_USER_INPUT", "organisationID")
		})
		t.Run("a practice moves to a co-author's organisation once they accepted", func(t *testing.T) {
			anna, bernd := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgB, "Bernd")
			p := w.practiceOf(t, anna, w.orgA, bernd.MemberID)
			wantError(t, anna.Post(t, updateOrg, map[string]any{"id": p, "o": w.orgB}), "BAD_USER_INPUT", "organisationID")
			bernd.MustPost(t, `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { id } }`, map[string]any{"id": w.invitationTo(t, bernd, p)}, nil)
			anna.MustPost(t, updateOrg, map[string]any{"id": p, "o": w.orgB}, nil)
		})
		t.Run("the last author of the organisation cannot be removed", func(t *testing.T) {
			anna, bernd := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgB, "Bernd")
			p := w.practiceOf(t, anna, w.orgA, bernd.MemberID)
			bernd.MustPost(t, `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { id } }`, map[string]any{"id": w.invitationTo(t, bernd, p)}, nil)
			res := bernd.Post(t, `mutation($id: ID!, $a: ID!) { updatePractice(id: $id, input: {removeAuthorIDs: [$a]}) { id } }`, map[string]any{"id": p, "a": anna.MemberID})
			wantError(t, res, "BAD_USER_INPUT", "removeAuthorIDs")
			res = bernd.Post(t, `mutation($id: ID!) { updatePractice(id: $id, input: {clearAuthors: true}) { id } }`, map[string]any{"id": p})
			wantError(t, res, "BAD_USER_INPUT", "clearAuthors")
			anna.MustPost(t, `mutation($id: ID!, $a: ID!) { updatePractice(id: $id, input: {removeAuthorIDs: [$a]}) { id } }`, map[string]any{"id": p, "a": bernd.MemberID}, nil)
		})
		t.Run("an author may leave while another of the organisation stays", func(t *testing.T) {
			anna, clara := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgA, "Clara")
			p := w.practiceOf(t, anna, w.orgA, clara.MemberID)
			clara.MustPost(t, `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { id } }`, map[string]any{"id": w.invitationTo(t, clara, p)}, nil)
			anna.MustPost(t, `mutation($id: ID!, $a: ID!) { updatePractice(id: $id, input: {removeAuthorIDs: [$a]}) { id } }`, map[string]any{"id": p, "a": anna.MemberID}, nil)
		})
		t.Run("an admin moves a published practice anywhere", func(t *testing.T) {
			anna := w.memberOf(t, w.orgA, "Anna")
			p := w.practiceOf(t, anna, w.orgA)
			anna.MustPost(t, `mutation($id: ID!) { updatePractice(id: $id, input: {summary: "S", problem: "P", approach: "A", outcome: "O"}) { id } }`, map[string]any{"id": p}, nil)
			anna.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, map[string]any{"id": p}, nil)
			w.admin.MustPost(t, updateOrg, map[string]any{"id": p, "o": w.orgB}, nil)
		})
	})
}

const (
	acceptInvitation   = `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { status decidedAt decidedBy { id } } }`
	declineInvitation  = `mutation($id: ID!) { declineAuthorshipInvitation(id: $id) { status decidedAt decidedBy { id } } }`
	withdrawInvitation = `mutation($id: ID!) { withdrawAuthorshipInvitation(id: $id) { status decidedAt decidedBy { id } } }`
)

// TestCoAuthorsConsent: naming a co-author invites them; the practice names them only once they
// accept, and only they accept or decline.
func TestCoAuthorsConsent(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newAuthorshipWorld(t, env)
		t.Run("a named co-author is invited, not an author", func(t *testing.T) {
			anna, jonas := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgA, "Jonas")
			p := w.practiceOf(t, anna, w.orgA, jonas.MemberID)
			if got := authorsOf(t, anna, p); len(got) != 1 || got[0] != "Anna" {
				t.Fatalf("authors before the answer: %v", got)
			}
			pending := must[struct {
				AuthorshipInvitations struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Status  string
							Invitee struct{ ID string }
							Inviter struct{ ID string }
						}
					}
				}
			}](t, anna, `query($id: ID!) { r: node(id: $id) { ... on Practice { authorshipInvitations(first: 10) { totalCount
				edges { node { status invitee { id } inviter { id } } } } } } }`, map[string]any{"id": p})
			if pending.AuthorshipInvitations.TotalCount != 1 || pending.AuthorshipInvitations.Edges[0].Node.Status != "PENDING" ||
				pending.AuthorshipInvitations.Edges[0].Node.Invitee.ID != jonas.MemberID || pending.AuthorshipInvitations.Edges[0].Node.Inviter.ID != anna.MemberID {
				t.Fatalf("the inviter sees %+v", pending)
			}
		})
		t.Run("vendors cannot be named co-authors", func(t *testing.T) {
			anna := w.memberOf(t, w.orgA, "Anna")
			vendor := w.env.NewMember(t, apitest.Spec{Name: "Vera Vendor", CommunityRole: member.CommunityRoleVENDOR, OrganisationID: w.orgB})
			create := `mutation($o: ID!, $a: [ID!]) { createPractice(input: {title: "Mit Anbieter", organisationID: $o, authorIDs: $a}) { id } }`
			wantError(t, anna.Post(t, create, map[string]any{"o": w.orgA, "a": []string{vendor.MemberID}}), "BAD_USER_INPUT", "authorIDs")
			p := w.practiceOf(t, anna, w.orgA)
			add := `mutation($id: ID!, $a: [ID!]) { updatePractice(id: $id, input: {addAuthorIDs: $a}) { id } }`
			wantError(t, anna.Post(t, add, map[string]any{"id": p, "a": []string{vendor.MemberID}}), "BAD_USER_INPUT", "addAuthorIDs")
			invited := must[struct{ AuthorshipInvitations struct{ TotalCount int } }](t, vendor,
				`{ r: viewer { authorshipInvitations(first: 10) { totalCount } } }`, nil)
			if invited.AuthorshipInvitations.TotalCount != 0 {
				t.Fatalf("the vendor holds %d invitations", invited.AuthorshipInvitations.TotalCount)
			}
		})
		t.Run("before accepting the invitee has no author's rights", func(t *testing.T) {
			anna, jonas := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgA, "Jonas")
			p := w.practiceOf(t, anna, w.orgA, jonas.MemberID)
			if got := nodeShown(jonas.Post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": p}).Data); got != "hidden" {
				t.Error("the invitee reads the draft before accepting")
			}
			res := jonas.Post(t, `mutation($id: ID!) { updatePractice(id: $id, input: {summary: "x"}) { id } }`, map[string]any{"id": p})
			wantError(t, res, "NOT_FOUND", "id")
			inv := must[struct {
				AuthorshipInvitations struct {
					Edges []struct {
						Node struct{ Practice *struct{ ID string } }
					}
				}
			}](t, jonas, `{ r: viewer { authorshipInvitations(first: 5) { edges { node { practice { id } } } } } }`, nil)
			if len(inv.AuthorshipInvitations.Edges) != 1 || inv.AuthorshipInvitations.Edges[0].Node.Practice != nil {
				t.Errorf("the invitee's invitation shows the draft: %+v", inv)
			}
		})
		t.Run("the invitee accepts and becomes an author", func(t *testing.T) {
			anna, jonas := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgA, "Jonas")
			p := w.practiceOf(t, anna, w.orgA, jonas.MemberID)
			var out struct {
				R struct {
					Status    string
					DecidedAt *string
					DecidedBy struct{ ID string }
				} `json:"acceptAuthorshipInvitation"`
			}
			jonas.MustPost(t, acceptInvitation, map[string]any{"id": w.invitationTo(t, jonas, p)}, &out)
			if out.R.Status != "ACCEPTED" || out.R.DecidedAt == nil || out.R.DecidedBy.ID != jonas.MemberID {
				t.Fatalf("got %+v", out.R)
			}
			if got := authorsOf(t, anna, p); len(got) != 2 {
				t.Fatalf("authors after accepting: %v", got)
			}
			jonas.MustPost(t, `mutation($id: ID!) { updatePractice(id: $id, input: {summary: "Jetzt mit Jonas"}) { id } }`, map[string]any{"id": p}, nil)
		})
		t.Run("the invitee declines and is not named", func(t *testing.T) {
			anna, jonas := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgA, "Jonas")
			p := w.practiceOf(t, anna, w.orgA, jonas.MemberID)
			id := w.invitationTo(t, jonas, p)
			var out struct {
				R struct{ Status string } `json:"declineAuthorshipInvitation"`
			}
			jonas.MustPost(t, declineInvitation, map[string]any{"id": id}, &out)
			if out.R.Status != "DECLINED" || len(authorsOf(t, anna, p)) != 1 {
				t.Fatalf("got %+v, authors %v", out.R, authorsOf(t, anna, p))
			}
			wantError(t, jonas.Post(t, acceptInvitation, map[string]any{"id": id}), "CONFLICT", "")
		})
		t.Run("nobody else accepts or declines for the invitee", func(t *testing.T) {
			anna, jonas, clara := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgA, "Jonas"), w.memberOf(t, w.orgA, "Clara")
			p := w.practiceOf(t, anna, w.orgA, jonas.MemberID)
			id := w.invitationTo(t, jonas, p)
			for _, q := range []string{acceptInvitation, declineInvitation} {
				wantError(t, anna.Post(t, q, map[string]any{"id": id}), "FORBIDDEN", "")
				wantError(t, clara.Post(t, q, map[string]any{"id": id}), "NOT_FOUND", "id")
				wantError(t, w.admin.Post(t, q, map[string]any{"id": id}), "NOT_FOUND", "id")
				wantError(t, env.Anonymous().Post(t, q, map[string]any{"id": id}), "NOT_FOUND", "id")
			}
		})
		t.Run("an author withdraws; the invitee can no longer accept", func(t *testing.T) {
			anna, jonas, clara := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgA, "Jonas"), w.memberOf(t, w.orgA, "Clara")
			p := w.practiceOf(t, anna, w.orgA, jonas.MemberID, clara.MemberID)
			jonas.MustPost(t, acceptInvitation, map[string]any{"id": w.invitationTo(t, jonas, p)}, nil)
			id := w.invitationTo(t, clara, p)
			wantError(t, clara.Post(t, withdrawInvitation, map[string]any{"id": id}), "FORBIDDEN", "")
			var out struct {
				R struct {
					Status    string
					DecidedBy struct{ ID string }
				} `json:"withdrawAuthorshipInvitation"`
			}
			jonas.MustPost(t, withdrawInvitation, map[string]any{"id": id}, &out) // a co-author, not the inviter
			if out.R.Status != "WITHDRAWN" || out.R.DecidedBy.ID != jonas.MemberID {
				t.Fatalf("got %+v", out.R)
			}
			wantError(t, clara.Post(t, acceptInvitation, map[string]any{"id": id}), "CONFLICT", "")
			if got := authorsOf(t, anna, p); len(got) != 2 {
				t.Fatalf("authors: %v", got)
			}
		})
		t.Run("co-authors named later are invited too, once", func(t *testing.T) {
			anna, jonas := w.memberOf(t, w.orgA, "Anna"), w.memberOf(t, w.orgA, "Jonas")
			p := w.practiceOf(t, anna, w.orgA)
			add := `mutation($id: ID!, $a: ID!) { updatePractice(id: $id, input: {addAuthorIDs: [$a]}) { authors(first: 5) { totalCount } } }`
			for range 2 {
				var out struct {
					UpdatePractice struct{ Authors struct{ TotalCount int } }
				}
				anna.MustPost(t, add, map[string]any{"id": p, "a": jonas.MemberID}, &out)
				if out.UpdatePractice.Authors.TotalCount != 1 {
					t.Fatalf("named later, the co-author is an author at once: %+v", out)
				}
			}
			n := must[struct{ AuthorshipInvitations struct{ TotalCount int } }](t, jonas,
				`{ r: viewer { authorshipInvitations(first: 5) { totalCount } } }`, nil).AuthorshipInvitations.TotalCount
			if n != 1 {
				t.Fatalf("%d invitations, want 1", n)
			}
		})
		t.Run("an admin's co-authors are invited as well", func(t *testing.T) {
			jonas := w.memberOf(t, w.orgA, "Jonas")
			p := w.practiceOf(t, w.admin, w.orgA, jonas.MemberID)
			if got := authorsOf(t, w.admin, p); len(got) != 1 {
				t.Fatalf("authors: %v", got)
			}
			w.invitationTo(t, jonas, p)
		})
	})
}
