package graph_test

import (
	"strings"
	"testing"

	"zirkel/server/apitest"
)

func TestOrganisations(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		if !idPattern.MatchString(s.OrgID) || !strings.HasPrefix(s.OrgID, "org_") {
			t.Fatalf("id %q is not an opaque global id", s.OrgID)
		}

		t.Run("state is derived from the official key", func(t *testing.T) {
			var out struct {
				Node struct{ State, Ags string } `json:"node"`
			}
			env.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Organisation { state ags } } }`, // public
				map[string]any{"id": s.OrgID}, &out)
			if out.Node.State != "BY" || out.Node.Ags != "09162000" {
				t.Fatalf("got %+v", out.Node)
			}
		})

		bad := []struct {
			name, input, field string
		}{
			{"key too short", `{name: "X", kind: GEMEINDE, ags: "0916"}`, "ags"},
			{"key of no state", `{name: "X", kind: GEMEINDE, ags: "17000000"}`, "ags"},
			{"key taken", `{name: "X", kind: GEMEINDE, ags: "09162000"}`, "ags"},
			{"state contradicts key", `{name: "X", kind: GEMEINDE, ags: "05111000", state: BY}`, "state"},
			{"empty name", `{name: "", kind: OTHER}`, "name"},
			{"negative population", `{name: "X", kind: OTHER, population: -1}`, "population"},
			{"website not a URL", `{name: "X", kind: OTHER, website: "javascript:alert(1)"}`, "website"},
			{"parent missing", `{name: "X", kind: GEMEINDE, parentID: "org_00000000000000000000000000"}`, "parentID"},
			{"parent of another type", `{name: "X", kind: GEMEINDE, parentID: "` + s.MemberID + `"}`, "parentID"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				res := s.Admin.Post(t, `mutation { createOrganisation(input: `+c.input+`) { id } }`, nil)
				wantError(t, res, "BAD_USER_INPUT", c.field)
				if strings.Contains(strings.ToLower(res.Errors[0].Message), "sql") {
					t.Fatalf("error leaks SQL: %s", res.Errors[0].Message)
				}
			})
		}

		t.Run("update, parent and cycle", func(t *testing.T) {
			var out struct {
				C struct{ ID string } `json:"createOrganisation"`
			}
			s.Admin.MustPost(t, `mutation($p: ID!) { createOrganisation(input: {name: "Gemeinde Beispiel", kind: GEMEINDE, ags: "09162001", parentID: $p}) { id } }`,
				map[string]any{"p": s.OrgID}, &out)
			res := s.Admin.Post(t, `mutation($id: ID!, $p: ID!) { updateOrganisation(id: $id, input: {parentID: $p}) { id } }`,
				map[string]any{"id": s.OrgID, "p": out.C.ID})
			wantError(t, res, "BAD_USER_INPUT", "parentID")
			var upd struct {
				U struct {
					Population int
					Children   struct{ TotalCount int }
				} `json:"updateOrganisation"`
			}
			s.Admin.MustPost(t, `mutation($id: ID!) { updateOrganisation(id: $id, input: {population: 130000}) { population children(first: 10) { totalCount } } }`,
				map[string]any{"id": s.OrgID}, &upd)
			if upd.U.Population != 130000 || upd.U.Children.TotalCount != 1 {
				t.Fatalf("got %+v", upd.U)
			}
		})

		t.Run("update of a missing organisation", func(t *testing.T) {
			res := s.Admin.Post(t, `mutation { updateOrganisation(id: "org_00000000000000000000000000", input: {name: "Y"}) { id } }`, nil)
			wantError(t, res, "NOT_FOUND", "id")
		})
	})
}

func TestMembers(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		var out struct {
			Node struct {
				Email        string
				Organisation struct{ Name string }
				Expertise    struct {
					Edges []struct{ Node struct{ Slug string } }
				}
			} `json:"node"`
		}
		// Others read the e-mail address and the expertise only as Anna's privacy settings say.
		s.Anna.MustPost(t, `mutation { updatePrivacySettings(input: {emailVisibility: ALL_MEMBERS, findableAsExpert: true}) { emailVisibility } }`, nil, nil)
		s.Jonas.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Member { email organisation { name } expertise(first: 5) { edges { node { slug } } } } } }`,
			map[string]any{"id": s.MemberID}, &out)
		if out.Node.Email != "anna.becker@musterhausen.example" {
			t.Fatalf("e-mail not normalised: %q", out.Node.Email)
		}
		if out.Node.Organisation.Name != "Landkreis Musterhausen" || len(out.Node.Expertise.Edges) != 1 {
			t.Fatalf("got %+v", out.Node)
		}
		for name, email := range map[string]string{
			"invalid":             "not-an-address",
			"two at signs":        "a@b@c.de",
			"taken in other case": "ANNA.BECKER@musterhausen.example",
		} {
			t.Run(name, func(t *testing.T) {
				res := s.Admin.Post(t, `mutation($e: String!) { createMember(input: {displayName: "X", email: $e, communityRole: STAFF}) { id } }`,
					map[string]any{"e": email})
				wantError(t, res, "BAD_USER_INPUT", "email")
			})
		}
		t.Run("unknown enum value in a variable", func(t *testing.T) {
			res := s.Admin.Post(t, `mutation($r: MemberCommunityRole!) { createMember(input: {displayName: "X", email: "x@y.de", communityRole: $r}) { id } }`,
				map[string]any{"r": "KING"})
			if len(res.Errors) == 0 || res.Errors[0].Code() == "INTERNAL_SERVER_ERROR" {
				t.Fatalf("want a client error, got %+v", res.Errors)
			}
		})
	})
}

func TestTopicsTree(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
		var out struct {
			A struct{ ID string } `json:"a"`
		}
		admin.MustPost(t, `mutation { a: createTopic(input: {slug: "organisation", name: "Organisation"}) { id } }`, nil, &out)
		var child struct {
			B struct {
				ID     string
				Parent struct{ Slug string }
			} `json:"b"`
		}
		admin.MustPost(t, `mutation($p: ID!) { b: createTopic(input: {slug: "prozessmanagement", name: "Prozessmanagement", parentID: $p}) { id parent { slug } } }`,
			map[string]any{"p": out.A.ID}, &child)
		if child.B.Parent.Slug != "organisation" {
			t.Fatalf("got %+v", child.B)
		}
		res := admin.Post(t, `mutation($id: ID!, $p: ID!) { updateTopic(id: $id, input: {parentID: $p}) { id } }`,
			map[string]any{"id": out.A.ID, "p": child.B.ID})
		wantError(t, res, "BAD_USER_INPUT", "parentID")
		res = admin.Post(t, `mutation { createTopic(input: {slug: "Not A Slug", name: "X"}) { id } }`, nil)
		wantError(t, res, "BAD_USER_INPUT", "slug")
		res = admin.Post(t, `mutation { createTopic(input: {slug: "organisation", name: "X"}) { id } }`, nil)
		wantError(t, res, "BAD_USER_INPUT", "slug")
	})
}
