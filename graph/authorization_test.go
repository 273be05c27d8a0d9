package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"zirkel/ent/member"
	"zirkel/server/apitest"
)

// The roles of the authorization table.
var roles = []string{"anonymous", "member", "vendor", "circleMember", "circleModerator", "author", "moderator", "admin"}

// protectedWorld is a community with a closed and an open circle, practices of every
// visibility and state, and discussions inside and outside the closed circle.
type protectedWorld struct {
	as                                 map[string]*apitest.Session
	closed, open, org                  string
	pPublic, pMembers, pCircle, pDraft string
	dOpen, dClosed, msgOpen, msgClosed string
	emailOf, target                    string
	invitation, eventClosed            string
}

func newProtectedWorld(t *testing.T, env *apitest.Env) *protectedWorld {
	w := &protectedWorld{as: map[string]*apitest.Session{"anonymous": env.Anonymous()}}
	admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
	w.as["admin"] = admin
	w.org = must[struct{ ID string }](t, admin, `mutation { r: createOrganisation(input: {name: "Kreis", kind: LANDKREIS}) { id } }`, nil).ID
	specs := map[string]apitest.Spec{
		"member": {}, "circleMember": {}, "circleModerator": {}, "author": {},
		"vendor":    {CommunityRole: member.CommunityRoleVENDOR},
		"moderator": {PlatformRole: member.PlatformRoleMODERATOR},
	}
	for role, spec := range specs {
		spec.Name, spec.OrganisationID = role, w.org
		w.as[role] = env.NewMember(t, spec)
	}
	w.emailOf = w.as["author"].MemberID
	// The author shows their address to all members (the default is nobody: TestEmailVisibilitySetting).
	w.as["author"].MustPost(t, `mutation { updatePrivacySettings(input: {emailVisibility: ALL_MEMBERS}) { emailVisibility } }`, nil, nil)
	target := env.NewMember(t, apitest.Spec{Name: "Ziel", OrganisationID: w.org})
	w.target = target.MemberID
	w.closed = must[struct{ ID string }](t, admin, `mutation { r: createCircle(input: {name: "Geschlossen", slug: "geschlossen", visibility: CLOSED}) { id } }`, nil).ID
	w.open = must[struct{ ID string }](t, admin, `mutation { r: createCircle(input: {name: "Offen", slug: "offen", visibility: OPEN}) { id } }`, nil).ID
	add := `mutation($c: ID!, $m: ID!, $r: CircleMembershipRole) { r: addCircleMember(circleID: $c, memberID: $m, role: $r) { id } }`
	must[struct{ ID string }](t, admin, add, map[string]any{"c": w.closed, "m": w.as["circleMember"].MemberID, "r": "MEMBER"})
	must[struct{ ID string }](t, admin, add, map[string]any{"c": w.closed, "m": w.as["circleModerator"].MemberID, "r": "MODERATOR"})
	// Sessions carry the circles of their login: log the circle members in again.
	w.as["circleMember"] = env.Login(t, "local", email(t, admin, w.as["circleMember"].MemberID), apitest.Password)
	w.as["circleModerator"] = env.Login(t, "local", email(t, admin, w.as["circleModerator"].MemberID), apitest.Password)

	practice := func(as *apitest.Session, title, visibility string, circle any, publish bool) string {
		id := must[struct{ ID string }](t, as, `mutation($o: ID!, $t: String!, $v: PracticeVisibility, $c: ID) { r: createPractice(input: {
			title: $t, organisationID: $o, visibility: $v, circleID: $c, summary: "S", problem: "P", approach: "A", outcome: "O"}) { id } }`,
			map[string]any{"o": w.org, "t": title, "v": visibility, "c": circle}).ID
		if publish {
			must[struct{ ID string }](t, as, `mutation($id: ID!) { r: publishPractice(id: $id) { id } }`, map[string]any{"id": id})
		}
		return id
	}
	w.pPublic = practice(w.as["author"], "Öffentlich", "PUBLIC", nil, true)
	w.pMembers = practice(w.as["author"], "Für Mitglieder", "MEMBERS", nil, true)
	w.pDraft = practice(w.as["author"], "Entwurf", "MEMBERS", nil, false)
	w.pCircle = practice(w.as["circleModerator"], "Im Zirkel", "CIRCLE", w.closed, true)
	w.invitation = must[struct {
		AuthorshipInvitations struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}](t, w.as["author"], `mutation($id: ID!, $a: ID!) { r: updatePractice(id: $id, input: {addAuthorIDs: [$a]}) {
		authorshipInvitations(first: 1) { edges { node { id } } } } }`, map[string]any{"id": w.pDraft, "a": w.target}).AuthorshipInvitations.Edges[0].Node.ID
	must[struct{ ID string }](t, target, `mutation($c: ID!) { r: requestToJoinCircle(circleID: $c) { id } }`, map[string]any{"c": w.closed})
	w.eventClosed = must[struct{ ID string }](t, w.as["circleModerator"], `mutation($c: ID!) { r: createEvent(input: {title: "Kreistreffen",
		kind: MEETUP, startsAt: "2030-03-01T10:00:00Z", endsAt: "2030-03-01T12:00:00Z", circleID: $c}) { id } }`, map[string]any{"c": w.closed}).ID

	discussion := func(as *apitest.Session, circle any) (string, string) {
		d := must[struct{ ID string }](t, as, `mutation($c: ID) { r: createDiscussion(input: {title: "Frage", circleID: $c}) { id } }`, map[string]any{"c": circle}).ID
		m := post(t, as, d, "Erster Beitrag", nil)
		return d, m.ID
	}
	w.dOpen, w.msgOpen = discussion(w.as["author"], nil)
	w.dClosed, w.msgClosed = discussion(w.as["circleMember"], w.closed)
	return w
}

// must runs a mutation or query whose single root field is aliased r.
func must[T any](t *testing.T, as *apitest.Session, q string, vars map[string]any) T {
	t.Helper()
	var out struct{ R T }
	as.MustPost(t, q, vars, &out)
	return out.R
}

func email(t *testing.T, admin *apitest.Session, id string) string {
	t.Helper()
	return must[struct{ Email string }](t, admin, `query($id: ID!) { r: node(id: $id) { ... on Member { email } } }`, map[string]any{"id": id}).Email
}

// operation is one row of the table: a request and how its result reads.
type operation struct {
	name  string
	query string
	vars  func(w *protectedWorld, role string) map[string]any
	// read turns a successful answer into an outcome; nil means "ok".
	read  func(data json.RawMessage) string
	want  map[string]string // outcome by role; roles not listed get other
	other string
}

// outcome is "ok", a read's outcome, or the error code.
func (op operation) outcome(res apitest.Response) string {
	if len(res.Errors) > 0 {
		return res.Errors[0].Code()
	}
	if op.read == nil {
		return "ok"
	}
	return op.read(res.Data)
}

func nodeShown(data json.RawMessage) string {
	if strings.Contains(string(data), `"node":null`) {
		return "hidden"
	}
	return "shown"
}

func countOf(data json.RawMessage) string {
	var v struct {
		Node struct {
			Memberships, JoinRequests struct{ TotalCount int }
		}
		Practices struct{ TotalCount int }
	}
	_ = json.Unmarshal(data, &v)
	return fmt.Sprint(v.Node.Memberships.TotalCount + v.Node.JoinRequests.TotalCount + v.Practices.TotalCount)
}

func byID(field func(w *protectedWorld) string) func(w *protectedWorld, role string) map[string]any {
	return func(w *protectedWorld, _ string) map[string]any { return map[string]any{"id": field(w)} }
}

func nodeRead(name string, id func(w *protectedWorld) string, shownTo ...string) operation {
	want := map[string]string{}
	for _, r := range shownTo {
		want[r] = "shown"
	}
	return operation{name: name, query: `query($id: ID!) { node(id: $id) { id } }`, vars: byID(id), read: nodeShown, want: want, other: "hidden"}
}

var loggedIn = []string{"member", "vendor", "circleMember", "circleModerator", "author", "moderator", "admin"}

func except(all []string, drop ...string) []string {
	var out []string
	for _, r := range all {
		if !strings.Contains(" "+strings.Join(drop, " ")+" ", " "+r+" ") {
			out = append(out, r)
		}
	}
	return out
}

func outcomes(o string, rs ...string) map[string]string {
	m := map[string]string{}
	for _, r := range rs {
		m[r] = o
	}
	return m
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func authorizationTable() []operation {
	anon := outcomes("UNAUTHENTICATED", "anonymous")
	return []operation{
		nodeRead("read a public practice", func(w *protectedWorld) string { return w.pPublic }, roles...),
		nodeRead("read a members' practice", func(w *protectedWorld) string { return w.pMembers }, loggedIn...),
		nodeRead("read a closed circle's practice", func(w *protectedWorld) string { return w.pCircle }, "circleMember", "circleModerator"),
		nodeRead("read a draft", func(w *protectedWorld) string { return w.pDraft }, "author"),
		nodeRead("read an open discussion", func(w *protectedWorld) string { return w.dOpen }, loggedIn...),
		nodeRead("read a closed circle's discussion", func(w *protectedWorld) string { return w.dClosed }, "circleMember", "circleModerator"),
		nodeRead("read a closed circle's message", func(w *protectedWorld) string { return w.msgClosed }, "circleMember", "circleModerator"),
		nodeRead("read a closed circle's event", func(w *protectedWorld) string { return w.eventClosed }, "circleMember", "circleModerator"),
		{name: "list a closed circle's join requests", query: `query($id: ID!) { node(id: $id) { ... on Circle { joinRequests(first: 10) { totalCount } } } }`,
			vars: byID(func(w *protectedWorld) string { return w.closed }), read: countOf, want: outcomes("1", "circleModerator", "admin"), other: "0"},
		{name: "accept someone's co-author invitation", query: `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { id } }`,
			vars: byID(func(w *protectedWorld) string { return w.invitation }), want: outcomes("FORBIDDEN", "author"), other: "NOT_FOUND"},
		nodeRead("read a member", func(w *protectedWorld) string { return w.emailOf }, loggedIn...),
		nodeRead("read an organisation", func(w *protectedWorld) string { return w.org }, roles...),
		{name: "see a member's e-mail", query: `query($id: ID!) { node(id: $id) { ... on Member { email } } }`, vars: byID(func(w *protectedWorld) string { return w.emailOf }),
			read: func(d json.RawMessage) string {
				if strings.Contains(string(d), "@") {
					return "shown"
				}
				return "hidden"
			}, want: outcomes("shown", except(loggedIn, "vendor")...), other: "hidden"},
		{name: "list a closed circle's members", query: `query($id: ID!) { node(id: $id) { ... on Circle { memberships(first: 10) { totalCount } } } }`,
			vars: byID(func(w *protectedWorld) string { return w.closed }), read: countOf, want: outcomes("2", "circleMember", "circleModerator", "admin"), other: "0"},
		{name: "filter practices by a closed circle", query: `{ practices(first: 10, where: {hasCircleWith: {slug: "geschlossen"}}) { totalCount } }`,
			vars: func(*protectedWorld, string) map[string]any { return nil }, read: countOf, want: outcomes("1", "circleMember", "circleModerator"), other: "0"},
		{name: "create a topic", query: `mutation($s: String!) { createTopic(input: {slug: $s, name: "T"}) { id } }`,
			vars: func(_ *protectedWorld, r string) map[string]any {
				return map[string]any{"s": "t-" + strings.ToLower(r)}
			},
			want: merge(anon, outcomes("ok", "admin")), other: "FORBIDDEN"},
		{name: "create an organisation", query: `mutation { createOrganisation(input: {name: "Neu", kind: OTHER}) { id } }`,
			vars: func(*protectedWorld, string) map[string]any { return nil }, want: merge(anon, outcomes("ok", "admin")), other: "FORBIDDEN"},
		{name: "edit a draft", query: `mutation($id: ID!) { updatePractice(id: $id, input: {summary: "neu"}) { id } }`,
			vars: byID(func(w *protectedWorld) string { return w.pDraft }), want: outcomes("ok", "author"), other: "NOT_FOUND"},
		{name: "edit a published practice", query: `mutation($id: ID!) { updatePractice(id: $id, input: {summary: "neu"}) { id } }`,
			vars: byID(func(w *protectedWorld) string { return w.pMembers }), want: merge(outcomes("NOT_FOUND", "anonymous"), outcomes("ok", "author", "admin")), other: "FORBIDDEN"},
		{name: "write a practice", query: `mutation($o: ID!) { createPractice(input: {title: "Neu", organisationID: $o}) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"o": w.org} },
			want: merge(anon, outcomes("FORBIDDEN", "vendor")), other: "ok"},
		{name: "put a practice into a closed circle", query: `mutation($o: ID!, $c: ID!) { createPractice(input: {title: "Neu", organisationID: $o, circleID: $c}) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"o": w.org, "c": w.closed} },
			// Writing in a circle needs membership, admins included (they moderate, not write).
			want: merge(anon, outcomes("ok", "circleMember", "circleModerator")), other: "FORBIDDEN"},
		{name: "start a discussion", query: `mutation { createDiscussion(input: {title: "Neu"}) { id } }`,
			vars: func(*protectedWorld, string) map[string]any { return nil }, want: merge(anon, outcomes("FORBIDDEN", "vendor")), other: "ok"},
		{name: "start a discussion in a closed circle", query: `mutation($c: ID!) { createDiscussion(input: {title: "Neu", circleID: $c}) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"c": w.closed} },
			// Writing in a circle needs membership, admins included (they moderate, not write).
			want: merge(anon, outcomes("ok", "circleMember", "circleModerator")), other: "FORBIDDEN"},
		{name: "post in an open discussion", query: `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "Hallo"}) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"d": w.dOpen} },
			want: outcomes("NOT_FOUND", "anonymous"), other: "ok"},
		{name: "post in a closed circle's discussion", query: `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "Hallo"}) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"d": w.dClosed} },
			want: outcomes("ok", "circleMember", "circleModerator"), other: "NOT_FOUND"},
		{name: "edit someone's message", query: `mutation($id: ID!) { editMessage(id: $id, body: "geändert") { id } }`,
			vars: byID(func(w *protectedWorld) string { return w.msgOpen }), want: merge(outcomes("NOT_FOUND", "anonymous"), outcomes("ok", "author")), other: "FORBIDDEN"},
		{name: "pin a discussion", query: `mutation($id: ID!) { updateDiscussion(id: $id, input: {pinned: true}) { id } }`,
			vars: byID(func(w *protectedWorld) string { return w.dOpen }), want: merge(outcomes("NOT_FOUND", "anonymous"), outcomes("ok", "author", "moderator", "admin")), other: "FORBIDDEN"},
		{name: "add someone to a closed circle", query: `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any {
				return map[string]any{"c": w.closed, "m": w.target}
			},
			want: merge(outcomes("NOT_FOUND", "anonymous"), outcomes("ok", "circleModerator", "admin")), other: "FORBIDDEN"},
		// Before "join a closed circle": the admin asks while still outside.
		{name: "ask to join a closed circle", query: `mutation($c: ID!) { requestToJoinCircle(circleID: $c) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"c": w.closed} },
			want: merge(anon, outcomes("FORBIDDEN", "vendor"), outcomes("CONFLICT", "circleMember", "circleModerator")), other: "ok"},
		{name: "join a closed circle", query: `mutation($c: ID!) { joinCircle(circleID: $c) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"c": w.closed} },
			want: merge(anon, outcomes("ok", "circleMember", "circleModerator", "admin")), other: "FORBIDDEN"},
		{name: "join an open circle", query: `mutation($c: ID!) { joinCircle(circleID: $c) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"c": w.open} }, want: anon, other: "ok"},
		{name: "make someone a moderator", query: `mutation($m: ID!) { setPlatformRole(memberID: $m, role: MODERATOR) { id } }`,
			vars: func(w *protectedWorld, _ string) map[string]any { return map[string]any{"m": w.target} },
			want: merge(outcomes("NOT_FOUND", "anonymous"), outcomes("ok", "admin")), other: "FORBIDDEN"},
		{name: "invite a member", query: `mutation($e: String!) { inviteMember(input: {displayName: "Neu", email: $e, communityRole: RESEARCHER}) { token } }`,
			vars: func(_ *protectedWorld, r string) map[string]any {
				return map[string]any{"e": strings.ToLower(r) + "@forschung.example"}
			},
			want: merge(outcomes("FORBIDDEN", "anonymous"), outcomes("ok", "admin")), other: "FORBIDDEN"},
		{name: "delete someone's message", query: `mutation($id: ID!) { deleteMessage(id: $id) { id } }`,
			vars: byID(func(w *protectedWorld) string { return w.msgOpen }), want: merge(outcomes("NOT_FOUND", "anonymous"), outcomes("ok", "author", "moderator", "admin")), other: "FORBIDDEN"},
	}
}

// TestAuthorizationTable runs every operation on protected data as every role.
func TestAuthorizationTable(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newProtectedWorld(t, env)
		for _, op := range authorizationTable() {
			for _, role := range roles {
				want, ok := op.want[role]
				if !ok {
					want = op.other
				}
				got := op.outcome(w.as[role].Post(t, op.query, op.vars(w, role)))
				if got != want {
					t.Errorf("%-36s as %-16s: got %s, want %s", op.name, role, got, want)
				}
			}
		}
	})
}
