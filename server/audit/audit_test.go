package audit_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/audit"
	"zirkel/server/events"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// entryFields are the fields of AuditEntry the tests read.
const entryFields = `id seq at actorID action targetType targetID subjectID circleID organisationID reason prevHash hash`

// entry is one audit entry as the API shows it.
type entry struct {
	ID, ActorID, Action, TargetType, TargetID, SubjectID, CircleID, OrganisationID, Reason, PrevHash, Hash string
	Seq                                                                                                    int
	At                                                                                                     time.Time
}

// entries lists the entries matching where (newest first), as the session.
func entries(t *testing.T, as *apitest.Session, where map[string]any) []entry {
	t.Helper()
	var out struct {
		AuditEntries struct {
			TotalCount int
			Edges      []struct{ Node entry }
		}
	}
	as.MustPost(t, `query($w: AuditLogFilter) { auditEntries(first: 100, filter: $w) { totalCount edges { node { `+entryFields+` } } } }`,
		map[string]any{"w": where}, &out)
	list := make([]entry, len(out.AuditEntries.Edges))
	for i, e := range out.AuditEntries.Edges {
		list[i] = e.Node
	}
	if out.AuditEntries.TotalCount != len(list) {
		t.Fatalf("totalCount %d, %d entries", out.AuditEntries.TotalCount, len(list))
	}
	return list
}

// world is an admin of one organisation and a member of another.
type world struct {
	admin, member       *apitest.Session
	adminOrg, memberOrg string
}

func newWorld(t *testing.T, env *apitest.Env) world {
	t.Helper()
	boot := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
	org := func(name string) string {
		var out struct{ CreateOrganisation struct{ ID string } }
		boot.MustPost(t, `mutation($n: String!) { createOrganisation(input: {name: $n, kind: LANDKREIS}) { id } }`, map[string]any{"n": name}, &out)
		return out.CreateOrganisation.ID
	}
	w := world{adminOrg: org("Kreis der Admins"), memberOrg: org("Kreis des Mitglieds")}
	w.admin = env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF, OrganisationID: w.adminOrg})
	w.member = env.NewMember(t, apitest.Spec{OrganisationID: w.memberOrg})
	return w
}

func TestRoleChangeIsAudited(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newWorld(t, env)
		w.admin.MustPost(t, `mutation($m: ID!) { setPlatformRole(memberID: $m, role: MODERATOR) { id } }`, map[string]any{"m": w.member.MemberID}, nil)

		got := entries(t, w.admin, map[string]any{"action": audit.ActionMemberRole, "targetID": w.member.MemberID})
		if len(got) != 1 {
			t.Fatalf("role change entries: %+v", got)
		}
		e := got[0]
		if e.ActorID != w.admin.MemberID || e.TargetType != "Member" || e.SubjectID != w.member.MemberID || e.OrganisationID != w.memberOrg {
			t.Errorf("entry %+v: want actor %s, target Member %s, organisation %s", e, w.admin.MemberID, w.member.MemberID, w.memberOrg)
		}
		if time.Since(e.At) > time.Minute || len(e.Hash) != 64 || len(e.PrevHash) != 64 {
			t.Errorf("entry %+v: time or hashes wrong", e)
		}

		// A mutation that fails writes no entry either.
		before := len(entries(t, w.admin, nil))
		res := w.member.Post(t, `mutation($m: ID!) { setPlatformRole(memberID: $m, role: ADMIN) { id } }`, map[string]any{"m": w.member.MemberID})
		if len(res.Errors) == 0 {
			t.Fatal("a member made themselves admin")
		}
		if after := len(entries(t, w.admin, nil)); after != before {
			t.Errorf("a refused change left %d entries", after-before)
		}
	})
}

func TestOnlyAdminsReadTheLog(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newWorld(t, env)
		moderator := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleMODERATOR})
		q := `{ auditEntries(first: 5) { totalCount edges { node { id action } } } }`
		for _, c := range []struct {
			name string
			as   *apitest.Session
			code string
		}{{"member", w.member, "FORBIDDEN"}, {"moderator", moderator, "FORBIDDEN"}, {"anonymous", env.Anonymous(), "UNAUTHENTICATED"}} {
			t.Run(c.name, func(t *testing.T) {
				res := c.as.Post(t, q, nil)
				if len(res.Errors) != 1 || res.Errors[0].Code() != c.code {
					t.Fatalf("want %s, got %+v", c.code, res.Errors)
				}
				if strings.Contains(string(res.Data), "edges") {
					t.Errorf("data leaked: %s", res.Data)
				}
			})
		}
		if got := entries(t, w.admin, nil); len(got) == 0 {
			t.Error("the admin sees no entries (creating the organisations and members wrote none)")
		}
	})
}

func TestFiltersAndCSV(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newWorld(t, env)
		var circle struct{ R struct{ ID string } }
		w.admin.MustPost(t, `mutation { r: createCircle(input: {name: "Geschlossen", slug: "geschlossen", visibility: CLOSED}) { id } }`, nil, &circle)
		c := circle.R.ID
		time.Sleep(5 * time.Millisecond)
		start := time.Now()
		vars := map[string]any{"c": c, "m": w.member.MemberID}
		w.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, vars, nil)
		w.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { removeCircleMember(circleID: $c, memberID: $m) }`, vars, nil)
		outsider := env.NewMember(t, apitest.Spec{})
		var req struct{ R struct{ ID string } }
		outsider.MustPost(t, `mutation($c: ID!) { r: requestToJoinCircle(circleID: $c) { id } }`, map[string]any{"c": c}, &req)
		reason := `=HYPERLINK("http://x.example", "klick"), bitte`
		w.admin.MustPost(t, `mutation($id: ID!, $r: String) { declineJoinRequest(id: $id, reason: $r) { id } }`, map[string]any{"id": req.R.ID, "r": reason}, nil)
		w.admin.MustPost(t, `mutation($m: ID!) { revokeSessions(memberID: $m) }`, map[string]any{"m": outsider.MemberID}, nil)

		inCircle := entries(t, w.admin, map[string]any{"circle": c})
		actions := map[string]entry{}
		for _, e := range inCircle {
			actions[e.Action] = e
		}
		for _, a := range []string{audit.ActionMembershipAdd, audit.ActionMembershipRemove, "circle.joinrequest.decline", "circle.create"} {
			if _, ok := actions[a]; !ok {
				t.Errorf("no %s entry for the circle: %+v", a, inCircle)
			}
		}
		if e := actions[audit.ActionMembershipRemove]; e.SubjectID != w.member.MemberID || e.ActorID != w.admin.MemberID || e.OrganisationID != w.memberOrg {
			t.Errorf("removal entry %+v", e)
		}
		if e := actions["circle.joinrequest.decline"]; e.Reason != reason || e.SubjectID != outsider.MemberID || e.TargetType != "CircleJoinRequest" {
			t.Errorf("decision entry %+v", e)
		}
		revoked := entries(t, w.admin, map[string]any{"action": audit.ActionSessionRevoke, "subject": outsider.MemberID})
		if len(revoked) != 1 || revoked[0].Reason != "revoked by an admin" || revoked[0].ActorID != w.admin.MemberID {
			t.Errorf("revocation entries %+v", revoked)
		}

		for _, f := range []struct {
			name  string
			where map[string]any
			want  func(entry) bool
		}{
			{"actor", map[string]any{"actor": w.admin.MemberID}, func(e entry) bool { return e.ActorID == w.admin.MemberID }},
			{"action", map[string]any{"action": audit.ActionMembershipAdd}, func(e entry) bool { return e.Action == audit.ActionMembershipAdd }},
			{"action prefix", map[string]any{"action": "circle.*"}, func(e entry) bool { return strings.HasPrefix(e.Action, "circle.") }},
			{"target type", map[string]any{"targetType": "CircleJoinRequest"}, func(e entry) bool { return e.TargetType == "CircleJoinRequest" }},
			{"target", map[string]any{"targetID": req.R.ID}, func(e entry) bool { return e.TargetID == req.R.ID }},
			{"period", map[string]any{"from": start.Format(time.RFC3339Nano), "to": time.Now().Add(time.Minute).Format(time.RFC3339Nano)},
				func(e entry) bool { return !e.At.Before(start) }},
		} {
			t.Run(f.name, func(t *testing.T) {
				all, got := entries(t, w.admin, nil), entries(t, w.admin, f.where)
				want := 0
				for _, e := range all {
					if f.want(e) {
						want++
					}
				}
				if want == 0 || want == len(all) || len(got) != want {
					t.Fatalf("%d of %d entries match, the filter returned %d", want, len(all), len(got))
				}
				for _, e := range got {
					if !f.want(e) {
						t.Errorf("filter returned %+v", e)
					}
				}
			})
		}

		t.Run("csv", func(t *testing.T) {
			get := func(as *apitest.Session, query string) (*http.Response, []byte) {
				req, _ := http.NewRequest(http.MethodGet, env.URL+"/audit.csv?"+query, nil)
				for k, v := range as.Header {
					req.Header[k] = v
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				return res, body
			}
			q := url.Values{"action": {"circle.joinrequest.*"}, "targetType": {"CircleJoinRequest"}, "from": {start.UTC().Format(time.RFC3339)}}.Encode()
			res, body := get(w.admin, q)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
				t.Fatalf("status %d, type %q: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v\n%s", err, body)
			}
			if len(rows) != 2 || rows[0][3] != "action" || rows[1][3] != "circle.joinrequest.decline" {
				t.Fatalf("rows %q", rows)
			}
			if rows[1][9] != "'"+reason {
				t.Errorf("reason cell %q: a formula must be defused with a leading '", rows[1][9])
			}
			if rows[1][5] != req.R.ID || rows[1][2] != w.admin.MemberID {
				t.Errorf("row %q", rows[1])
			}
			_, all := get(w.admin, "")
			if n := strings.Count(string(all), "\n") - 1; n != len(entries(t, w.admin, nil)) {
				t.Errorf("unfiltered CSV has %d rows, the API %d entries", n, len(entries(t, w.admin, nil)))
			}
			for _, c := range []struct {
				as   *apitest.Session
				want int
			}{{w.member, http.StatusForbidden}, {env.Anonymous(), http.StatusUnauthorized}} {
				if res, body := get(c.as, q); res.StatusCode != c.want || strings.Contains(string(body), "circle.") {
					t.Errorf("status %d (want %d): %s", res.StatusCode, c.want, body)
				}
			}
			if res, _ := get(w.admin, "from=gestern"); res.StatusCode != http.StatusBadRequest {
				t.Errorf("bad period: status %d", res.StatusCode)
			}
		})
	})
}

func TestChainVerifiesAndShowsTampering(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newWorld(t, env)
		for _, role := range []string{"MODERATOR", "MEMBER", "MODERATOR"} {
			w.admin.MustPost(t, `mutation($m: ID!, $r: MemberPlatformRole!) { setPlatformRole(memberID: $m, role: $r) { id } }`,
				map[string]any{"m": w.member.MemberID, "r": role}, nil)
		}
		ctx := context.Background()
		client, db := env.App.Store.Client, env.App.Store.DB
		r, err := audit.Verify(ctx, client)
		if err != nil || r.Broken != nil || r.Entries < 5 || r.First != 1 || r.Last != int64(r.Entries) {
			t.Fatalf("intact chain: %+v, %v", r, err)
		}
		all := entries(t, w.admin, nil) // newest first
		for i := 0; i+1 < len(all); i++ {
			if all[i].PrevHash != all[i+1].Hash || all[i].Seq != all[i+1].Seq+1 {
				t.Fatalf("entries %d and %d are not linked", all[i+1].Seq, all[i].Seq)
			}
		}
		exec := func(q string) {
			t.Helper()
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		// Through ent nobody changes an entry, not even trusted server code.
		if err := client.AuditEntry.Update().Exec(audit.AuditTrusted(ctx)); err == nil {
			t.Error("an audit entry was updated through ent")
		}
		exec(`UPDATE audit_entries SET action = 'member.status' WHERE seq = 3`)
		r, err = audit.Verify(ctx, client)
		if err != nil || r.Broken == nil || r.Broken.Seq != 3 {
			t.Fatalf("changed entry 3: %+v, %v", r, err)
		}
		if r.Entries != 2 {
			t.Errorf("checked %d entries before the break, want 2", r.Entries)
		}
		// Rewriting the hash too does not help: the next entry's link breaks.
		exec(`UPDATE audit_entries SET action = 'member.role' WHERE seq = 3`)
		if r, _ = audit.Verify(ctx, client); r.Broken != nil {
			t.Fatalf("restored entry: %+v", r.Broken)
		}
		exec(`UPDATE audit_entries SET reason = 'nachträglich' WHERE seq = 4`)
		rows, err := client.AuditEntry.Query().All(audit.AuditTrusted(ctx))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range rows {
			if e.Seq == 4 {
				exec(`UPDATE audit_entries SET hash = '` + audit.Hash(e) + `' WHERE seq = 4`)
			}
		}
		r, _ = audit.Verify(ctx, client)
		if r.Broken == nil || r.Broken.Seq != 5 || !strings.Contains(r.Broken.Problem, "previous hash") {
			t.Fatalf("re-hashed entry 4: want the link of entry 5 broken, got %+v", r.Broken)
		}
		// A removed entry in the middle breaks the chain where it was.
		exec(`DELETE FROM audit_entries WHERE seq = 2`)
		r, _ = audit.Verify(ctx, client)
		if r.Broken == nil || r.Broken.Seq != 3 || !strings.Contains(r.Broken.Problem, "missing") {
			t.Fatalf("removed entry 2: %+v", r.Broken)
		}
	})
}

func TestRetentionPurgeKeepsTheChain(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newWorld(t, env)
		w.admin.MustPost(t, `mutation($m: ID!) { setPlatformRole(memberID: $m, role: MODERATOR) { id } }`, map[string]any{"m": w.member.MemberID}, nil)
		old := entries(t, w.admin, nil)
		time.Sleep(20 * time.Millisecond)
		cutoff := time.Now()
		time.Sleep(20 * time.Millisecond)
		w.admin.MustPost(t, `mutation($m: ID!) { setPlatformRole(memberID: $m, role: MEMBER) { id } }`, map[string]any{"m": w.member.MemberID}, nil)
		kept := entries(t, w.admin, nil)[0]

		ctx := context.Background()
		n, err := audit.Purge(ctx, env.App.Store.Client, cutoff)
		if err != nil || n != len(old) {
			t.Fatalf("purged %d (want %d): %v", n, len(old), err)
		}
		left := entries(t, w.admin, nil)
		if len(left) != 2 || left[1].ID != kept.ID || left[0].Action != audit.ActionPurge || left[0].ActorID != "" || left[0].TargetID != kept.ID {
			t.Fatalf("after the purge: %+v", left)
		}
		r, err := audit.Verify(ctx, env.App.Store.Client)
		if err != nil || r.Broken != nil || r.Entries != 2 || r.First != int64(kept.Seq) || r.Anchor != kept.PrevHash {
			t.Fatalf("chain after the purge: %+v, %v", r, err)
		}
		// Nothing past the cutoff is left to purge; the newest entry is never purged.
		if n, err := audit.Purge(ctx, env.App.Store.Client, cutoff); n != 0 || err != nil {
			t.Errorf("second purge: %d, %v", n, err)
		}
		if n, err := audit.Purge(ctx, env.App.Store.Client, time.Now().Add(time.Hour)); n != 1 || err != nil {
			t.Errorf("purging everything: %d, %v (want 1: the newest entry stays)", n, err)
		}
		if r, err := audit.Verify(ctx, env.App.Store.Client); err != nil || r.Broken != nil || r.Entries != 2 {
			t.Errorf("chain after purging everything: %+v, %v", r, err)
		}
	})
}

func TestClosedCircleReadsByAdminsAreAudited(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newWorld(t, env)
		var circles struct{ Closed, Open struct{ ID string } }
		w.admin.MustPost(t, `mutation { closed: createCircle(input: {name: "Geschlossen", slug: "geschlossen", visibility: CLOSED}) { id }
			open: createCircle(input: {name: "Offen", slug: "offen", visibility: OPEN}) { id } }`, nil, &circles)
		moderator := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleMODERATOR})
		for _, c := range []string{circles.Closed.ID, circles.Open.ID} {
			for _, m := range []string{w.admin.MemberID, w.member.MemberID, moderator.MemberID} {
				w.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": c, "m": m}, nil)
			}
		}
		// Sessions carry the circles of their login.
		relogin := func(s *apitest.Session) *apitest.Session {
			var out struct{ Node struct{ Email string } }
			w.admin.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Member { email } } }`, map[string]any{"id": s.MemberID}, &out)
			return env.Login(t, "local", out.Node.Email, apitest.Password)
		}
		admin := relogin(w.admin)
		practice := func(c string) string {
			var out struct{ CreatePractice struct{ ID string } }
			admin.MustPost(t, `mutation($o: ID!, $c: ID!) { createPractice(input: {title: "Im Zirkel", organisationID: $o, visibility: CIRCLE, circleID: $c,
				summary: "S", problem: "P", approach: "A", outcome: "O"}) { id } }`, map[string]any{"o": w.adminOrg, "c": c}, &out)
			admin.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, map[string]any{"id": out.CreatePractice.ID}, nil)
			return out.CreatePractice.ID
		}
		closedPractice, openPractice := practice(circles.Closed.ID), practice(circles.Open.ID)
		// The admin leaves both circles and stays an author: the practices stay readable to them.
		for _, c := range []string{circles.Closed.ID, circles.Open.ID} {
			admin.MustPost(t, `mutation($c: ID!) { leaveCircle(circleID: $c) }`, map[string]any{"c": c}, nil)
		}
		admin = relogin(admin)
		reads := func() []entry {
			return entries(t, admin, map[string]any{"action": audit.ActionReadClosedCircle})
		}
		if got := reads(); len(got) != 0 {
			t.Fatalf("reads audited before any: %+v", got)
		}
		read := func(as *apitest.Session, id string) {
			t.Helper()
			var out struct{ A, B struct{ ID string } }
			as.MustPost(t, `query($id: ID!) { a: node(id: $id) { id } b: node(id: $id) { ... on Practice { id title } } }`, map[string]any{"id": id}, &out)
			if out.A.ID != id || out.B.ID != id {
				t.Fatalf("%s does not read %s", as.MemberID, id)
			}
		}
		read(w.member, closedPractice)
		read(moderator, closedPractice)
		read(admin, openPractice)
		if got := reads(); len(got) != 0 {
			t.Fatalf("members' reads and reads of open circles audited: %+v", got)
		}
		// The practice three times in one request: twice by id, once in the list (the admin is its author).
		var list struct {
			Practices struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		admin.MustPost(t, `query($id: ID!) { a: node(id: $id) { id } b: node(id: $id) { ... on Practice { id title } }
			practices(first: 50) { edges { node { id } } } }`, map[string]any{"id": closedPractice}, &list)
		if !strings.Contains(fmt.Sprint(list), closedPractice) {
			t.Fatalf("the list lacks the practice: %v", list)
		}
		got := reads()
		if len(got) != 1 {
			t.Fatalf("one request, one circle: want one entry, got %+v", got)
		}
		if e := got[0]; e.ActorID != admin.MemberID || e.TargetType != "Circle" || e.TargetID != circles.Closed.ID || e.OrganisationID != w.adminOrg {
			t.Errorf("entry %+v", e)
		}
		read(admin, closedPractice)
		if got := reads(); len(got) != 2 {
			t.Errorf("a second request: want a second entry, got %d", len(got))
		}
	})
}

// TestNamedActionsAreAudited: whatever a writer names with events.WithAction (moderation,
// privacy) is recorded with its reason, without this package knowing the feature.
func TestNamedActionsAreAudited(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newWorld(t, env)
		ctx := events.WithReason(events.WithAction(policy.System(context.Background()), "moderation.test"), "Werbung")
		ctx = viewer.NewContext(ctx, &viewer.Viewer{MemberID: gid.ID(w.admin.MemberID), PlatformRole: viewer.RoleAdmin})
		if err := env.App.Store.Client.Member.UpdateOneID(gid.ID(w.member.MemberID)).SetJobTitle("geändert").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		got := entries(t, w.admin, map[string]any{"action": "moderation.*"})
		if len(got) != 1 || got[0].Reason != "Werbung" || got[0].TargetID != w.member.MemberID || got[0].ActorID != w.admin.MemberID ||
			got[0].OrganisationID != w.memberOrg {
			t.Fatalf("entries %+v", got)
		}
		if n := len(entries(t, w.admin, map[string]any{"action": "member.update"})); n != 0 {
			t.Errorf("the named action was recorded a second time, as member.update (%d)", n)
		}
	})
}

// TestConcurrentChangesKeepOneChain: transactions that commit at once append one after the
// other; the chain does not fork.
func TestConcurrentChangesKeepOneChain(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newWorld(t, env)
		members := make([]*apitest.Session, 8)
		for i := range members {
			members[i] = env.NewMember(t, apitest.Spec{})
		}
		var wg sync.WaitGroup
		errs := make(chan string, len(members))
		for _, m := range members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := w.admin.Post(t, `mutation($m: ID!) { setPlatformRole(memberID: $m, role: MODERATOR) { id } }`, map[string]any{"m": m.MemberID})
				if len(res.Errors) > 0 {
					errs <- fmt.Sprint(res.Errors)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		if got := entries(t, w.admin, map[string]any{"action": audit.ActionMemberRole}); len(got) != len(members) {
			t.Fatalf("%d role entries, want %d", len(got), len(members))
		}
		r, err := audit.Verify(context.Background(), env.App.Store.Client)
		if err != nil || r.Broken != nil || r.First != 1 || r.Last != int64(r.Entries) {
			t.Fatalf("chain after concurrent changes: %+v, %v", r, err)
		}
	})
}
