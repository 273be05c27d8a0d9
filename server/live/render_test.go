package live_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/live"
	"zirkel/server/render"
)

// chatQuery is what a chat client selects: it fits live.MessageShape.
const chatQuery = `subscription($d: ID!, $after: Int) { messageAdded(discussionID: $d, after: $after) {
	cursor message { id body createdAt author { displayName organisation { name } } vendorLabel reactions { kind count } } } }`

// emailQuery asks for the author's e-mail address, which is rendered per subscriber (who reads
// it depends on the author's privacy setting and the subscriber).
const emailQuery = `subscription($d: ID!) { messageAdded(discussionID: $d) { message { body author { email } } } }`

// TestSharedRendering: subscribers who ask the same question about an event get one rendering,
// whatever cursor they resumed from; another document or another audience get their own, and
// a document outside the shape is rendered per subscriber with the subscriber's rights.
func TestSharedRendering(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			cfg := live.DefaultConfig
			cfg.MaxConnsPerMember = 100
			sharedRendering(t, apitest.Start(t, backend, nil, app.WithLiveConfig(cfg)))
		})
	}
}

func sharedRendering(t *testing.T, env *apitest.Env) {
	c := newCommunity(t, env)
	vendor := env.NewMember(t, apitest.Spec{Name: "Vera", CommunityRole: member.CommunityRoleVENDOR})

	const same = 12
	var members []*apitest.WS
	for range same {
		ws := c.anna.DialWS(t, apitest.TransportWS)
		_ = ws.Subscribe("1", chatQuery, map[string]any{"d": c.discussion})
		members = append(members, ws)
	}
	vendorWS := vendor.DialWS(t, apitest.TransportWS)
	_ = vendorWS.Subscribe("1", chatQuery, map[string]any{"d": c.discussion})
	aliased := c.jonas.DialWS(t, apitest.LegacyWS)
	_ = aliased.Subscribe("1", `subscription($d: ID!) { added: messageAdded(discussionID: $d) { cursor message { body } } }`, map[string]any{"d": c.discussion})
	// lastLoginAt is outside the shape: rendered for this subscriber alone.
	own := c.jonas.DialWS(t, apitest.TransportWS)
	_ = own.Subscribe("1", `subscription($d: ID!) { messageAdded(discussionID: $d) { message { body author { lastLoginAt } } } }`, map[string]any{"d": c.discussion})
	// The author shows the address to all members: members read it, vendors never.
	c.jonas.MustPost(t, `mutation { updatePrivacySettings(input: {emailVisibility: ALL_MEMBERS}) { emailVisibility } }`, nil, nil)
	memberEmail, vendorEmail := c.anna.DialWS(t, apitest.TransportWS), vendor.DialWS(t, apitest.TransportWS)
	for _, ws := range []*apitest.WS{memberEmail, vendorEmail} {
		_ = ws.Subscribe("1", emailQuery, map[string]any{"d": c.discussion})
	}
	waitForSubscriptions(t, env, same+5)

	rendered0, reused0 := env.App.Live.Renderings()
	post(t, c.jonas, c.discussion, "Für alle gleich")
	var first string
	for i, ws := range members {
		got := string(ws.Next("1"))
		if i == 0 {
			first = got
		} else if got != first {
			t.Fatalf("subscriber %d got %s, the first %s", i, got, first)
		}
	}
	if !strings.Contains(first, `"body":"Für alle gleich"`) {
		t.Fatalf("a member's rendering: %s", first)
	}
	if got := string(vendorWS.Next("1")); !strings.Contains(got, `"body":"Für alle gleich"`) {
		t.Fatalf("the vendor's rendering: %s", got)
	}
	if got := string(memberEmail.Next("1")); !strings.Contains(got, `"email":"mitglied`) {
		t.Fatalf("a member reads the address the author shows to all members: %s", got)
	}
	if got := string(vendorEmail.Next("1")); !strings.Contains(got, `"email":null`) || !strings.Contains(got, `"body":"Für alle gleich"`) {
		t.Fatalf("a vendor must not see e-mail addresses: %s", got)
	}
	var aliasedEvent struct {
		Data struct {
			Added struct{ Message struct{ Body string } }
		}
	}
	if err := json.Unmarshal(aliased.Next("1"), &aliasedEvent); err != nil || aliasedEvent.Data.Added.Message.Body != "Für alle gleich" {
		t.Fatalf("the aliased subscription: %+v %v", aliasedEvent, err)
	}
	if got := string(own.Next("1")); !strings.Contains(got, `"lastLoginAt":"`) {
		t.Fatalf("the unshared subscription: %s", got)
	}
	rendered, reused := env.App.Live.Renderings()
	rendered, reused = rendered-rendered0, reused-reused0
	t.Logf("one event: %d renderings, %d reused", rendered, reused)
	// members, vendor, aliased: three renderings; the members' reused by all but one.
	if rendered != 3 || reused != same-1 {
		t.Fatalf("renderings %d (want 3), reused %d (want %d)", rendered, reused, same-1)
	}
}

// TestSharedRenderingKeepsAccessChecks: a subscriber who loses access gets FORBIDDEN while
// another with the same question goes on receiving the shared rendering.
func TestSharedRenderingKeepsAccessChecks(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	cd := newCircleDiscussion(t, newCommunity(t, env))
	anna, jonas, d := cd.anna, cd.jonas, cd.id

	annaWS, jonasWS := anna.DialWS(t, apitest.TransportWS), jonas.DialWS(t, apitest.TransportWS)
	for _, ws := range []*apitest.WS{annaWS, jonasWS} {
		_ = ws.Subscribe("1", chatQuery, map[string]any{"d": d})
	}
	waitForSubscriptions(t, env, 2)
	post(t, anna, d, "Vorher")
	for _, ws := range []*apitest.WS{annaWS, jonasWS} {
		if got := string(ws.Next("1")); !strings.Contains(got, "Vorher") {
			t.Fatalf("before: %s", got)
		}
	}
	cd.removeJonas(t)
	m, err := jonasWS.Read(5 * time.Second)
	if err != nil || !strings.Contains(string(m.Payload), "FORBIDDEN") {
		t.Fatalf("the removed member: %s %s %v", m.Type, m.Payload, err)
	}
	post(t, anna, d, "Nachher")
	if got := string(annaWS.Next("1")); !strings.Contains(got, "Nachher") {
		t.Fatalf("the remaining member: %s", got)
	}
	for {
		m, err := jonasWS.Read(time.Second)
		if err != nil {
			break
		}
		if strings.Contains(string(m.Payload), "Nachher") {
			t.Fatalf("the removed member received %s", m.Payload)
		}
	}
}

// TestSharedTypingRendering: typing indicators, the most frequent events of a lively
// discussion, are rendered once for all who ask alike.
func TestSharedTypingRendering(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	c := newCommunity(t, env)
	const query = `subscription($d: ID!) { typing(discussionID: $d) { member { id displayName } expiresAt } }`
	var conns []*apitest.WS
	for range 3 {
		ws := c.anna.DialWS(t, apitest.TransportWS)
		_ = ws.Subscribe("t", query, map[string]any{"d": c.discussion})
		conns = append(conns, ws)
	}
	waitForSubscriptions(t, env, 3)
	rendered0, reused0 := env.App.Live.Renderings()
	c.jonas.MustPost(t, `mutation($d: ID!) { setTyping(discussionID: $d) }`, map[string]any{"d": c.discussion}, nil)
	for _, ws := range conns {
		if got := string(ws.Next("t")); !strings.Contains(got, `"displayName":"Jonas"`) || !strings.Contains(got, "expiresAt") {
			t.Fatalf("typing: %s", got)
		}
	}
	rendered, reused := env.App.Live.Renderings()
	if rendered-rendered0 != 1 || reused-reused0 != 2 {
		t.Fatalf("renderings %d (want 1), reused %d (want 2)", rendered-rendered0, reused-reused0)
	}
}

// selectionOf writes a selection set asking for everything in a shape.
func selectionOf(shape render.Shape) string {
	fields := slices.Sorted(maps.Keys(shape))
	var b strings.Builder
	b.WriteString("{")
	for _, f := range fields {
		b.WriteString(" " + f)
		if child := shape[f]; child != nil {
			b.WriteString(" " + selectionOf(child))
		}
	}
	b.WriteString(" }")
	return b.String()
}

// TestShapesAreLoadedWithTheEvent: rendering everything in MessageShape runs no query of its
// own (a lazy load inside a shared rendering would run with the first subscriber's rights):
// a reply in a circle's discussion costs the same statements whether its subscribers ask for
// the whole shape or for the cursor alone.
func TestShapesAreLoadedWithTheEvent(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	cd := newCircleDiscussion(t, newCommunity(t, env))
	var first struct{ PostMessage struct{ ID string } }
	cd.anna.MustPost(t, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "Frage"}) { id } }`, map[string]any{"d": cd.id}, &first)
	cost := func(selection string) int64 {
		ws := cd.jonas.DialWS(t, apitest.TransportWS)
		defer func() { // gone before the next measurement starts
			ws.Close()
			waitUntil(t, "no subscriptions", func() bool { return env.App.Live.Subscriptions() == 0 })
		}()
		_ = ws.Subscribe("1", `subscription($d: ID!) { messageAdded(discussionID: $d) `+selection+` }`, map[string]any{"d": cd.id})
		waitForSubscriptions(t, env, 1)
		return env.Statements(func() {
			cd.anna.MustPost(t, `mutation($d: ID!, $p: ID) { postMessage(input: {discussionID: $d, body: "Antwort", parentID: $p}) { id } }`,
				map[string]any{"d": cd.id, "p": first.PostMessage.ID}, nil)
			if got := string(ws.Next("1")); strings.Contains(got, "errors") {
				t.Fatalf("%s: %s", selection, got)
			}
		})
	}
	whole := selectionOf(live.MessageShape)
	if all, cursor := cost(whole), cost("{ cursor }"); all != cursor {
		t.Fatalf("the whole shape costs %d statements, the cursor alone %d: %s", all, cursor, whole)
	}
}

// waitForSubscriptions waits until at least n discussion subscriptions run (subscribing is
// asynchronous: a message posted before would not reach them).
func waitForSubscriptions(t *testing.T, env *apitest.Env, n int) {
	t.Helper()
	waitUntil(t, fmt.Sprintf("%d subscriptions", n), func() bool { return env.App.Live.Subscriptions() >= n })
}

// waitUntil polls cond for up to 10 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
	}
}
