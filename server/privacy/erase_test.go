package privacy_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/auth"
	"zirkel/server/events"
	"zirkel/server/policy"
	"zirkel/server/privacy"
)

// must posts a query that must succeed and decodes its field r.
func must[T any](t *testing.T, s *apitest.Session, query string, vars map[string]any) T {
	t.Helper()
	var out struct{ R T }
	s.MustPost(t, query, vars, &out)
	return out.R
}

// wantCode checks that a response failed with the code.
func wantCode(t *testing.T, res apitest.Response, code string) {
	t.Helper()
	if len(res.Errors) == 0 || res.Errors[0].Code() != code {
		t.Fatalf("want %s, got %+v (data %s)", code, res.Errors, res.Data)
	}
}

// makeDue moves a pending deletion's date into the past, as if the grace period had passed.
func makeDue(t *testing.T, env *apitest.Env, id string) {
	t.Helper()
	err := env.App.Store.Client.Member.UpdateOneID(gid.ID(id)).SetDeletionDueAt(time.Now().Add(-time.Second)).
		Exec(policy.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
}

// eraseDue runs the scheduler's erasure once and returns how many accounts it erased.
func eraseDue(t *testing.T, env *apitest.Env) int {
	t.Helper()
	n, err := env.App.Privacy.EraseDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type formerMember struct {
	ID, DisplayName, Status string
	Organisation            *struct{ ID string }
}

// memberAs reads a member through node as the session sees it.
func memberAs(t *testing.T, s *apitest.Session, id string) formerMember {
	t.Helper()
	return must[formerMember](t, s, `query($id: ID!) { r: node(id: $id) { ... on Member { id displayName status organisation { id } } } }`,
		map[string]any{"id": id})
}

const (
	deleteMine     = `mutation($c: DeletionContentChoice!) { r: deleteMyAccount(contentChoice: $c) { dueAt contentChoice } }`
	cancelMine     = `mutation { r: cancelAccountDeletion }`
	pendingMine    = `{ r: myAccountDeletion { dueAt contentChoice } }`
	deleteByAdmin  = `mutation($id: ID!, $c: DeletionContentChoice!) { r: deleteMember(id: $id, reason: "Antrag vom 1. Dezember", contentChoice: $c) { id displayName status organisation { id } } }`
	viewerQuery    = `{ r: viewer { id } }`
	loginMutation  = `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }`
	postMessage    = `mutation($d: ID!, $b: String!) { r: postMessage(input: {discussionID: $d, body: $b}) { id } }`
	newDiscussion  = `mutation($t: String!) { r: createDiscussion(input: {title: $t}) { id } }`
	discussionRead = `query($id: ID!) { r: node(id: $id) { ... on Discussion { title messages(first: 20, orderBy: {field: POSITION, direction: ASC}) { edges { node {
		body deletedAt author { id displayName status organisation { id } } } } } } } }`
)

type pending struct {
	DueAt         time.Time
	ContentChoice string
}

func TestDeleteMyAccountHasAGracePeriodAndCanBeUndone(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		org := must[struct{ ID string }](t, env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN}),
			`mutation { r: createOrganisation(input: {name: "Landkreis Musterhausen", kind: LANDKREIS}) { id } }`, nil)
		anna := env.NewMember(t, apitest.Spec{Email: "anna.grace@musterhausen.example", OrganisationID: org.ID})
		other := env.NewMember(t, apitest.Spec{})

		if p := must[*pending](t, anna, pendingMine, nil); p != nil {
			t.Fatalf("nothing pending yet, got %+v", p)
		}
		before := time.Now()
		p := must[pending](t, anna, deleteMine, map[string]any{"c": "DELETE"})
		if p.ContentChoice != "DELETE" || p.DueAt.Before(before.Add(privacy.DefaultGrace-time.Minute)) || p.DueAt.After(time.Now().Add(privacy.DefaultGrace+time.Minute)) {
			t.Fatalf("want DELETE due in 30 days, got %+v", p)
		}
		if got := must[*pending](t, anna, pendingMine, nil); got == nil || !got.DueAt.Equal(p.DueAt) {
			t.Fatalf("pending deletion: %+v, want %+v", got, p)
		}
		// Asking again changes the choice, not the date.
		again := must[pending](t, anna, deleteMine, map[string]any{"c": "KEEP_AS_FORMER_MEMBER"})
		if !again.DueAt.Equal(p.DueAt) || again.ContentChoice != "KEEP_AS_FORMER_MEMBER" {
			t.Fatalf("asked again: %+v, want the date %v kept", again, p.DueAt)
		}
		// Meanwhile the member can log in (to undo it), and nobody else learns of it.
		relogged := env.Login(t, auth.LocalDirectory, "anna.grace@musterhausen.example", apitest.Password)
		if n := eraseDue(t, env); n != 0 {
			t.Fatalf("erased %d accounts before their grace period ended", n)
		}
		if m := memberAs(t, other, anna.MemberID); m.Status != "ACTIVE" || m.DisplayName == privacy.FormerMemberName {
			t.Fatalf("a pending deletion is the member's: others see %+v", m)
		}
		if !must[bool](t, relogged, cancelMine, nil) {
			t.Fatal("cancelAccountDeletion: want true")
		}
		if got := must[*pending](t, anna, pendingMine, nil); got != nil {
			t.Fatalf("undone, still pending: %+v", got)
		}
		if must[bool](t, anna, cancelMine, nil) {
			t.Fatal("nothing pending: want false")
		}
		makeDue(t, env, anna.MemberID) // a date without cause is no deletion either
		if n := eraseDue(t, env); n != 0 {
			t.Fatalf("erased %d accounts after the undo", n)
		}
		must[struct{ ID string }](t, anna, viewerQuery, nil)

		// Asked again and not undone: erased when the period ends, sessions and login gone.
		must[pending](t, anna, deleteMine, map[string]any{"c": "KEEP_AS_FORMER_MEMBER"})
		makeDue(t, env, anna.MemberID)
		if n := eraseDue(t, env); n != 1 {
			t.Fatalf("erased %d accounts, want 1", n)
		}
		wantCode(t, anna.Post(t, viewerQuery, nil), "UNAUTHENTICATED")
		wantCode(t, relogged.Post(t, viewerQuery, nil), "UNAUTHENTICATED")
		wantCode(t, env.Post(t, loginMutation, map[string]any{"u": "anna.grace@musterhausen.example", "p": apitest.Password}), "UNAUTHENTICATED")
		m := memberAs(t, other, anna.MemberID)
		if m.Status != "DELETED" || m.DisplayName != privacy.FormerMemberName || m.Organisation == nil || m.Organisation.ID != org.ID {
			t.Fatalf("want a former member of %s, got %+v", org.ID, m)
		}
		wantCode(t, anna.Post(t, cancelMine, nil), "UNAUTHENTICATED")
	})
}

func TestAdminsDeleteAtOnce(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		org := must[struct{ ID string }](t, admin, `mutation { r: createOrganisation(input: {name: "Stadt Beispiel", kind: KREISFREIE_STADT}) { id } }`, nil)
		anna := env.NewMember(t, apitest.Spec{Email: "anna.sofort@beispiel.example", OrganisationID: org.ID})
		jonas := env.NewMember(t, apitest.Spec{OrganisationID: org.ID})
		moderator := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleMODERATOR})

		d := must[struct{ ID string }](t, anna, newDiscussion, map[string]any{"t": "Erfahrungen mit der E-Akte"})
		must[struct{ ID string }](t, anna, postMessage, map[string]any{"d": d.ID, "b": "Wir haben gute Erfahrungen gemacht."})
		must[struct{ ID string }](t, jonas, postMessage, map[string]any{"d": d.ID, "b": "Danke, wir auch."})

		for name, s := range map[string]*apitest.Session{"member": jonas, "moderator": moderator, "the member themself": anna} {
			t.Run(name+" may not", func(t *testing.T) {
				wantCode(t, s.Post(t, deleteByAdmin, map[string]any{"id": anna.MemberID, "c": "DELETE"}), "FORBIDDEN")
				must[struct{ ID string }](t, anna, viewerQuery, nil) // nothing happened
				if m := memberAs(t, jonas, anna.MemberID); m.Status != "ACTIVE" {
					t.Fatalf("after a refused deletion: %+v", m)
				}
			})
		}
		wantCode(t, admin.Post(t, deleteByAdmin, map[string]any{"id": "mem_00000000000000000000000000", "c": "DELETE"}), "NOT_FOUND")

		m := must[formerMember](t, admin, deleteByAdmin, map[string]any{"id": anna.MemberID, "c": "KEEP_AS_FORMER_MEMBER"})
		if m.ID != anna.MemberID || m.Status != "DELETED" || m.DisplayName != privacy.FormerMemberName || m.Organisation == nil || m.Organisation.ID != org.ID {
			t.Fatalf("deleteMember returned %+v", m)
		}
		wantCode(t, anna.Post(t, viewerQuery, nil), "UNAUTHENTICATED")
		wantCode(t, env.Post(t, loginMutation, map[string]any{"u": "anna.sofort@beispiel.example", "p": apitest.Password}), "UNAUTHENTICATED")

		// What she wrote stays, attributed to a former member of her organisation.
		type msg struct {
			Body      string
			DeletedAt *time.Time
			Author    formerMember
		}
		read := must[struct {
			Title    string
			Messages struct{ Edges []struct{ Node msg } }
		}](t, jonas, discussionRead, map[string]any{"id": d.ID})
		if read.Title != "Erfahrungen mit der E-Akte" || len(read.Messages.Edges) != 2 {
			t.Fatalf("discussion after the deletion: %+v", read)
		}
		first := read.Messages.Edges[0].Node
		if first.Body != "Wir haben gute Erfahrungen gemacht." || first.Author.DisplayName != privacy.FormerMemberName ||
			first.Author.Status != "DELETED" || first.Author.Organisation == nil || first.Author.Organisation.ID != org.ID {
			t.Fatalf("want the message kept and attributed to a former member, got %+v", first)
		}
		if second := read.Messages.Edges[1].Node; second.Author.ID != jonas.MemberID || second.Body != "Danke, wir auch." {
			t.Fatalf("the reply: %+v", second)
		}
		// Deleting again changes nothing.
		if again := must[formerMember](t, admin, deleteByAdmin, map[string]any{"id": anna.MemberID, "c": "DELETE"}); again.Status != "DELETED" {
			t.Fatalf("deleted again: %+v", again)
		}
		if read := must[struct {
			Messages struct{ Edges []struct{ Node msg } }
		}](t, jonas, discussionRead, map[string]any{"id": d.ID}); read.Messages.Edges[0].Node.Body == "" {
			t.Fatal("a second deletion must not change the first one's choice")
		}
	})
}

func TestDeleteChoiceDeletesWhatTheyWrote(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		org := must[struct{ ID string }](t, admin, `mutation { r: createOrganisation(input: {name: "Landkreis Loeschdorf", kind: LANDKREIS}) { id } }`, nil)
		anna := env.NewMember(t, apitest.Spec{OrganisationID: org.ID})
		jonas := env.NewMember(t, apitest.Spec{OrganisationID: org.ID})

		d := must[struct{ ID string }](t, anna, newDiscussion, map[string]any{"t": "Quellwasserbrunnen Zisterne"})
		mine := must[struct{ ID string }](t, anna, postMessage, map[string]any{"d": d.ID, "b": "Glockenspiel Posaunenchor"})
		theirs := must[struct{ ID string }](t, jonas, postMessage, map[string]any{"d": d.ID, "b": "Antwort von Jonas"})
		react := `mutation($m: ID!) { r: react(messageID: $m, kind: THUMBS_UP) { reactions { kind count } } }`
		must[struct{ Reactions []struct{ Count int } }](t, anna, react, map[string]any{"m": theirs.ID})
		must[struct{ Reactions []struct{ Count int } }](t, jonas, react, map[string]any{"m": theirs.ID})
		practice := `mutation($o: ID!, $t: String!, $a: [ID!]) { r: createPractice(input: {title: $t, organisationID: $o, summary: "Kurzfassung", authorIDs: $a}) { id } }`
		alone := must[struct{ ID string }](t, anna, practice, map[string]any{"o": org.ID, "t": "Alleinarbeit Drachenfels"})
		together := must[struct{ ID string }](t, anna, practice, map[string]any{"o": org.ID, "t": "Gemeinschaftswerk", "a": []string{jonas.MemberID}})
		invitation := must[struct {
			Edges []struct{ Node struct{ ID string } }
		}](t, jonas,
			`{ r: viewer { authorshipInvitations(first: 5) { edges { node { id } } } } }`, nil)
		_ = invitation
		inv := must[struct {
			AuthorshipInvitations struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}](t, jonas, `{ r: viewer { authorshipInvitations(first: 5) { edges { node { id } } } } }`, nil)
		if len(inv.AuthorshipInvitations.Edges) != 1 {
			t.Fatalf("invitations: %+v", inv)
		}
		jonas.MustPost(t, `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { id } }`, map[string]any{"id": inv.AuthorshipInvitations.Edges[0].Node.ID}, nil)

		must[formerMember](t, admin, deleteByAdmin, map[string]any{"id": anna.MemberID, "c": "DELETE"})

		read := must[struct {
			Title    string
			Messages struct {
				Edges []struct {
					Node struct {
						Body      string
						DeletedAt *time.Time
						Author    formerMember
					}
				}
			}
		}](t, jonas, discussionRead, map[string]any{"id": d.ID})
		if read.Title != privacy.DeletedTitle || len(read.Messages.Edges) != 2 {
			t.Fatalf("discussion: %+v", read)
		}
		if m := read.Messages.Edges[0].Node; m.Body != "" || m.DeletedAt == nil || m.Author.Status != "DELETED" {
			t.Fatalf("her message keeps its place, emptied: %+v", m)
		}
		if m := read.Messages.Edges[1].Node; m.Body != "Antwort von Jonas" {
			t.Fatalf("the reply stays: %+v", m)
		}
		counts := must[struct{ Reactions []struct{ Count int } }](t, jonas, `query($id: ID!) { r: node(id: $id) { ... on Message { reactions { kind count } } } }`,
			map[string]any{"id": theirs.ID})
		if len(counts.Reactions) != 1 || counts.Reactions[0].Count != 1 {
			t.Fatalf("reactions after her deletion: %+v", counts)
		}
		if p := must[*struct{ ID string }](t, jonas, `query($id: ID!) { r: node(id: $id) { id } }`, map[string]any{"id": alone.ID}); p != nil {
			t.Fatalf("the practice she wrote alone is still there: %+v", p)
		}
		authors := must[struct {
			Title   string
			Authors struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}](t, jonas, `query($id: ID!) { r: node(id: $id) { ... on Practice { title authors(first: 5) { edges { node { id } } } } } }`,
			map[string]any{"id": together.ID})
		if authors.Title != "Gemeinschaftswerk" || len(authors.Authors.Edges) != 1 || authors.Authors.Edges[0].Node.ID != jonas.MemberID {
			t.Fatalf("the co-authored practice keeps its co-author only: %+v", authors)
		}
		for _, q := range []string{"Posaunenchor", "Zisterne", "Drachenfels"} {
			hits := must[struct{ Hits []json.RawMessage }](t, jonas, `query($q: String!) { r: search(query: $q) { hits { type } } }`, map[string]any{"q": q})
			if len(hits.Hits) != 0 {
				t.Errorf("search %q still finds %s", q, hits.Hits)
			}
		}
		_ = mine
	})
}

func TestDeletionClosesTheMembersWebsockets(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		anna, jonas := env.NewMember(t, apitest.Spec{}), env.NewMember(t, apitest.Spec{})
		d := must[struct{ ID string }](t, jonas, newDiscussion, map[string]any{"t": "Live"})
		subscribe := func(s *apitest.Session) *apitest.WS {
			ws := s.DialWS(t, apitest.TransportWS)
			if err := ws.Subscribe("a", `subscription($d: ID!) { messageAdded(discussionID: $d) { message { body } } }`, map[string]any{"d": d.ID}); err != nil {
				t.Fatal(err)
			}
			return ws
		}
		wantClosed := func(ws *apitest.WS) {
			t.Helper()
			if code, _ := ws.CloseCode(5 * time.Second); code != 4401 {
				t.Fatalf("want the websocket closed with 4401, got %d", code)
			}
		}
		annaWS, jonasWS := subscribe(anna), subscribe(jonas)
		time.Sleep(100 * time.Millisecond) // the subscriptions are registered
		must[formerMember](t, admin, deleteByAdmin, map[string]any{"id": anna.MemberID, "c": "DELETE"})
		wantClosed(annaWS)

		// The scheduler's erasure too; others' websockets stay open.
		must[pending](t, jonas, deleteMine, map[string]any{"c": "KEEP_AS_FORMER_MEMBER"})
		other := env.NewMember(t, apitest.Spec{})
		otherWS := subscribe(other)
		time.Sleep(100 * time.Millisecond)
		makeDue(t, env, jonas.MemberID)
		if n := eraseDue(t, env); n != 1 {
			t.Fatalf("erased %d", n)
		}
		wantClosed(jonasWS)
		must[struct{ ID string }](t, other, postMessage, map[string]any{"d": d.ID, "b": "noch da"})
		if raw := otherWS.Next("a"); !strings.Contains(string(raw), "noch da") {
			t.Fatalf("the other member's subscription: %s", raw)
		}
	})
}

// auditedChange is what the audit log would record of a change: its action, reason and actor.
type auditedChange struct {
	ID                    gid.ID
	Action, Reason, Actor string
}

// recordActions collects the committed changes of members that carry an action, as the audit
// log's consumer sees them.
func recordActions(env *apitest.Env) func() []auditedChange {
	var (
		mu  sync.Mutex
		got []auditedChange
	)
	env.App.Store.Events.AfterCommit("test-audit", func(_ context.Context, changes []events.Change) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range changes {
			if c.Action != "" && c.Type == "Member" {
				got = append(got, auditedChange{c.ID, c.Action, c.Reason, string(c.Actor)})
			}
		}
	})
	return func() []auditedChange {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

func TestDeletionsAreAudited(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		audited := recordActions(env)
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		anna, jonas := env.NewMember(t, apitest.Spec{}), env.NewMember(t, apitest.Spec{})
		must[pending](t, anna, deleteMine, map[string]any{"c": "DELETE"})
		must[bool](t, anna, cancelMine, nil)
		must[pending](t, anna, deleteMine, map[string]any{"c": "DELETE"})
		makeDue(t, env, anna.MemberID)
		eraseDue(t, env)
		wantCode(t, jonas.Post(t, deleteByAdmin, map[string]any{"id": admin.MemberID, "c": "DELETE"}), "FORBIDDEN")
		must[formerMember](t, admin, deleteByAdmin, map[string]any{"id": jonas.MemberID, "c": "KEEP_AS_FORMER_MEMBER"})
		wantCode(t, admin.Post(t, `mutation($id: ID!) { deleteMember(id: $id, reason: " ", contentChoice: DELETE) { id } }`,
			map[string]any{"id": admin.MemberID}), "BAD_USER_INPUT")

		want := []auditedChange{
			{gid.ID(anna.MemberID), privacy.ActionRequest, "", anna.MemberID},
			{gid.ID(anna.MemberID), privacy.ActionCancel, "", anna.MemberID},
			{gid.ID(anna.MemberID), privacy.ActionRequest, "", anna.MemberID},
			{gid.ID(anna.MemberID), privacy.ActionDelete, "grace period ended after the member's request", ""},
			{gid.ID(jonas.MemberID), privacy.ActionDelete, "Antrag vom 1. Dezember", admin.MemberID},
		}
		if got := audited(); !slices.Equal(got, want) {
			t.Fatalf("audited changes:\n got %+v\nwant %+v", got, want)
		}
	})
}
