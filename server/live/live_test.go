package live_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/live"
)

const addedQuery = `subscription($d: ID!, $after: Int) { messageAdded(discussionID: $d, after: $after) {
	cursor message { id position body author { displayName } } } }`

type community struct {
	env                *apitest.Env
	admin, anna, jonas *apitest.Session
	discussion         string
}

// newCommunity has two members and a discussion Anna started.
func newCommunity(t testing.TB, env *apitest.Env) *community {
	t.Helper()
	c := &community{env: env, admin: env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})}
	c.anna = env.NewMember(t, apitest.Spec{Name: "Anna"})
	c.jonas = env.NewMember(t, apitest.Spec{Name: "Jonas"})
	c.discussion = startDiscussion(t, c.anna, nil)
	return c
}

func startDiscussion(t testing.TB, as *apitest.Session, circle any) string {
	t.Helper()
	var out struct{ CreateDiscussion struct{ ID string } }
	as.MustPost(t, `mutation($c: ID) { createDiscussion(input: {title: "Live", circleID: $c}) { id } }`, map[string]any{"c": circle}, &out)
	return out.CreateDiscussion.ID
}

func post(t testing.TB, as *apitest.Session, discussion, body string) int {
	t.Helper()
	var out struct{ PostMessage struct{ Position int } }
	as.MustPost(t, `mutation($d: ID!, $b: String!) { postMessage(input: {discussionID: $d, body: $b}) { position } }`,
		map[string]any{"d": discussion, "b": body}, &out)
	return out.PostMessage.Position
}

type addedEvent struct {
	Data struct {
		MessageAdded struct {
			Cursor  int
			Message struct {
				Body   string
				Author struct{ DisplayName string }
			}
		}
	}
	Errors []apitest.Error
}

func decodeAdded(t *testing.T, raw json.RawMessage) addedEvent {
	t.Helper()
	var ev addedEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return ev
}

func TestMessageAddedBothProtocols(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		for _, proto := range []string{apitest.TransportWS, apitest.LegacyWS} {
			ws := c.anna.DialWS(t, proto)
			if err := ws.Subscribe("1", addedQuery, map[string]any{"d": c.discussion}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // the subscription is set up asynchronously
			pos := post(t, c.jonas, c.discussion, "Hallo aus "+proto)
			ev := decodeAdded(t, ws.Next("1"))
			if ev.Data.MessageAdded.Cursor != pos || ev.Data.MessageAdded.Message.Body != "Hallo aus "+proto ||
				ev.Data.MessageAdded.Message.Author.DisplayName != "Jonas" {
				t.Fatalf("%s: got %+v", proto, ev)
			}
			ws.Close()
		}
	})
}

// TestResumeWithoutGapOrDuplicate: a subscriber that resumes from a cursor while messages keep
// arriving receives every message once, in order.
func TestResumeWithoutGapOrDuplicate(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		for i := range 5 {
			post(t, c.jonas, c.discussion, fmt.Sprintf("vorher %d", i))
		}
		const during = 40
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range during {
				post(t, c.jonas, c.discussion, fmt.Sprintf("während %d", i))
			}
		}()
		ws := c.anna.DialWS(t, apitest.TransportWS)
		if err := ws.Subscribe("r", addedQuery, map[string]any{"d": c.discussion, "after": 2}); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for want := 3; want <= 5+during; want++ {
			ev := decodeAdded(t, ws.Next("r"))
			if got := ev.Data.MessageAdded.Cursor; got != want {
				t.Fatalf("got position %d, want %d", got, want)
			}
		}
		post(t, c.jonas, c.discussion, "danach")
		if got := decodeAdded(t, ws.Next("r")).Data.MessageAdded.Cursor; got != 6+during {
			t.Fatalf("live after replay: %d", got)
		}
	})
}

func TestSubscriptionAuthAndLimits(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	c := newCommunity(t, env)

	t.Run("no login", func(t *testing.T) {
		if _, err := env.DialWS(t, apitest.TransportWS, nil, nil); err == nil || !strings.Contains(err.Error(), "4403") || !strings.Contains(err.Error(), "login required") {
			t.Fatalf("an anonymous connection_init must be refused with 4403, got %v", err)
		}
		if _, err := env.DialWS(t, apitest.TransportWS, nil, map[string]any{"authorization": "Bearer falsch"}); err == nil {
			t.Fatal("a wrong token must be refused")
		}
	})
	t.Run("foreign origin", func(t *testing.T) {
		h := http.Header{"Origin": {"https://evil.example"}}
		if _, err := env.DialWS(t, apitest.TransportWS, h, map[string]any{"authorization": "Bearer " + c.anna.Token}); err == nil {
			t.Fatal("a foreign origin must be refused")
		}
	})
	t.Run("duplicate subscription id", func(t *testing.T) {
		ws := c.anna.DialWS(t, apitest.TransportWS)
		_ = ws.Subscribe("x", addedQuery, map[string]any{"d": c.discussion})
		_ = ws.Subscribe("x", addedQuery, map[string]any{"d": c.discussion})
		if code, reason := ws.CloseCode(5 * time.Second); code != 4409 {
			t.Fatalf("want 4409, got %d %q", code, reason)
		}
	})
	t.Run("subscriptions per connection", func(t *testing.T) {
		ws := c.jonas.DialWS(t, apitest.TransportWS)
		for i := range live.DefaultConfig.MaxSubscriptions {
			_ = ws.Subscribe(fmt.Sprint(i), addedQuery, map[string]any{"d": c.discussion})
		}
		_ = ws.Subscribe("one-too-many", addedQuery, map[string]any{"d": c.discussion})
		for {
			m, err := ws.Read(5 * time.Second)
			if err != nil {
				t.Fatalf("no refusal: %v", err)
			}
			if m.ID == "one-too-many" {
				if m.Type != "error" || !strings.Contains(string(m.Payload), "TOO_MANY_SUBSCRIPTIONS") {
					t.Fatalf("got %s %s", m.Type, m.Payload)
				}
				break
			}
		}
	})
	t.Run("connections per member", func(t *testing.T) {
		token := map[string]any{"authorization": "Bearer " + c.admin.Token}
		for range live.DefaultConfig.MaxConnsPerMember {
			if _, err := env.DialWS(t, apitest.TransportWS, nil, token); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := env.DialWS(t, apitest.TransportWS, nil, token); err == nil || !strings.Contains(err.Error(), "too many connections") {
			t.Fatalf("want a refusal, got %v", err)
		}
	})
	t.Run("message size", func(t *testing.T) {
		ws := c.jonas.DialWS(t, apitest.TransportWS)
		_ = ws.Subscribe("big", addedQuery+strings.Repeat(" ", 70<<10), map[string]any{"d": c.discussion})
		if code, _ := ws.CloseCode(5 * time.Second); code != 1009 {
			t.Fatalf("want 1009 (message too big), got %d", code)
		}
	})
	t.Run("missing or invisible discussion", func(t *testing.T) {
		cd := newCircleDiscussion(t, c)
		cd.removeJonas(t)
		for _, id := range []string{"dis_00000000000000000000000000", cd.id} {
			ws := c.jonas.DialWS(t, apitest.TransportWS)
			_ = ws.Subscribe("h", addedQuery, map[string]any{"d": id})
			m, err := ws.Read(5 * time.Second)
			if err != nil || m.ID != "h" || !strings.Contains(string(m.Payload), `"code":"NOT_FOUND"`) {
				t.Fatalf("%s: want NOT_FOUND, got %s %s %v", id, m.Type, m.Payload, err)
			}
		}
	})
}
