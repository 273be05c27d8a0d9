package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/events"
)

// modWorld is a seed plus the people of moderation: Mona moderates the closed circle (where
// Anna and Jonas are members), Paul moderates the platform, Vera speaks for a vendor.
type modWorld struct {
	seed
	Mona, Paul, Vera *apitest.Session
	audit            *auditTrail
}

// auditTrail keeps the moderation actions the event pipeline carried, as "action type id".
type auditTrail struct {
	mu      sync.Mutex
	entries []string
}

func (a *auditTrail) has(entry string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Contains(a.entries, entry)
}

func newModWorld(t *testing.T, env *apitest.Env) modWorld {
	t.Helper()
	trail := &auditTrail{}
	env.App.Store.Events.AfterCommit("moderation-test", func(_ context.Context, changes []events.Change) {
		trail.mu.Lock()
		defer trail.mu.Unlock()
		for _, c := range changes {
			if c.Action != "" {
				trail.entries = append(trail.entries, c.Action+" "+c.Type+" "+string(c.ID)+" "+c.Reason)
			}
		}
	})
	s := newSeed(t, env)
	w := modWorld{seed: s, audit: trail,
		Mona: env.NewMember(t, apitest.Spec{Name: "Mona Krüger", OrganisationID: s.OrgID}),
		Paul: env.NewMember(t, apitest.Spec{Name: "Paul Moderator", PlatformRole: member.PlatformRoleMODERATOR, CommunityRole: member.CommunityRoleSTAFF}),
		Vera: env.NewMember(t, apitest.Spec{Name: "Vera Verkauf", CommunityRole: member.CommunityRoleVENDOR}),
	}
	for who, role := range map[string]string{s.MemberID: "MEMBER", s.Member2ID: "MEMBER", w.Mona.MemberID: "MODERATOR"} {
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!, $r: CircleMembershipRole) { addCircleMember(circleID: $c, memberID: $m, role: $r) { id } }`,
			map[string]any{"c": s.CircleID, "m": who, "r": role}, nil)
	}
	return w
}

// startDiscussion starts a discussion in the circle (or outside circles when circle is "").
func startDiscussion(t *testing.T, as *apitest.Session, title, topic, circle string) string {
	t.Helper()
	var out struct{ CreateDiscussion struct{ ID string } }
	vars := map[string]any{"t": title, "topic": topic, "c": nil}
	if circle != "" {
		vars["c"] = circle
	}
	as.MustPost(t, `mutation($t: String!, $topic: ID!, $c: ID) { createDiscussion(input: {title: $t, topicIDs: [$topic], circleID: $c}) { id } }`, vars, &out)
	return out.CreateDiscussion.ID
}

type reportOut struct {
	ID             string
	Status         string
	Reason         string
	ResolutionNote *string
	DecidedAt      *string
	Item           *struct{ ID string }
}

const reportFields = `id status reason resolutionNote decidedAt item { ... on Message { id } ... on Practice { id } ... on Discussion { id } }`

func report(t *testing.T, as *apitest.Session, item, reason string) apitest.Response {
	t.Helper()
	return as.Post(t, `mutation($i: ID!, $r: ReportReason!) { reportContent(input: {itemID: $i, reason: $r, note: "bitte prüfen"}) { `+reportFields+` } }`,
		map[string]any{"i": item, "r": reason})
}

func queue(t *testing.T, as *apitest.Session, status string) []reportOut {
	t.Helper()
	var out struct {
		ModerationQueue struct{ Edges []struct{ Node reportOut } }
	}
	as.MustPost(t, `query($s: ReportStatus) { moderationQueue(first: 50, status: $s) { edges { node { `+reportFields+` } } } }`,
		map[string]any{"s": status}, &out)
	var rs []reportOut
	for _, e := range out.ModerationQueue.Edges {
		rs = append(rs, e.Node)
	}
	return rs
}

func myReports(t *testing.T, as *apitest.Session) map[string]reportOut {
	t.Helper()
	var out struct {
		MyReports struct{ Edges []struct{ Node reportOut } }
	}
	as.MustPost(t, `{ myReports(first: 50) { edges { node { `+reportFields+` } } } }`, nil, &out)
	rs := map[string]reportOut{}
	for _, e := range out.MyReports.Edges {
		rs[e.Node.ID] = e.Node
	}
	return rs
}

// sees tells whether the session finds the item by node(id).
func sees(t *testing.T, as *apitest.Session, id string) bool {
	t.Helper()
	var out struct{ Node *struct{ ID string } }
	as.MustPost(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &out)
	return out.Node != nil
}

// visibleCounts counts, as the session, what the hidden message could show up in: the
// discussion's messages, the messages filtered by its words, discussions filtered by a message
// with its words, and search hits.
func visibleCounts(t *testing.T, as *apitest.Session, discussion, word string) [4]int {
	t.Helper()
	var out struct {
		D *struct {
			Messages struct{ TotalCount int }
		} `json:"d"`
		M struct{ TotalCount int }         `json:"m"`
		F struct{ TotalCount int }         `json:"f"`
		S struct{ Hits []json.RawMessage } `json:"s"`
	}
	as.MustPost(t, `query($d: ID!, $w: String!) {
		d: node(id: $d) { ... on Discussion { messages(first: 50) { totalCount } } }
		m: messages(first: 50, where: {bodyContains: $w}) { totalCount }
		f: discussions(first: 50, where: {hasMessagesWith: {bodyContains: $w}}) { totalCount }
		s: search(query: $w, types: [MESSAGE]) { hits { node { id } } }
	}`, map[string]any{"d": discussion, "w": word}, &out)
	n := 0
	if out.D != nil {
		n = out.D.Messages.TotalCount
	}
	return [4]int{n, out.M.TotalCount, out.F.TotalCount, len(out.S.Hits)}
}

// TestModerationInACircle: a report about a message in a closed circle reaches the circle's
// moderators only; hiding it takes it from everyone but its author (who reads the reason)
// and the moderators, in lists, node, filters, counts and search; the reporter learns the
// outcome; restoring brings it back. Every step is carried to the audit log.
func TestModerationInACircle(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newModWorld(t, env)
		d := startDiscussion(t, w.Anna, "Erfahrungen mit E-Akte", w.TopicID, w.CircleID)
		post(t, w.Anna, d, "Wir führen die E-Akte ein.", nil)
		msg := post(t, w.Jonas, d, "Schnäppchenangebot Zauberwürfel", nil)

		res := report(t, w.Anna, msg.ID, "SPAM")
		var filed struct{ ReportContent reportOut }
		if len(res.Errors) > 0 || json.Unmarshal(res.Data, &filed) != nil || filed.ReportContent.Status != "OPEN" {
			t.Fatalf("reporting: %+v %s", res.Errors, res.Data)
		}
		rep := filed.ReportContent.ID
		if !w.audit.has("moderation.report Report " + rep + " SPAM") {
			t.Errorf("the report is not in the audit trail: %v", w.audit.entries)
		}
		t.Run("a second open report of the same item is refused", func(t *testing.T) {
			wantError(t, report(t, w.Anna, msg.ID, "OFFENSIVE"), "CONFLICT", "")
		})
		t.Run("only the circle's moderators see the report in their queue", func(t *testing.T) {
			if q := queue(t, w.Mona, "OPEN"); len(q) != 1 || q[0].ID != rep || q[0].Item == nil || q[0].Item.ID != msg.ID {
				t.Fatalf("Mona's queue: %+v", q)
			}
			for name, as := range map[string]*apitest.Session{"a member": w.Jonas, "the platform moderator": w.Paul, "the reporter": w.Anna} {
				if q := queue(t, as, "OPEN"); len(q) != 0 {
					t.Errorf("%s sees the queue: %+v", name, q)
				}
			}
		})
		t.Run("members who do not moderate the circle cannot act", func(t *testing.T) {
			for _, row := range []struct {
				name                      string
				as                        *apitest.Session
				dismissCode, dismissField string // the author does not see the report at all
			}{
				{"the author", w.Jonas, "NOT_FOUND", "id"},
				{"the reporter", w.Anna, "FORBIDDEN", ""},
			} {
				t.Run(row.name, func(t *testing.T) {
					wantError(t, row.as.Post(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "x") { __typename } }`, map[string]any{"i": msg.ID}), "FORBIDDEN", "")
					wantError(t, row.as.Post(t, `mutation($i: ID!) { dismissReport(id: $i) { id } }`, map[string]any{"i": rep}), row.dismissCode, row.dismissField)
					wantError(t, row.as.Post(t, `mutation($i: ID!) { lockDiscussion(id: $i, reason: "x") { id } }`, map[string]any{"i": d}), "FORBIDDEN", "")
				})
			}
			// The platform moderator is not a member of the closed circle: the item is not there for him.
			wantError(t, w.Paul.Post(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "x") { __typename } }`, map[string]any{"i": msg.ID}), "NOT_FOUND", "itemID")
		})

		before := visibleCounts(t, w.Anna, d, "Zauberwürfel")
		if before != [4]int{2, 1, 1, 1} {
			t.Fatalf("before hiding, Anna sees %v", before)
		}
		wantError(t, w.Mona.Post(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "  ") { __typename } }`, map[string]any{"i": msg.ID}), "BAD_USER_INPUT", "reason")
		w.Mona.MustPost(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "Werbung gehört nicht in den Zirkel") { ... on Message { hiddenAt hiddenReason } } }`,
			map[string]any{"i": msg.ID}, nil)
		if !w.audit.has("moderation.hide Message " + msg.ID + " Werbung gehört nicht in den Zirkel") {
			t.Errorf("hiding is not in the audit trail: %v", w.audit.entries)
		}

		t.Run("others do not see the hidden message anywhere", func(t *testing.T) {
			if got := visibleCounts(t, w.Anna, d, "Zauberwürfel"); got != [4]int{1, 0, 0, 0} {
				t.Fatalf("Anna still sees it (messages, filter, has…With, search): %v", got)
			}
			if sees(t, w.Anna, msg.ID) {
				t.Fatal("node(id) shows the hidden message to Anna")
			}
		})
		t.Run("the author sees it with the reason, the moderator sees it", func(t *testing.T) {
			var out struct {
				Node struct {
					Body         string
					HiddenReason *string
				}
			}
			w.Jonas.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Message { body hiddenReason } } }`, map[string]any{"id": msg.ID}, &out)
			if out.Node.HiddenReason == nil || *out.Node.HiddenReason != "Werbung gehört nicht in den Zirkel" || out.Node.Body == "" {
				t.Fatalf("the author reads %+v", out.Node)
			}
			if got := visibleCounts(t, w.Jonas, d, "Zauberwürfel"); got != [4]int{2, 1, 1, 1} {
				t.Fatalf("the author sees %v", got)
			}
			if !sees(t, w.Mona, msg.ID) {
				t.Fatal("the moderator does not see the hidden message")
			}
		})
		t.Run("the reporter learns the outcome", func(t *testing.T) {
			got := myReports(t, w.Anna)[rep]
			if got.Status != "ACTION_TAKEN" || got.ResolutionNote == nil || *got.ResolutionNote != "Werbung gehört nicht in den Zirkel" || got.DecidedAt == nil {
				t.Fatalf("Anna's report: %+v", got)
			}
			if got.Item != nil {
				t.Fatalf("the reporter sees the hidden item through the report: %+v", got.Item)
			}
			if q := queue(t, w.Mona, "OPEN"); len(q) != 0 {
				t.Fatalf("the decided report is still open: %+v", q)
			}
			wantError(t, w.Mona.Post(t, `mutation($i: ID!) { dismissReport(id: $i, note: "doch nicht") { id } }`, map[string]any{"i": rep}), "CONFLICT", "")
		})
		t.Run("the author cannot restore it", func(t *testing.T) {
			wantError(t, w.Jonas.Post(t, `mutation($i: ID!) { restoreContent(itemID: $i) { __typename } }`, map[string]any{"i": msg.ID}), "FORBIDDEN", "")
		})

		w.Mona.MustPost(t, `mutation($i: ID!) { restoreContent(itemID: $i, reason: "nach Rücksprache") { __typename } }`, map[string]any{"i": msg.ID}, nil)
		if got := visibleCounts(t, w.Anna, d, "Zauberwürfel"); got != before {
			t.Fatalf("after restoring, Anna sees %v, want %v", got, before)
		}
		if !w.audit.has("moderation.restore Message " + msg.ID + " nach Rücksprache") {
			t.Errorf("restoring is not in the audit trail: %v", w.audit.entries)
		}
	})
}

// TestModerationOutsideCircles: platform moderators handle reports about items outside
// circles (a circle's moderator does not); they dismiss, lock a discussion (which refuses
// new messages and which its author cannot unlock) and hide a whole discussion.
func TestModerationOutsideCircles(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newModWorld(t, env)
		d := startDiscussion(t, w.Jonas, "Offene Diskussion über Glasfaser", w.TopicID, "")
		res := report(t, w.Anna, d, "OFFENSIVE")
		var filed struct{ ReportContent reportOut }
		if len(res.Errors) > 0 || json.Unmarshal(res.Data, &filed) != nil {
			t.Fatalf("reporting: %+v", res.Errors)
		}
		first := filed.ReportContent.ID
		if q := queue(t, w.Paul, "OPEN"); len(q) != 1 || q[0].ID != first {
			t.Fatalf("the platform moderator's queue: %+v", q)
		}
		if q := queue(t, w.Mona, "OPEN"); len(q) != 0 {
			t.Fatalf("a circle's moderator sees reports outside the circle: %+v", q)
		}

		w.Paul.MustPost(t, `mutation($i: ID!) { dismissReport(id: $i, note: "kein Verstoß erkennbar") { id } }`, map[string]any{"i": first}, nil)
		if got := myReports(t, w.Anna)[first]; got.Status != "DISMISSED" || got.ResolutionNote == nil || *got.ResolutionNote != "kein Verstoß erkennbar" {
			t.Fatalf("the reporter reads %+v", got)
		}
		if !w.audit.has("moderation.dismiss Report " + first + " kein Verstoß erkennbar") {
			t.Errorf("dismissing is not in the audit trail: %v", w.audit.entries)
		}

		t.Run("lock", func(t *testing.T) {
			res := report(t, w.Anna, d, "OFFENSIVE") // the first one is decided: a new one may be filed
			var again struct{ ReportContent reportOut }
			if len(res.Errors) > 0 || json.Unmarshal(res.Data, &again) != nil {
				t.Fatalf("reporting again: %+v", res.Errors)
			}
			w.Paul.MustPost(t, `mutation($i: ID!) { lockDiscussion(id: $i, reason: "Ton verfehlt") { status lockReason } }`, map[string]any{"i": d}, nil)
			if got := myReports(t, w.Anna)[again.ReportContent.ID]; got.Status != "ACTION_TAKEN" {
				t.Fatalf("locking did not settle the report: %+v", got)
			}
			wantError(t, w.Anna.Post(t, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "trotzdem"}) { id } }`, map[string]any{"d": d}), "FORBIDDEN", "")
			wantError(t, w.Jonas.Post(t, `mutation($id: ID!) { updateDiscussion(id: $id, input: {status: OPEN}) { id } }`, map[string]any{"id": d}), "FORBIDDEN", "")
			wantError(t, w.Jonas.Post(t, `mutation($id: ID!) { unlockDiscussion(id: $id) { id } }`, map[string]any{"id": d}), "FORBIDDEN", "")
			if !w.audit.has("moderation.lock Discussion " + d + " Ton verfehlt") {
				t.Errorf("locking is not in the audit trail: %v", w.audit.entries)
			}
			w.Paul.MustPost(t, `mutation($i: ID!) { unlockDiscussion(id: $i, reason: "beruhigt") { id } }`, map[string]any{"i": d}, nil)
			post(t, w.Anna, d, "Danke fürs Öffnen.", nil)
			if !w.audit.has("moderation.unlock Discussion " + d + " beruhigt") {
				t.Errorf("unlocking is not in the audit trail: %v", w.audit.entries)
			}
		})

		t.Run("a hidden discussion", func(t *testing.T) {
			count := func(as *apitest.Session) int {
				var out struct{ Discussions struct{ TotalCount int } }
				as.MustPost(t, `{ discussions(first: 50) { totalCount } }`, nil, &out)
				return out.Discussions.TotalCount
			}
			before := count(w.Anna)
			wantError(t, w.Mona.Post(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "x") { __typename } }`, map[string]any{"i": d}), "FORBIDDEN", "")
			w.Paul.MustPost(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "doppelt") { __typename } }`, map[string]any{"i": d}, nil)
			if got := count(w.Anna); got != before-1 || sees(t, w.Anna, d) {
				t.Fatalf("Anna still sees the hidden discussion (%d of %d before)", got, before)
			}
			if !sees(t, w.Jonas, d) || !sees(t, w.Paul, d) {
				t.Fatal("the author or the moderator lost the hidden discussion")
			}
		})
	})
}

// TestSalesPitchReports: SALES_PITCH is a reason only for items of vendors.
func TestSalesPitchReports(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newModWorld(t, env)
		d := startDiscussion(t, w.Anna, "Welche DMS-Lösung?", w.TopicID, "")
		pitch := post(t, w.Vera, d, "Unser DMS ist das beste, jetzt Demo buchen!", nil)
		plain := post(t, w.Jonas, d, "Wir nutzen enaio.", nil)
		if res := report(t, w.Anna, pitch.ID, "SALES_PITCH"); len(res.Errors) > 0 {
			t.Fatalf("reporting a vendor's post as a sales pitch: %+v", res.Errors)
		}
		wantError(t, report(t, w.Anna, plain.ID, "SALES_PITCH"), "BAD_USER_INPUT", "reason")
		if res := report(t, w.Anna, plain.ID, "OTHER"); len(res.Errors) > 0 {
			t.Fatalf("another reason for the same post: %+v", res.Errors)
		}
		if q := queue(t, w.Paul, "OPEN"); len(q) != 2 {
			t.Fatalf("the queue: %+v", q)
		}
	})
}

// TestCircleBan: a ban ends the membership; the banned member cannot rejoin, ask to join,
// start discussions or post in the circle until the ban is lifted. Only the circle's
// moderators and admins ban.
func TestCircleBan(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newModWorld(t, env)
		var open struct{ CreateCircle struct{ ID string } }
		w.Admin.MustPost(t, `mutation { createCircle(input: {name: "Offener Austausch", slug: "offen", visibility: OPEN}) { id } }`, nil, &open)
		oc := open.CreateCircle.ID
		w.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m, role: MODERATOR) { id } }`,
			map[string]any{"c": oc, "m": w.Mona.MemberID}, nil)
		w.Jonas.MustPost(t, `mutation($c: ID!) { joinCircle(circleID: $c) { id } }`, map[string]any{"c": oc}, nil)
		d := startDiscussion(t, w.Anna, "Offene Runde", w.TopicID, oc)

		wantError(t, w.Anna.Post(t, `mutation($c: ID!, $m: ID!) { banFromCircle(circleID: $c, memberID: $m, reason: "x") { id } }`,
			map[string]any{"c": oc, "m": w.Jonas.MemberID}), "FORBIDDEN", "")
		var ban struct{ BanFromCircle struct{ ID string } }
		for _, c := range []string{oc, w.CircleID} {
			w.Mona.MustPost(t, `mutation($c: ID!, $m: ID!) { banFromCircle(circleID: $c, memberID: $m, reason: "wiederholt Werbung") { id } }`,
				map[string]any{"c": c, "m": w.Jonas.MemberID}, &ban)
			if !w.audit.has("moderation.ban CircleBan " + ban.BanFromCircle.ID + " wiederholt Werbung") {
				t.Errorf("the ban is not in the audit trail: %v", w.audit.entries)
			}
		}
		var mine struct {
			Viewer struct {
				CircleMemberships struct{ TotalCount int }
			}
			CircleBans struct {
				Edges []struct{ Node struct{ Reason string } }
			}
		}
		w.Jonas.MustPost(t, `{ viewer { circleMemberships(first: 10) { totalCount } } circleBans(first: 10) { edges { node { reason } } } }`, nil, &mine)
		if mine.Viewer.CircleMemberships.TotalCount != 0 || len(mine.CircleBans.Edges) != 2 || mine.CircleBans.Edges[0].Node.Reason != "wiederholt Werbung" {
			t.Fatalf("after the bans Jonas has %+v", mine)
		}
		for _, row := range []struct {
			name  string
			as    *apitest.Session
			query string
			vars  map[string]any
		}{
			{"rejoin the open circle", w.Jonas, `mutation($c: ID!) { joinCircle(circleID: $c) { id } }`, map[string]any{"c": oc}},
			{"ask to join the closed circle", w.Jonas, `mutation($c: ID!) { requestToJoinCircle(circleID: $c) { id } }`, map[string]any{"c": w.CircleID}},
			{"post in the open circle", w.Jonas, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "hallo"}) { id } }`, map[string]any{"d": d}},
			{"start a discussion in the open circle", w.Jonas, `mutation($c: ID!) { createDiscussion(input: {title: "neu", circleID: $c}) { id } }`, map[string]any{"c": oc}},
			{"be added again by a moderator", w.Mona, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": w.CircleID, "m": w.Jonas.MemberID}},
			{"be added again by an admin", w.Admin, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": oc, "m": w.Jonas.MemberID}},
		} {
			t.Run("cannot "+row.name, func(t *testing.T) {
				wantError(t, row.as.Post(t, row.query, row.vars), "FORBIDDEN", "")
			})
		}
		var lifted struct{ LiftCircleBan string }
		var bans struct {
			CircleBans struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		w.Mona.MustPost(t, `query($c: ID) { circleBans(circleID: $c, first: 5) { edges { node { id } } } }`, map[string]any{"c": oc}, &bans)
		if len(bans.CircleBans.Edges) != 1 {
			t.Fatalf("the open circle's bans: %+v", bans)
		}
		w.Mona.MustPost(t, `mutation($i: ID!) { liftCircleBan(id: $i, reason: "Einsicht") }`, map[string]any{"i": bans.CircleBans.Edges[0].Node.ID}, &lifted)
		w.Jonas.MustPost(t, `mutation($c: ID!) { joinCircle(circleID: $c) { id } }`, map[string]any{"c": oc}, nil)
		post(t, w.Jonas, d, "Ich halte mich an die Regeln.", nil)
	})
}

// TestHiddenPractice: a reported practice outside circles is hidden by a platform moderator:
// other members no longer find it in lists, counts, filters or search; its author reads why.
func TestHiddenPractice(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newModWorld(t, env)
		var created struct{ CreatePractice struct{ ID string } }
		w.Anna.MustPost(t, `mutation($org: ID!, $t: ID!) { createPractice(input: {
			title: "Quittenpresse im Bürgerbüro", summary: "Wie wir Termine digital vergeben", problem: "Warteschlangen", approach: "Online-Termine", outcome: "kürzere Wartezeit", organisationID: $org, topicIDs: [$t] }) { id } }`,
			map[string]any{"org": w.OrgID, "t": w.TopicID}, &created)
		p := created.CreatePractice.ID
		w.Anna.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, map[string]any{"id": p}, nil)
		counts := func(as *apitest.Session) [3]int {
			var out struct {
				L struct{ TotalCount int }         `json:"l"`
				T struct{ TotalCount int }         `json:"t"`
				S struct{ Hits []json.RawMessage } `json:"s"`
			}
			as.MustPost(t, `{
				l: practices(first: 50, where: {titleContains: "Quittenpresse"}) { totalCount }
				t: topics(first: 50, where: {hasPracticesWith: {titleContains: "Quittenpresse"}}) { totalCount }
				s: search(query: "Quittenpresse", types: [PRACTICE]) { hits { node { id } } }
			}`, nil, &out)
			return [3]int{out.L.TotalCount, out.T.TotalCount, len(out.S.Hits)}
		}
		if got := counts(w.Jonas); got != [3]int{1, 1, 1} {
			t.Fatalf("before hiding Jonas finds %v", got)
		}
		if res := report(t, w.Jonas, p, "MISINFORMATION"); len(res.Errors) > 0 {
			t.Fatalf("reporting the practice: %+v", res.Errors)
		}
		if q := queue(t, w.Paul, "OPEN"); len(q) != 1 || q[0].Item == nil || q[0].Item.ID != p {
			t.Fatalf("the platform moderator's queue: %+v", q)
		}
		wantError(t, w.Anna.Post(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "x") { __typename } }`, map[string]any{"i": p}), "FORBIDDEN", "")
		w.Paul.MustPost(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "Zahlen nicht belegt") { __typename } }`, map[string]any{"i": p}, nil)
		if got := counts(w.Jonas); got != [3]int{0, 0, 0} || sees(t, w.Jonas, p) {
			t.Fatalf("after hiding Jonas still finds %v", got)
		}
		var mine struct {
			Node struct{ HiddenReason *string }
		}
		w.Anna.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Practice { hiddenReason } } }`, map[string]any{"id": p}, &mine)
		if mine.Node.HiddenReason == nil || *mine.Node.HiddenReason != "Zahlen nicht belegt" {
			t.Fatalf("the author reads %+v", mine.Node)
		}
		wantError(t, w.Anna.Post(t, `mutation($i: ID!) { restoreContent(itemID: $i) { __typename } }`, map[string]any{"i": p}), "FORBIDDEN", "")
		w.Paul.MustPost(t, `mutation($i: ID!) { restoreContent(itemID: $i) { __typename } }`, map[string]any{"i": p}, nil)
		if got := counts(w.Jonas); got != [3]int{1, 1, 1} {
			t.Fatalf("after restoring Jonas finds %v", got)
		}
	})
}
