package live_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/live"
)

// TestAccessIsCheckedForEveryEvent: a member removed from a closed circle stops receiving and
// is told why; a member whose session ends is disconnected with 4401.
func TestAccessIsCheckedForEveryEvent(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		cd := newCircleDiscussion(t, newCommunity(t, env))
		anna, jonas, d := cd.anna, cd.jonas, cd.id

		ws := jonas.DialWS(t, apitest.TransportWS)
		_ = ws.Subscribe("c", addedQuery, map[string]any{"d": d})
		time.Sleep(100 * time.Millisecond)
		post(t, anna, d, "vertraulich 1")
		if ev := decodeAdded(t, ws.Next("c")); ev.Data.MessageAdded.Message.Body != "vertraulich 1" {
			t.Fatalf("got %+v", ev)
		}
		cd.removeJonas(t)
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

// circleDiscussion is a discussion in a closed circle of Anna and Jonas, with their sessions
// (logged in after they joined).
type circleDiscussion struct {
	c           *community
	id, circle  string
	anna, jonas *apitest.Session
}

func newCircleDiscussion(t *testing.T, c *community) circleDiscussion {
	t.Helper()
	var circle struct{ CreateCircle struct{ ID string } }
	c.admin.MustPost(t, `mutation { createCircle(input: {name: "Geheim", slug: "geheim", visibility: CLOSED}) { id } }`, nil, &circle)
	cd := circleDiscussion{c: c, circle: circle.CreateCircle.ID}
	for _, m := range []string{c.anna.MemberID, c.jonas.MemberID} {
		c.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": cd.circle, "m": m}, nil)
	}
	cd.anna = c.env.Login(t, "local", email(t, c.admin, c.anna.MemberID), apitest.Password)
	cd.jonas = c.env.Login(t, "local", email(t, c.admin, c.jonas.MemberID), apitest.Password)
	cd.id = startDiscussion(t, cd.anna, cd.circle)
	return cd
}

// removeJonas takes Jonas out of the circle.
func (cd circleDiscussion) removeJonas(t *testing.T) {
	t.Helper()
	cd.c.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { removeCircleMember(circleID: $c, memberID: $m) }`, map[string]any{"c": cd.circle, "m": cd.c.jonas.MemberID}, nil)
}

func email(t *testing.T, admin *apitest.Session, id string) string {
	t.Helper()
	var out struct{ Node struct{ Email string } }
	admin.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Member { email } } }`, map[string]any{"id": id}, &out)
	return out.Node.Email
}

// TestAccessLostDuringReplay: a resumed subscriber who loses access while the replay waits for
// them to read gets no more of it: the replay stops, FORBIDDEN follows what was already on its
// way, then complete.
func TestAccessLostDuringReplay(t *testing.T) {
	cfg := live.DefaultConfig
	cfg.Buffer = 16
	env := apitest.Start(t, "sqlite", nil, app.WithLiveConfig(cfg))
	cd := newCircleDiscussion(t, newCommunity(t, env))
	anna, jonas, d := cd.anna, cd.jonas, cd.id
	const stored = 200
	body := strings.Repeat("vertraulich ", 800) // about 9.6 KB: some dozens fill the sockets
	for i := range stored {
		post(t, anna, d, fmt.Sprint(i, body))
	}

	ws := jonas.DialWS(t, apitest.TransportWS)
	_ = ws.Subscribe("r", addedQuery, map[string]any{"d": d, "after": 0})
	time.Sleep(300 * time.Millisecond) // the replay fills the sockets and the buffer, then waits
	cd.removeJonas(t)
	time.Sleep(200 * time.Millisecond)

	received, want, forbidden := 0, 1, false
	for {
		m, err := ws.Read(5 * time.Second)
		if err != nil {
			t.Fatalf("after %d messages: %v", received, err)
		}
		if m.Type == "complete" {
			break
		}
		if strings.Contains(string(m.Payload), "FORBIDDEN") {
			forbidden = true
			continue
		}
		if forbidden {
			t.Fatalf("a message after the revocation: %s", m.Payload)
		}
		ev := decodeAdded(t, m.Payload)
		if got := ev.Data.MessageAdded.Cursor; got != want {
			t.Fatalf("got position %d, want %d", got, want)
		}
		received++
		want++
	}
	t.Logf("%d of %d stored messages were on their way when access was lost", received, stored)
	if !forbidden || received >= stored {
		t.Fatalf("the replay went on after access was lost (FORBIDDEN: %v)", forbidden)
	}
}

// TestNewSubscriptionsUseCurrentRights: a connection opened while its member could see a
// circle's discussion cannot subscribe to it (or replay it) once the member left the circle.
func TestNewSubscriptionsUseCurrentRights(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	cd := newCircleDiscussion(t, newCommunity(t, env))
	post(t, cd.anna, cd.id, "vertraulich")
	ws := cd.jonas.DialWS(t, apitest.TransportWS)
	_ = ws.Subscribe("t", `subscription($d: ID!) { typing(discussionID: $d) { expiresAt } }`, map[string]any{"d": cd.id})
	time.Sleep(100 * time.Millisecond)
	cd.removeJonas(t)
	if m, err := ws.Read(5 * time.Second); err != nil || m.Type != "complete" {
		t.Fatalf("the typing subscription must end: %s %s %v", m.Type, m.Payload, err)
	}
	post(t, cd.anna, cd.id, "nach dem Austritt")
	_ = ws.Subscribe("r", addedQuery, map[string]any{"d": cd.id, "after": 0})
	m, err := ws.Read(5 * time.Second)
	if err != nil || strings.Contains(string(m.Payload), "vertraulich") || strings.Contains(string(m.Payload), "Austritt") ||
		!strings.Contains(string(m.Payload), "NOT_FOUND") {
		t.Fatalf("a new subscription must not see the discussion: %s %s %v", m.Type, m.Payload, err)
	}
}

// TestCircleTurningClosedEndsOutsiders: an open circle's discussion is watched by a member who
// is not in the circle; when an admin closes the circle, the outsider's subscription ends with
// FORBIDDEN, while a member of the circle keeps receiving (both protocols, both databases).
func TestCircleTurningClosedEndsOutsiders(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		var circle struct{ CreateCircle struct{ ID string } }
		c.admin.MustPost(t, `mutation { createCircle(input: {name: "Offen", slug: "offen", visibility: OPEN}) { id } }`, nil, &circle)
		id := circle.CreateCircle.ID
		c.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": id, "m": c.anna.MemberID}, nil)
		anna := env.Login(t, "local", email(t, c.admin, c.anna.MemberID), apitest.Password)
		d := startDiscussion(t, anna, id)

		outsider := c.jonas.DialWS(t, apitest.TransportWS)
		_ = outsider.Subscribe("o", addedQuery, map[string]any{"d": d})
		insider := anna.DialWS(t, apitest.LegacyWS)
		_ = insider.Subscribe("i", addedQuery, map[string]any{"d": d})
		time.Sleep(100 * time.Millisecond)
		post(t, anna, d, "noch offen")
		if ev := decodeAdded(t, outsider.Next("o")); ev.Data.MessageAdded.Message.Body != "noch offen" {
			t.Fatalf("outsider got %+v", ev)
		}
		_ = insider.Next("i")

		c.admin.MustPost(t, `mutation($c: ID!) { updateCircle(id: $c, input: {visibility: CLOSED}) { id } }`, map[string]any{"c": id}, nil)
		m, err := outsider.Read(5 * time.Second)
		if err != nil || !strings.Contains(string(m.Payload), "FORBIDDEN") {
			t.Fatalf("want the outsider's revocation, got %s %s %v", m.Type, m.Payload, err)
		}
		post(t, anna, d, "jetzt geschlossen")
		if ev := decodeAdded(t, insider.Next("i")); ev.Data.MessageAdded.Message.Body != "jetzt geschlossen" {
			t.Fatalf("insider got %+v", ev)
		}
	})
}
