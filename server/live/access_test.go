package live_test

import (
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
)

// TestAccessIsCheckedForEveryEvent: a member removed from a closed circle stops receiving and
// is told why; a member whose session ends is disconnected with 4401.
func TestAccessIsCheckedForEveryEvent(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		var circle struct{ CreateCircle struct{ ID string } }
		c.admin.MustPost(t, `mutation { createCircle(input: {name: "Geheim", slug: "geheim", visibility: CLOSED}) { id } }`, nil, &circle)
		circleID := circle.CreateCircle.ID
		for _, m := range []string{c.anna.MemberID, c.jonas.MemberID} {
			c.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": circleID, "m": m}, nil)
		}
		anna := env.Login(t, "local", email(t, c.admin, c.anna.MemberID), apitest.Password)
		jonas := env.Login(t, "local", email(t, c.admin, c.jonas.MemberID), apitest.Password)
		d := startDiscussion(t, anna, circleID)

		ws := jonas.DialWS(t, apitest.TransportWS)
		_ = ws.Subscribe("c", addedQuery, map[string]any{"d": d})
		time.Sleep(100 * time.Millisecond)
		post(t, anna, d, "vertraulich 1")
		if ev := decodeAdded(t, ws.Next("c")); ev.Data.MessageAdded.Message.Body != "vertraulich 1" {
			t.Fatalf("got %+v", ev)
		}
		c.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { removeCircleMember(circleID: $c, memberID: $m) }`, map[string]any{"c": circleID, "m": c.jonas.MemberID}, nil)
		m, err := ws.Read(5 * time.Second)
		if err != nil || !strings.Contains(string(m.Payload), "FORBIDDEN") || !strings.Contains(string(m.Payload), "access revoked") {
			t.Fatalf("want the revocation, got %s %s %v", m.Type, m.Payload, err)
		}
		if m, err := ws.Read(5 * time.Second); err != nil || m.Type != "complete" {
			t.Fatalf("want complete, got %s %v", m.Type, err)
		}
		post(t, anna, d, "vertraulich 2")

		annaWS := anna.DialWS(t, apitest.LegacyWS)
		_ = annaWS.Subscribe("a", addedQuery, map[string]any{"d": d})
		time.Sleep(100 * time.Millisecond)
		anna.MustPost(t, `mutation { logout }`, nil, nil)
		if code, reason := annaWS.CloseCode(5 * time.Second); code != 4401 || !strings.Contains(reason, "session") {
			t.Fatalf("want 4401, got %d %q", code, reason)
		}
	})
}

func email(t *testing.T, admin *apitest.Session, id string) string {
	t.Helper()
	var out struct{ Node struct{ Email string } }
	admin.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Member { email } } }`, map[string]any{"id": id}, &out)
	return out.Node.Email
}
