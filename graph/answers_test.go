package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"zirkel/ent/auditentry"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/audit"
	"zirkel/server/auth"
	"zirkel/server/config"
	"zirkel/server/policy"
)

// The answer cache (issue 13) keeps a query's answer per session until the next write. These
// tests ask as clients do and check that a kept answer is served (no statement runs), that
// nobody gets another session's answer, and that every kind of write, on this replica or
// another, is seen by the next question.

// answersQuery asks what differs between viewers (who they are, what they may read), with a
// nested list per member (entgql loads it with a windowed WITH query: a read).
const answersQuery = `query Page($first: Int) {
	viewer { id displayName }
	members(first: $first) { totalCount edges { node { displayName practices(first: 3) { edges { node { title } } } } } }
}`

// answersPage is answersQuery's answer.
type answersPage struct {
	Viewer *struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	} `json:"viewer"`
	Members struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node struct{ DisplayName string } `json:"node"`
		} `json:"edges"`
	} `json:"members"`
}

// kept reports whether a question ran no more statements than loading the session takes
// (asking for __typename alone).
func kept(t *testing.T, env *apitest.Env, s *apitest.Session, statements int64) bool {
	t.Helper()
	session := env.Statements(func() { s.MustPost(t, `{ __typename }`, nil, nil) })
	return statements <= session
}

// ask asks answersQuery and returns the answer with the statements it ran.
func ask(t *testing.T, env *apitest.Env, s *apitest.Session, first int) (answersPage, int64) {
	t.Helper()
	var page answersPage
	n := env.Statements(func() { s.MustPost(t, answersQuery, map[string]any{"first": first}, &page) })
	return page, n
}

// forEachBackendKeeping runs f on each backend with answers and sessions kept for an hour
// without a write, so that a slow machine does not outlast the TTL between two questions.
func forEachBackendKeeping(t *testing.T, f func(t *testing.T, env *apitest.Env)) {
	t.Helper()
	for _, b := range apitest.Backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			f(t, apitest.Start(t, b, func(c *config.Config) { c.AnswerCacheTTL = time.Hour }))
		})
	}
}

func TestAnswersAreKeptPerSessionUntilTheNextWrite(t *testing.T) {
	forEachBackendKeeping(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		anonymous := env.Anonymous()

		first, _ := ask(t, env, s.Anna, 10)
		again, n := ask(t, env, s.Anna, 10)
		if !kept(t, env, s.Anna, n) {
			t.Fatalf("the same question again ran %d statements, want the kept answer", n)
		}
		if first.Viewer == nil || again.Viewer == nil || again.Viewer.ID != s.MemberID || again.Viewer.DisplayName != "Anna Becker" {
			t.Fatalf("kept answer is not Anna's: %+v", again.Viewer)
		}

		// Other sessions, other variables: their own answers, never Anna's.
		jonas, n := ask(t, env, s.Jonas, 10)
		if kept(t, env, s.Jonas, n) || jonas.Viewer == nil || jonas.Viewer.ID != s.Member2ID {
			t.Fatalf("Jonas got %+v after %d statements", jonas.Viewer, n)
		}
		anon, n := ask(t, env, anonymous, 10)
		if kept(t, env, anonymous, n) || anon.Viewer != nil {
			t.Fatalf("an anonymous visitor got %+v after %d statements", anon.Viewer, n)
		}
		if anon.Members.TotalCount >= first.Members.TotalCount && len(anon.Members.Edges) > 0 {
			t.Fatalf("anonymous visitors see %d members as Anna sees %d", anon.Members.TotalCount, first.Members.TotalCount)
		}
		// Over a websocket, the connection's viewer keys the answer, not the (anonymous) upgrade.
		ws := s.Jonas.DialWS(t, apitest.TransportWS)
		defer ws.Close()
		if err := ws.Subscribe("q", answersQuery, map[string]any{"first": 10}); err != nil {
			t.Fatal(err)
		}
		var overWS struct{ Data answersPage }
		if err := json.Unmarshal(ws.Next("q"), &overWS); err != nil || overWS.Data.Viewer == nil || overWS.Data.Viewer.ID != s.Member2ID {
			t.Fatalf("Jonas over a websocket got %+v (%v)", overWS.Data.Viewer, err)
		}
		if m, err := ws.Read(10 * time.Second); err != nil || m.Type != "complete" || m.ID != "q" {
			t.Fatalf("a query's one answer is followed by %s %s %s (%v), want complete", m.Type, m.ID, m.Payload, err)
		}
		// Asked again, the kept answer: one answer and complete.
		if err := ws.Subscribe("r", answersQuery, map[string]any{"first": 10}); err != nil {
			t.Fatal(err)
		}
		ws.Next("r")
		if m, err := ws.Read(10 * time.Second); err != nil || m.Type != "complete" || m.ID != "r" {
			t.Fatalf("a kept answer is followed by %s %s %s (%v), want complete", m.Type, m.ID, m.Payload, err)
		}
		if fewer, n := ask(t, env, s.Anna, 1); kept(t, env, s.Anna, n) || len(fewer.Members.Edges) != 1 {
			t.Fatalf("other variables got %d members after %d statements", len(fewer.Members.Edges), n)
		}
		annaAgain := env.Login(t, auth.LocalDirectory, "Anna.Becker@Musterhausen.example", apitest.Password)
		if _, n := ask(t, env, annaAgain, 10); kept(t, env, annaAgain, n) {
			t.Fatal("another session of Anna's got the first session's kept answer")
		}

		// A write through the API, past it through ent, and a raw statement: each is seen.
		s.Admin.MustPost(t, `mutation($id: ID!) { updateMember(id: $id, input: {displayName: "Anna B."}) { id } }`,
			map[string]any{"id": s.MemberID}, nil)
		if got, _ := ask(t, env, s.Anna, 10); got.Viewer.DisplayName != "Anna B." {
			t.Fatalf("after renaming through the API: %q", got.Viewer.DisplayName)
		}
		sys := policy.System(context.Background())
		c := env.App.Store.Client
		if err := c.Member.UpdateOneID(gid.ID(s.MemberID)).SetDisplayName("Anna Becker-Wolf").Exec(sys); err != nil {
			t.Fatal(err)
		}
		if got, _ := ask(t, env, s.Anna, 10); got.Viewer.DisplayName != "Anna Becker-Wolf" {
			t.Fatalf("after renaming through ent: %q", got.Viewer.DisplayName)
		}
		if _, err := c.ExecContext(sys, "UPDATE members SET display_name = 'Anna Roh' WHERE id = "+placeholder(env), s.MemberID); err != nil {
			t.Fatal(err)
		}
		if got, _ := ask(t, env, s.Anna, 10); got.Viewer.DisplayName != "Anna Roh" {
			t.Fatalf("after a raw statement: %q", got.Viewer.DisplayName)
		}

		// Sessions' viewers are kept as long as answers: a session ended elsewhere is
		// refused at once, its answers with it.
		annaAgain.MustPost(t, `{ __typename }`, nil, nil)
		if n := env.Statements(func() { annaAgain.MustPost(t, `{ __typename }`, nil, nil) }); n != 0 {
			t.Fatalf("a session used a moment ago was loaded again (%d statements)", n)
		}
		annaAgain.MustPost(t, `mutation { logoutEverywhere }`, nil, nil)
		for _, session := range []*apitest.Session{s.Anna, annaAgain} {
			res := session.Post(t, answersQuery, map[string]any{"first": 10})
			if res.Status != 401 || len(res.Errors) == 0 || res.Errors[0].Code() != "UNAUTHENTICATED" {
				t.Fatalf("a session ended elsewhere got %d %+v", res.Status, res.Errors)
			}
		}

		// A new member shows in everybody's count; a rolled-back write changes nothing seen.
		before, _ := ask(t, env, s.Jonas, 10)
		env.NewMember(t, apitest.Spec{Name: "Nora Neu", OrganisationID: s.OrgID})
		if after, _ := ask(t, env, s.Jonas, 10); after.Members.TotalCount != before.Members.TotalCount+1 {
			t.Fatalf("after a new member Jonas counts %d, before %d", after.Members.TotalCount, before.Members.TotalCount)
		}
	})
}

// placeholder is the backend's first bind parameter.
func placeholder(env *apitest.Env) string {
	if env.App.Store.Dialect == "postgres" {
		return "$1"
	}
	return "?"
}

func TestAnswersAreNotKeptForReadsThatWrite(t *testing.T) {
	forEachBackendKeeping(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		// A member's own data export is audited each time it is read.
		for range 3 {
			s.Anna.MustPost(t, `{ myData { memberID sections { name count } } }`, nil, nil)
		}
		n, err := env.App.Store.Client.AuditEntry.Query().
			Where(auditentry.Action(audit.ActionPrivacyExport), auditentry.ActorID(gid.ID(s.MemberID))).
			Count(policy.System(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("3 exports left %d audit entries", n)
		}
		// Administrators' reads are audited where they reach into closed circles: never kept.
		for range 2 {
			if _, n := ask(t, env, s.Admin, 10); kept(t, env, s.Admin, n) {
				t.Fatal("an administrator got a kept answer")
			}
		}
	})
}

func TestAnswersFollowAnotherReplicasWrites(t *testing.T) {
	databaseURL := apitest.FreshPostgres(t)
	broker := apitest.NATSURL()
	shared := func(c *config.Config) {
		c.DatabaseURL, c.BrokerURL, c.SurveySecret = databaseURL, broker, "replicas-share-one-survey-secret"
		c.AnswerCacheTTL = time.Hour // only the broker can tell the first replica
	}
	one := apitest.Start(t, "postgres", shared)
	two := apitest.Start(t, "postgres", shared)
	anna := one.NewMember(t, apitest.Spec{Name: "Anna Becker", PlatformRole: member.PlatformRoleMEMBER})
	adminOnTwo := two.NewMember(t, apitest.Spec{Name: "Admin", PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF})

	if _, n := ask(t, one, anna, 10); kept(t, one, anna, n) {
		t.Fatal("the first question ran no statement")
	}
	// The second replica's writes above (its member's creation and login) reach the first
	// through NATS a moment later, possibly while it answers: ask until it keeps the answer.
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, n := ask(t, one, anna, 10)
		if kept(t, one, anna, n) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the question again ran %d statements, want the kept answer", n)
		}
	}
	adminOnTwo.MustPost(t, `mutation($id: ID!) { updateMember(id: $id, input: {displayName: "Anna B."}) { id } }`,
		map[string]any{"id": anna.MemberID}, nil)
	// The other replica learns of the write through NATS, within its latency.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := ask(t, one, anna, 10)
		if got.Viewer.DisplayName == "Anna B." {
			break
		}
		if time.Now().After(deadline) {
			raw, _ := json.Marshal(got)
			t.Fatalf("the first replica still answers %s after the second wrote", raw)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAnswersAreServedNoLongerThanTheirTTL(t *testing.T) {
	env := apitest.Start(t, "sqlite", func(c *config.Config) { c.AnswerCacheTTL = 50 * time.Millisecond })
	anna := env.NewMember(t, apitest.Spec{Name: "Anna Becker"})
	ask(t, env, anna, 10)              // kept (TestAnswersAreKeptPerSessionUntilTheNextWrite), for 50 ms
	time.Sleep(100 * time.Millisecond) // past the TTL, with no write in between
	if _, n := ask(t, env, anna, 10); kept(t, env, anna, n) {
		t.Fatal("an answer older than its TTL was served")
	}
}

// postHeld sends query as s in a POST whose body follows only once the server has begun to
// read it (Expect: 100-continue): by then the request is authenticated, its viewer loaded.
// between runs after that and before the body is sent; the answer is returned.
func postHeld(t *testing.T, env *apitest.Env, s *apitest.Session, query string, vars map[string]any, between func()) apitest.Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", pr)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	reading := make(chan struct{})
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		Got100Continue: func() { close(reading) },
	}))
	type result struct {
		res *http.Response
		err error
	}
	done := make(chan result, 1)
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Hour}}
	defer client.CloseIdleConnections()
	go func() {
		res, err := client.Do(req)
		done <- result{res, err}
	}()
	select {
	case <-reading:
	case r := <-done:
		t.Fatalf("the server answered before reading the body: %v %v", r.res, r.err)
	}
	between()
	if _, err := pw.Write(body); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.res.Body.Close()
	raw, _ := io.ReadAll(r.res.Body)
	out := apitest.Response{Status: r.res.StatusCode}
	_ = json.Unmarshal(raw, &out)
	return out
}

// A request's viewer is loaded before its answer is looked up; a write in between (here: the
// member leaves a closed circle) must not let the answer computed for the viewer as it was be
// kept for the session as it is now.
func TestAnswersAreNotKeptForAViewerLoadedBeforeAWrite(t *testing.T) {
	forEachBackendKeeping(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`,
			map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
		var d struct{ CreateDiscussion struct{ ID string } }
		s.Anna.MustPost(t, `mutation($c: ID!) { createDiscussion(input: {title: "Intern", circleID: $c}) { id } }`,
			map[string]any{"c": s.CircleID}, &d)
		const q = `query($id: ID!) { node(id: $id) { id } }`
		vars := map[string]any{"id": d.CreateDiscussion.ID}
		shown := func(res apitest.Response) bool {
			var data struct{ Node *struct{ ID string } }
			if len(res.Errors) > 0 || json.Unmarshal(res.Data, &data) != nil {
				t.Fatalf("asking for the discussion: %d %s %+v", res.Status, res.Data, res.Errors)
			}
			return data.Node != nil
		}
		if !shown(s.Anna.Post(t, q, vars)) {
			t.Fatal("a member of the circle does not see its discussion")
		}

		// Anna's request is authenticated while she is in the circle; she is removed before
		// its answer is computed (that answer may still show the discussion: it was asked
		// before).
		postHeld(t, env, s.Anna, q, vars, func() {
			s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { removeCircleMember(circleID: $c, memberID: $m) }`,
				map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
		})
		if shown(s.Anna.Post(t, q, vars)) {
			t.Fatal("after leaving the circle, Anna is still shown its discussion (an answer computed for her viewer from before)")
		}
	})
}

// A query over a websocket is answered once, then completed: the transport asks its response
// handler again until it says there is nothing more, and a kept answer must not be served
// again to that second question.
func TestAnswersOverAWebsocketComeOnce(t *testing.T) {
	forEachBackendKeeping(t, func(t *testing.T, env *apitest.Env) {
		anna := env.NewMember(t, apitest.Spec{Name: "Anna Becker"})
		for _, proto := range []string{apitest.TransportWS, apitest.LegacyWS} {
			ws := anna.DialWS(t, proto)
			for i, id := range []string{"1", "2"} { // the second may be answered from the cache
				if err := ws.Subscribe(id, `{ viewer { displayName } }`, nil); err != nil {
					t.Fatal(err)
				}
				if got := string(ws.Next(id)); !strings.Contains(got, "Anna Becker") {
					t.Fatalf("%s, question %d: %s", proto, i+1, got)
				}
				m, err := ws.Read(10 * time.Second)
				if err != nil || m.Type != "complete" || m.ID != id {
					t.Fatalf("%s, question %d: after the answer, want complete, got %s %s %s (%v)", proto, i+1, m.Type, m.ID, m.Payload, err)
				}
			}
			ws.Close()
		}
	})
}

// Sessions end with time, without a write: idle for longer than the idle timeout, or past
// their absolute expiry. A viewer kept for a session (however long the TTL) ends with it.
func TestKeptSessionsEndOnTime(t *testing.T) {
	for name, adjust := range map[string]func(*config.Config){
		"idle":     func(c *config.Config) { c.SessionIdle = 3 * time.Second },
		"absolute": func(c *config.Config) { c.SessionMaxAge = 3 * time.Second },
	} {
		t.Run(name, func(t *testing.T) {
			for _, b := range apitest.Backends {
				t.Run(b, func(t *testing.T) {
					t.Parallel()
					env := apitest.Start(t, b, func(c *config.Config) {
						adjust(c)
						c.AnswerCacheTTL = time.Hour
					})
					anna := env.NewMember(t, apitest.Spec{Name: "Anna Becker"})
					if res := anna.Post(t, answersQuery, map[string]any{"first": 10}); res.Status != 200 || len(res.Errors) > 0 {
						t.Fatalf("the session's first question, within 3 s of the login: %d %+v", res.Status, res.Errors)
					}
					time.Sleep(3500 * time.Millisecond) // past the idle timeout or the expiry, nothing written
					res := anna.Post(t, answersQuery, map[string]any{"first": 10})
					if res.Status != 401 || len(res.Errors) == 0 || res.Errors[0].Code() != "UNAUTHENTICATED" {
						t.Fatalf("a session that ended %s still got %d %s %+v", name, res.Status, res.Data, res.Errors)
					}
				})
			}
		})
	}
}
