package graph_test

import (
	"sync"
	"testing"

	"zirkel/ent/member"
	"zirkel/server/apitest"
)

const (
	askToJoin    = `mutation($c: ID!, $m: String) { requestToJoinCircle(circleID: $c, message: $m) { id status message } }`
	acceptJoin   = `mutation($id: ID!, $r: String) { acceptJoinRequest(id: $id, reason: $r) { id status reason decidedAt decidedBy { id } } }`
	declineJoin  = `mutation($id: ID!, $r: String) { declineJoinRequest(id: $id, reason: $r) { id status reason decidedAt decidedBy { id } } }`
	myRequests   = `{ r: viewer { joinRequests(first: 10) { edges { node { id status message reason decidedAt decidedBy { id } circle { id } } } } } }`
	circleAsks   = `query($c: ID!) { r: node(id: $c) { ... on Circle { joinRequests(first: 10) { totalCount } } } }`
	isMemberOfIt = `query($c: ID!) { r: node(id: $c) { ... on Circle { memberships(first: 10) { edges { node { member { id } } } } } } }`
)

// joinWorld has a closed circle with a moderator, a closed circle that admits vendors and an
// open circle; rows add the members who ask.
type joinWorld struct {
	env                      *apitest.Env
	admin, moderator         *apitest.Session
	closed, forVendors, open string
}

func newJoinWorld(t *testing.T, env *apitest.Env) *joinWorld {
	w := &joinWorld{env: env}
	w.admin = env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})
	w.moderator = env.NewMember(t, apitest.Spec{Name: "Moderatorin"})
	create := `mutation($s: String!, $v: CircleVisibility!, $vendors: Boolean) { r: createCircle(input: {name: $s, slug: $s, visibility: $v, vendorsMayAsk: $vendors}) { id } }`
	w.closed = must[struct{ ID string }](t, w.admin, create, map[string]any{"s": "geschlossen", "v": "CLOSED"}).ID
	w.forVendors = must[struct{ ID string }](t, w.admin, create, map[string]any{"s": "mit-anbietern", "v": "CLOSED", "vendors": true}).ID
	w.open = must[struct{ ID string }](t, w.admin, create, map[string]any{"s": "offen", "v": "OPEN"}).ID
	for _, c := range []string{w.closed, w.forVendors} {
		must[struct{ ID string }](t, w.admin, `mutation($c: ID!, $m: ID!) { r: addCircleMember(circleID: $c, memberID: $m, role: MODERATOR) { id } }`,
			map[string]any{"c": c, "m": w.moderator.MemberID})
	}
	return w
}

type joinRequest struct {
	ID, Status, Message, Reason string
	DecidedAt                   *string
	DecidedBy                   *struct{ ID string }
	Circle                      struct{ ID string }
}

func (w *joinWorld) ask(t *testing.T, as *apitest.Session, circle string) string {
	t.Helper()
	var out struct{ RequestToJoinCircle joinRequest }
	as.MustPost(t, askToJoin, map[string]any{"c": circle, "m": "Ich leite die Digitalisierung im Kreis."}, &out)
	return out.RequestToJoinCircle.ID
}

func belongsTo(t *testing.T, as *apitest.Session, circle, memberID string) bool {
	t.Helper()
	out := must[struct {
		Memberships struct {
			Edges []struct {
				Node struct{ Member struct{ ID string } }
			}
		}
	}](t, as, isMemberOfIt, map[string]any{"c": circle})
	for _, e := range out.Memberships.Edges {
		if e.Node.Member.ID == memberID {
			return true
		}
	}
	return false
}

// TestClosedCircleJoinRequests: members ask to join a closed circle, its moderators (and
// admins) accept or decline, and the member sees the decision.
func TestClosedCircleJoinRequests(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newJoinWorld(t, env)
		t.Run("a member asks and the moderator accepts: the member joins and sees the decision", func(t *testing.T) {
			anna := env.NewMember(t, apitest.Spec{Name: "Anna"})
			id := w.ask(t, anna, w.closed)
			if n := must[struct{ JoinRequests struct{ TotalCount int } }](t, w.moderator, circleAsks, map[string]any{"c": w.closed}).JoinRequests.TotalCount; n != 1 {
				t.Fatalf("the moderator sees %d requests", n)
			}
			var out struct{ AcceptJoinRequest joinRequest }
			w.moderator.MustPost(t, acceptJoin, map[string]any{"id": id, "r": "Willkommen!"}, &out)
			if out.AcceptJoinRequest.Status != "ACCEPTED" || out.AcceptJoinRequest.DecidedBy.ID != w.moderator.MemberID {
				t.Fatalf("got %+v", out.AcceptJoinRequest)
			}
			if !belongsTo(t, anna, w.closed, anna.MemberID) {
				t.Fatal("accepted, but not a member")
			}
			mine := must[struct {
				JoinRequests struct{ Edges []struct{ Node joinRequest } }
			}](t, anna, myRequests, nil).JoinRequests.Edges
			if len(mine) != 1 || mine[0].Node.Status != "ACCEPTED" || mine[0].Node.Reason != "Willkommen!" || mine[0].Node.DecidedAt == nil ||
				mine[0].Node.DecidedBy == nil || mine[0].Node.Circle.ID != w.closed {
				t.Fatalf("the member sees %+v", mine)
			}
		})
		t.Run("declined with a reason: the member sees it, stays outside and may ask again", func(t *testing.T) {
			bernd := env.NewMember(t, apitest.Spec{Name: "Bernd"})
			id := w.ask(t, bernd, w.closed)
			var out struct{ DeclineJoinRequest joinRequest }
			w.moderator.MustPost(t, declineJoin, map[string]any{"id": id, "r": "Nur für Landkreise."}, &out)
			if out.DeclineJoinRequest.Status != "DECLINED" || out.DeclineJoinRequest.Reason != "Nur für Landkreise." {
				t.Fatalf("got %+v", out.DeclineJoinRequest)
			}
			if belongsTo(t, w.moderator, w.closed, bernd.MemberID) {
				t.Fatal("declined, but a member")
			}
			wantError(t, w.moderator.Post(t, acceptJoin, map[string]any{"id": id}), "CONFLICT", "")
			w.ask(t, bernd, w.closed)
		})
		t.Run("a second open request is a conflict", func(t *testing.T) {
			clara := env.NewMember(t, apitest.Spec{Name: "Clara"})
			w.ask(t, clara, w.closed)
			wantError(t, clara.Post(t, askToJoin, map[string]any{"c": w.closed}), "CONFLICT", "")
		})
		t.Run("the same request sent many times at once is stored once", func(t *testing.T) {
			hans := env.NewMember(t, apitest.Spec{Name: "Hans"})
			const n = 8
			codes := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res := hans.Post(t, askToJoin, map[string]any{"c": w.closed})
					codes[i] = "ok"
					if len(res.Errors) > 0 {
						codes[i] = res.Errors[0].Code()
					}
				}()
			}
			wg.Wait()
			count := map[string]int{}
			for _, c := range codes {
				count[c]++
			}
			if count["ok"] != 1 || count["CONFLICT"] != n-1 {
				t.Fatalf("outcomes %v, want 1 ok and %d CONFLICT", count, n-1)
			}
		})
		t.Run("asking while a member is a conflict", func(t *testing.T) {
			wantError(t, w.moderator.Post(t, askToJoin, map[string]any{"c": w.closed}), "CONFLICT", "")
		})
		t.Run("open circles are joined directly", func(t *testing.T) {
			dora := env.NewMember(t, apitest.Spec{Name: "Dora"})
			wantError(t, dora.Post(t, askToJoin, map[string]any{"c": w.open}), "BAD_USER_INPUT", "circleID")
			dora.MustPost(t, `mutation($c: ID!) { joinCircle(circleID: $c) { id } }`, map[string]any{"c": w.open}, nil)
		})
		t.Run("vendors ask only circles that admit vendors", func(t *testing.T) {
			vendor := env.NewMember(t, apitest.Spec{Name: "Anbieter", CommunityRole: member.CommunityRoleVENDOR})
			wantError(t, vendor.Post(t, askToJoin, map[string]any{"c": w.closed}), "FORBIDDEN", "")
			w.ask(t, vendor, w.forVendors)
		})
		t.Run("anonymous visitors cannot ask", func(t *testing.T) {
			wantError(t, env.Anonymous().Post(t, askToJoin, map[string]any{"c": w.closed}), "UNAUTHENTICATED", "")
		})
		t.Run("other members neither see nor decide a request", func(t *testing.T) {
			emil, other := env.NewMember(t, apitest.Spec{Name: "Emil"}), env.NewMember(t, apitest.Spec{Name: "Fremd"})
			id := w.ask(t, emil, w.closed)
			if n := must[struct{ JoinRequests struct{ TotalCount int } }](t, other, circleAsks, map[string]any{"c": w.closed}).JoinRequests.TotalCount; n != 0 {
				t.Errorf("another member sees %d requests", n)
			}
			wantError(t, other.Post(t, acceptJoin, map[string]any{"id": id}), "NOT_FOUND", "id")
			wantError(t, emil.Post(t, acceptJoin, map[string]any{"id": id}), "FORBIDDEN", "") // not their own either
		})
		t.Run("a plain member of the circle does not decide", func(t *testing.T) {
			insider, asker := env.NewMember(t, apitest.Spec{Name: "Drinnen"}), env.NewMember(t, apitest.Spec{Name: "Fragt"})
			must[struct{ ID string }](t, w.admin, `mutation($c: ID!, $m: ID!) { r: addCircleMember(circleID: $c, memberID: $m) { id } }`,
				map[string]any{"c": w.closed, "m": insider.MemberID})
			id := w.ask(t, asker, w.closed)
			wantError(t, insider.Post(t, acceptJoin, map[string]any{"id": id}), "NOT_FOUND", "id")
		})
		t.Run("an admin outside the circle sees and decides requests", func(t *testing.T) {
			gabi := env.NewMember(t, apitest.Spec{Name: "Gabi"})
			id := w.ask(t, gabi, w.closed)
			var out struct{ AcceptJoinRequest joinRequest }
			w.admin.MustPost(t, acceptJoin, map[string]any{"id": id}, &out)
			if out.AcceptJoinRequest.Status != "ACCEPTED" || !belongsTo(t, gabi, w.closed, gabi.MemberID) {
				t.Fatalf("got %+v", out.AcceptJoinRequest)
			}
		})
	})
}
