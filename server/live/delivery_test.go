package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"zirkel/ent/schema/gid"
	"zirkel/server/viewer"

	"github.com/gorilla/websocket"

	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/live"
)

// TestSlowClientIsDisconnected: a subscriber that stops reading is dropped with a clear close
// reason once its buffer overflows, and nobody else waits for it.
func TestSlowClientIsDisconnected(t *testing.T) {
	cfg := live.DefaultConfig
	cfg.Buffer = 16
	// What is tested is the buffer: the slow client reads again once everything is posted,
	// which on a loaded machine can be more than the default write wait after its socket
	// filled (a peer silent for that long is cut off without a close frame).
	cfg.WriteWait = time.Minute
	env := apitest.Start(t, "sqlite", nil, app.WithLiveConfig(cfg))
	c := newCommunity(t, env)
	slow := c.anna.DialWS(t, apitest.TransportWS, apitest.SmallReceiveBuffer)
	fast := c.jonas.DialWS(t, apitest.TransportWS)
	_ = slow.Subscribe("s", addedQuery, map[string]any{"d": c.discussion})
	_ = fast.Subscribe("f", addedQuery, map[string]any{"d": c.discussion})
	time.Sleep(100 * time.Millisecond)
	// Long messages fill the slow client's socket, then its buffer.
	body := strings.Repeat("Lorem ipsum dolor sit amet. ", 350)
	// Enough to overflow the sockets (the server's send buffer grows on loopback) and 16
	// events of buffer. They are written in transactions of fewer than 16 messages, each
	// after the fast client has read the one before: a burst larger than the buffer would
	// drop every subscriber, and the slow client's writer, stalled on a full socket, waits at
	// most writeWait for it to read again, however loaded the machine (posting 60 messages
	// one request after the other took longer than that under CI).
	const n, batch = 60, 12
	got := make(chan int, n)
	go func() {
		defer close(got)
		for range n {
			m, err := fast.Read(10 * time.Second)
			if err != nil {
				t.Errorf("the fast client: %v", err)
				return
			}
			var ev struct{ Data addedEvent }
			_ = json.Unmarshal(m.Payload, &ev.Data)
			got <- ev.Data.Data.MessageAdded.Cursor
		}
	}()
	want := 1
	for first := 0; first < n; first += batch {
		postAll(t, env, c.jonas, c.discussion, first, batch, func(i int) string { return fmt.Sprintf("%d %s", i, body) })
		for range batch {
			pos, ok := <-got
			if !ok {
				t.Fatalf("the fast client got %d of %d", want-1, n)
			}
			if pos != want {
				t.Errorf("the fast client got %d, want %d", pos, want)
			}
			want++
		}
	}
	code, reason := drainUntilClose(slow)
	if code != 1008 || !strings.Contains(reason, "resume") {
		t.Fatalf("the slow client: %d %q", code, reason)
	}
}

// drainUntilClose reads what the server sent before it closed the connection.
func drainUntilClose(ws *apitest.WS) (int, string) {
	return ws.CloseCode(45 * time.Second) // a 4 KiB window drains slowly on a loaded machine
}

// TestShutdownSaysGoingAway: a shutting-down replica closes websockets with 1001.
func TestShutdownSaysGoingAway(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	c := newCommunity(t, env)
	ws := c.anna.DialWS(t, apitest.TransportWS)
	_ = ws.Subscribe("1", addedQuery, map[string]any{"d": c.discussion})
	time.Sleep(100 * time.Millisecond)
	// A socket that has not sent connection_init yet is told too.
	fresh, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(env.URL, "http")+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	time.Sleep(100 * time.Millisecond)
	env.App.Shutdown()
	if code, reason := ws.CloseCode(5 * time.Second); code != 1001 || !strings.Contains(reason, "resume") {
		t.Fatalf("got %d %q", code, reason)
	}
	_ = fresh.SetReadDeadline(time.Now().Add(3 * time.Second))
	var ce *websocket.CloseError
	if _, _, err := fresh.ReadMessage(); !errors.As(err, &ce) || ce.Code != 1001 {
		t.Fatalf("a socket before connection_init: %v", err)
	}
}

func TestUpdatesTypingPresenceActivity(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		var topic struct{ CreateTopic struct{ ID string } }
		c.admin.MustPost(t, `mutation { createTopic(input: {slug: "ki", name: "KI"}) { id } }`, nil, &topic)
		ws := c.anna.DialWS(t, apitest.TransportWS)
		_ = ws.Subscribe("u", `subscription($d: ID!) { messageUpdated(discussionID: $d) { cursor message { body editedAt reactions { kind count } } } }`, map[string]any{"d": c.discussion})
		_ = ws.Subscribe("t", `subscription($d: ID!) { typing(discussionID: $d) { member { displayName } expiresAt } }`, map[string]any{"d": c.discussion})
		_ = ws.Subscribe("a", `subscription($t: ID) { discussionActivity(topicID: $t) { kind discussion { title } } }`, map[string]any{"t": topic.CreateTopic.ID})
		time.Sleep(150 * time.Millisecond)

		var posted struct{ PostMessage struct{ ID string } }
		c.jonas.MustPost(t, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "Erst"}) { id } }`, map[string]any{"d": c.discussion}, &posted)
		c.jonas.MustPost(t, `mutation($id: ID!) { editMessage(id: $id, body: "Zweit") { id } }`, map[string]any{"id": posted.PostMessage.ID}, nil)
		if p := string(ws.Next("u")); !strings.Contains(p, `"body":"Zweit"`) {
			t.Fatalf("edit: %s", p)
		}
		c.anna.MustPost(t, `mutation($id: ID!) { react(messageID: $id, kind: IDEA) { id } }`, map[string]any{"id": posted.PostMessage.ID}, nil)
		c.anna.MustPost(t, `mutation($id: ID!) { react(messageID: $id, kind: IDEA) { id } }`, map[string]any{"id": posted.PostMessage.ID}, nil) // once per member and kind
		c.jonas.MustPost(t, `mutation($id: ID!) { react(messageID: $id, kind: IDEA) { id } }`, map[string]any{"id": posted.PostMessage.ID}, nil)
		var last string
		for range 2 { // Anna's second reaction changed nothing, so nothing was announced
			last = string(ws.Next("u"))
		}
		if !strings.Contains(last, `{"kind":"IDEA","count":2}`) {
			t.Fatalf("reactions: %s", last)
		}
		c.jonas.MustPost(t, `mutation($d: ID!) { setTyping(discussionID: $d) }`, map[string]any{"d": c.discussion}, nil)
		if p := string(ws.Next("t")); !strings.Contains(p, `"displayName":"Jonas"`) || !strings.Contains(p, "expiresAt") {
			t.Fatalf("typing: %s", p)
		}
		c.jonas.MustPost(t, `mutation($t: ID!) { createDiscussion(input: {title: "KI im Bürgerservice", topicIDs: [$t]}) { id } }`, map[string]any{"t": topic.CreateTopic.ID}, nil)
		if p := string(ws.Next("a")); !strings.Contains(p, "DISCUSSION_STARTED") || !strings.Contains(p, "KI im Bürgerservice") {
			t.Fatalf("activity: %s", p)
		}

		presenceQuery := `subscription($d: ID!) { presence(discussionID: $d) { displayName } }`
		jonasWS := c.jonas.DialWS(t, apitest.LegacyWS)
		_ = ws.Subscribe("p", presenceQuery, map[string]any{"d": c.discussion})
		waitFor(t, ws, "p", `[{"displayName":"Anna"}]`)
		_ = jonasWS.Subscribe("p", presenceQuery, map[string]any{"d": c.discussion})
		waitFor(t, ws, "p", `[{"displayName":"Anna"},{"displayName":"Jonas"}]`)
		jonasWS.Close()
		waitFor(t, ws, "p", `[{"displayName":"Anna"}]`)
	})
}

// waitFor reads the subscription until its data contains want.
func waitFor(t *testing.T, ws *apitest.WS, id, want string) {
	t.Helper()
	for range 10 {
		if p := string(ws.Next(id)); strings.Contains(p, want) {
			return
		}
	}
	t.Fatalf("%s never showed %s", id, want)
}

// TestDeliveryCostDoesNotGrowWithSubscribers: one event costs the same SQL statements for 2
// subscribers as for 20, since its payload is loaded once per replica.
func TestDeliveryCostDoesNotGrowWithSubscribers(t *testing.T) {
	cfg := live.DefaultConfig
	cfg.MaxConnsPerMember = 100
	env := apitest.Start(t, "sqlite", nil, app.WithLiveConfig(cfg))
	c := newCommunity(t, env)
	cost := func(n int) int64 {
		conns := make([]*apitest.WS, n)
		for i := range conns {
			conns[i] = c.anna.DialWS(t, apitest.TransportWS)
			_ = conns[i].Subscribe("1", addedQuery, map[string]any{"d": c.discussion})
		}
		time.Sleep(200 * time.Millisecond)
		post(t, c.jonas, c.discussion, "warm up") // the first event also starts the stream
		for _, ws := range conns {
			ws.Next("1")
		}
		statements := env.Statements(func() {
			post(t, c.jonas, c.discussion, "gezählt")
			for _, ws := range conns {
				ws.Next("1")
			}
		})
		for _, ws := range conns {
			ws.Close()
		}
		time.Sleep(100 * time.Millisecond)
		return statements
	}
	few, many := cost(2), cost(20)
	t.Logf("statements for one event: %d with 2 subscribers, %d with 20", few, many)
	if few != many {
		t.Fatalf("delivery cost grows with subscribers: %d vs %d", few, many)
	}
}

// TestNoLeaks: opening and closing many subscriptions leaves goroutines and memory where they
// were.
func TestNoLeaks(t *testing.T) {
	cfg := live.DefaultConfig
	cfg.MaxConnsPerMember = 1000 // cycles overlap while closed connections are let go
	env := apitest.Start(t, "sqlite", nil, app.WithLiveConfig(cfg))
	c := newCommunity(t, env)
	cycle := func() {
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ws := c.anna.DialWS(t, apitest.TransportWS)
				for i := range 5 {
					_ = ws.Subscribe(fmt.Sprint(i), addedQuery, map[string]any{"d": c.discussion})
				}
				time.Sleep(50 * time.Millisecond)
				for i := range 2 {
					_ = ws.Stop(fmt.Sprint(i))
				}
				ws.Close()
			}()
		}
		wg.Wait()
	}
	cycle() // warm up pools and lazily started goroutines
	settle := func() (int, uint64) {
		var ms runtime.MemStats
		for range 50 {
			runtime.GC()
			time.Sleep(20 * time.Millisecond)
			if env.App.Live.Connections() == 0 {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return runtime.NumGoroutine(), ms.HeapAlloc
	}
	g0, m0 := settle()
	for range 5 {
		cycle()
	}
	g1, m1 := settle()
	t.Logf("goroutines %d -> %d, heap %d KiB -> %d KiB", g0, g1, m0>>10, m1>>10)
	if g1 > g0+2 {
		t.Fatalf("goroutines leak: %d -> %d", g0, g1)
	}
	if m1 > m0+4<<20 {
		t.Fatalf("memory leaks: %d KiB -> %d KiB", m0>>10, m1>>10)
	}
}

// postAll writes n messages (bodies first, first+1, …) as the member in one transaction through ent, under the same
// rules as postMessage (the data layer holds them).
func postAll(t *testing.T, env *apitest.Env, as *apitest.Session, discussion string, first, n int, body func(int) string) {
	t.Helper()
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{MemberID: gid.ID(as.MemberID), PlatformRole: viewer.RoleMember})
	tx, err := env.App.Store.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := first; i < first+n; i++ {
		if err := tx.Message.Create().SetDiscussionID(gid.ID(discussion)).SetAuthorID(gid.ID(as.MemberID)).SetBody(body(i)).Exec(ctx); err != nil {
			_ = tx.Rollback()
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
