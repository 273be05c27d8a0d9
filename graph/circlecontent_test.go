package graph_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"zirkel/ent/member"
	"zirkel/graph/generated"
	"zirkel/server/apitest"
)

// circleListExceptions are the circle-scoped types that the README shows to admins outside the
// circle: every circle's member list, and the requests to join it that admins decide on.
var circleListExceptions = map[string]string{
	"CircleMembership":  "admins see every circle's member list",
	"CircleJoinRequest": "admins decide requests to join any circle",
	"CircleBan":         "admins moderate everywhere: they see and lift bans of any circle",
}

// circleScopedTypes finds, in the API's schema, the object types whose objects belong to a
// circle: those with a circle field, and those that require an object of such a type (a
// message's discussion, a registration's event, a question's survey), however deep.
func circleScopedTypes() []string {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	isNode := func(d *ast.Definition) bool { return slices.Contains(d.Interfaces, "Node") && d.Name != "Circle" }
	scoped := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, d := range schema.Types {
			if !isNode(d) || scoped[name] {
				continue
			}
			for _, f := range d.Fields {
				if f.Type.Elem != nil {
					continue // lists do not make an object belong to a circle
				}
				if f.Type.NamedType == "Circle" && f.Name == "circle" || f.Type.NonNull && scoped[f.Type.NamedType] {
					scoped[name], changed = true, true
				}
			}
		}
	}
	list := slices.Collect(maps.Keys(scoped))
	slices.Sort(list)
	return list
}

// circleContent creates one object of each circle-scoped type inside a closed circle.
type circleContent struct {
	ids map[string]string
}

func newCircleContent(t *testing.T, env *apitest.Env, circle string, mod, mem *apitest.Session) circleContent {
	c := circleContent{ids: map[string]string{}}
	org := mod.OrgID(t)
	c.ids["Practice"] = must[struct{ ID string }](t, mod, `mutation($o: ID!, $c: ID!) { r: createPractice(input: {title: "Im Kreis",
		organisationID: $o, visibility: CIRCLE, circleID: $c, summary: "S", problem: "P", approach: "A", outcome: "O"}) { id } }`,
		map[string]any{"o": org, "c": circle}).ID
	must[struct{ ID string }](t, mod, `mutation($id: ID!) { r: publishPractice(id: $id) { id } }`, map[string]any{"id": c.ids["Practice"]})
	c.ids["Discussion"] = must[struct{ ID string }](t, mem, `mutation($c: ID!) { r: createDiscussion(input: {title: "Intern", circleID: $c}) { id } }`,
		map[string]any{"c": circle}).ID
	c.ids["Message"] = post(t, mem, c.ids["Discussion"], "Nur für den Kreis", nil).ID
	c.ids["Event"] = must[struct{ ID string }](t, mod, `mutation($c: ID!) { r: createEvent(input: {title: "Kreistreffen", kind: MEETUP,
		startsAt: "2030-03-01T10:00:00Z", endsAt: "2030-03-01T12:00:00Z", circleID: $c}) { id } }`, map[string]any{"c": circle}).ID
	c.ids["Registration"] = must[struct{ ID string }](t, mem, `mutation($e: ID!) { r: registerForEvent(eventID: $e) { id } }`,
		map[string]any{"e": c.ids["Event"]}).ID
	survey := must[struct {
		ID        string
		Questions []struct{ ID string }
	}](t, mod, `mutation($c: ID!) { r: createSurvey(input: {title: "Kreisumfrage", opensAt: "2026-01-01T00:00:00Z",
		closesAt: "2030-01-01T00:00:00Z", circleID: $c}, questions: [{kind: TEXT, text: "Wie geht es?"}]) { id questions { id } } }`,
		map[string]any{"c": circle})
	c.ids["Survey"], c.ids["SurveyQuestion"] = survey.ID, survey.Questions[0].ID
	c.ids["CircleMembership"] = must[struct {
		Memberships struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}](t, mod, `query($c: ID!) { r: node(id: $c) { ... on Circle { memberships(first: 1) { edges { node { id } } } } } }`,
		map[string]any{"c": circle}).Memberships.Edges[0].Node.ID
	outsider := env.NewMember(t, apitest.Spec{Name: "Draußen"})
	c.ids["CircleJoinRequest"] = must[struct{ ID string }](t, outsider, `mutation($c: ID!) { r: requestToJoinCircle(circleID: $c) { id } }`,
		map[string]any{"c": circle}).ID
	banned := env.NewMember(t, apitest.Spec{Name: "Gesperrt"})
	c.ids["CircleBan"] = must[struct{ ID string }](t, mod, `mutation($c: ID!, $m: ID!) { r: banFromCircle(circleID: $c, memberID: $m, reason: "Werbung") { id } }`,
		map[string]any{"c": circle, "m": banned.MemberID}).ID
	return c
}

// TestAdminsSeeCircleContentOnlyAsMembers: a closed circle's content (every type the schema
// ties to a circle) is for its members; an admin outside the circle sees none of it, only the
// member list and the requests to join. A new circle-scoped type fails this test until it has
// a row in newCircleContent.
func TestAdminsSeeCircleContentOnlyAsMembers(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
		org := must[struct{ ID string }](t, admin, `mutation { r: createOrganisation(input: {name: "Kreis", kind: LANDKREIS}) { id } }`, nil).ID
		mod := env.NewMember(t, apitest.Spec{Name: "Moderatorin", OrganisationID: org})
		mem := env.NewMember(t, apitest.Spec{Name: "Mitglied", OrganisationID: org})
		insideAdmin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
		circle := must[struct{ ID string }](t, admin, `mutation { r: createCircle(input: {name: "Geschlossen", slug: "geschlossen", visibility: CLOSED}) { id } }`, nil).ID
		add := `mutation($c: ID!, $m: ID!, $r: CircleMembershipRole) { r: addCircleMember(circleID: $c, memberID: $m, role: $r) { id } }`
		for _, m := range []struct {
			s    *apitest.Session
			role string
		}{{mod, "MODERATOR"}, {mem, "MEMBER"}, {insideAdmin, "MEMBER"}} {
			must[struct{ ID string }](t, admin, add, map[string]any{"c": circle, "m": m.s.MemberID, "r": m.role})
		}
		content := newCircleContent(t, env, circle, mod, mem)

		types := circleScopedTypes()
		for _, want := range []string{"Discussion", "Event", "Message", "Practice", "Survey"} {
			if !slices.Contains(types, want) {
				t.Fatalf("the schema walk missed %s: found %v", want, types)
			}
		}
		for _, typ := range types {
			t.Run(typ, func(t *testing.T) {
				id, ok := content.ids[typ]
				if !ok {
					t.Fatalf("%s belongs to circles: add how to create one in newCircleContent", typ)
				}
				shown := func(as *apitest.Session) bool {
					return nodeShown(as.Post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}).Data) == "shown"
				}
				_, excepted := circleListExceptions[typ]
				if got := shown(admin); got != excepted {
					t.Errorf("an admin outside the circle: shown %v, want %v", got, excepted)
				}
				if !shown(insideAdmin) {
					t.Error("an admin in the circle does not see it")
				}
				if !shown(mod) {
					t.Error("the circle's moderator does not see it")
				}
			})
		}
	})
}
