package graph_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"zirkel/server/apitest"
)

// newDiscussion starts a discussion as Anna.
func newDiscussion(t testing.TB, s seed) string {
	t.Helper()
	var d struct {
		D struct{ ID string } `json:"createDiscussion"`
	}
	s.Anna.MustPost(t, `mutation($t: ID!) { createDiscussion(input: {title: "Welches Tool für Prozessmanagement?", topicIDs: [$t]}) { id } }`,
		map[string]any{"t": s.TopicID}, &d)
	return d.D.ID
}

type postedMessage struct {
	ID       string
	Position int
	Body     string
}

// post posts a message in the session's name.
func post(t testing.TB, as *apitest.Session, discussion, body string, parent any) postedMessage {
	t.Helper()
	var out struct{ PostMessage postedMessage }
	as.MustPost(t, `mutation($d: ID!, $b: String!, $p: ID) { postMessage(input: {discussionID: $d, body: $b, parentID: $p}) { id position body } }`,
		map[string]any{"d": discussion, "b": body, "p": parent}, &out)
	return out.PostMessage
}

func TestDiscussionMessages(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		d := newDiscussion(t, s)
		first := post(t, s.Anna, d, "Wir nutzen **Signavio**.", nil)
		reply := post(t, s.Jonas, d, "Bei uns läuft Camunda.", first.ID)
		if first.Position != 1 || reply.Position != 2 {
			t.Fatalf("positions %d, %d", first.Position, reply.Position)
		}

		var edited struct {
			EditMessage struct {
				Body     string
				EditedAt *string
			}
		}
		s.Anna.MustPost(t, `mutation($id: ID!) { editMessage(id: $id, body: "Wir nutzen Signavio und BPMN.") { body editedAt } }`,
			map[string]any{"id": first.ID}, &edited)
		if edited.EditMessage.EditedAt == nil || !strings.Contains(edited.EditMessage.Body, "BPMN") {
			t.Fatalf("got %+v", edited.EditMessage)
		}
		var deleted struct {
			DeleteMessage struct {
				Body      string
				Position  int
				DeletedAt *string
				Replies   struct{ TotalCount int }
			}
		}
		s.Anna.MustPost(t, `mutation($id: ID!) { deleteMessage(id: $id) { body position deletedAt replies(first: 5) { totalCount } } }`,
			map[string]any{"id": first.ID}, &deleted)
		if dm := deleted.DeleteMessage; dm.Body != "" || dm.DeletedAt == nil || dm.Position != 1 || dm.Replies.TotalCount != 1 {
			t.Fatalf("a deleted message keeps its place and replies but not its text: %+v", dm)
		}
		res := s.Anna.Post(t, `mutation($id: ID!) { editMessage(id: $id, body: "wieder da") { id } }`, map[string]any{"id": first.ID})
		wantError(t, res, "BAD_USER_INPUT", "id")

		for name, body := range map[string]string{"blank": "  \n ", "too long": strings.Repeat("x", 10001)} {
			t.Run(name, func(t *testing.T) {
				res := s.Anna.Post(t, `mutation($d: ID!, $b: String!) { postMessage(input: {discussionID: $d, body: $b}) { id } }`,
					map[string]any{"d": d, "b": body})
				wantError(t, res, "BAD_USER_INPUT", "body")
			})
		}

		t.Run("reply to a message of another discussion", func(t *testing.T) {
			other := newDiscussion(t, s)
			res := s.Anna.Post(t, `mutation($d: ID!, $p: ID!) { postMessage(input: {discussionID: $d, body: "x", parentID: $p}) { id } }`,
				map[string]any{"d": other, "p": reply.ID})
			wantError(t, res, "BAD_USER_INPUT", "parentID")
		})

		t.Run("locked discussion", func(t *testing.T) {
			s.Anna.MustPost(t, `mutation($id: ID!) { updateDiscussion(id: $id, input: {status: LOCKED}) { id } }`, map[string]any{"id": d}, nil)
			res := s.Jonas.Post(t, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "x"}) { id } }`,
				map[string]any{"d": d})
			wantError(t, res, "FORBIDDEN", "")
			s.Anna.MustPost(t, `mutation($id: ID!) { updateDiscussion(id: $id, input: {status: OPEN}) { id } }`, map[string]any{"id": d}, nil)
		})

		var thread struct {
			Node struct {
				MessageCount int
				Messages     struct {
					TotalCount int
					Edges      []struct{ Node struct{ Position int } }
				}
			} `json:"node"`
		}
		s.Jonas.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Discussion { messageCount messages(first: 10, orderBy: {field: POSITION}) { totalCount edges { node { position } } } } } }`,
			map[string]any{"id": d}, &thread)
		if thread.Node.MessageCount != 2 || thread.Node.Messages.TotalCount != 2 || thread.Node.Messages.Edges[1].Node.Position != 2 {
			t.Fatalf("got %+v", thread.Node)
		}
	})
}

// TestConcurrentPosting: concurrent writers all succeed (no "database is locked" on SQLite) and
// get distinct, gapless positions.
func TestConcurrentPosting(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		d := newDiscussion(t, s)
		const writers = 24
		positions := make([]int, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := s.Anna.Post(t, `mutation($d: ID!, $b: String!) { postMessage(input: {discussionID: $d, body: $b}) { position } }`,
					map[string]any{"d": d, "b": fmt.Sprintf("Beitrag %d", i)})
				var out struct{ PostMessage struct{ Position int } }
				if len(res.Errors) > 0 || json.Unmarshal(res.Data, &out) != nil {
					t.Errorf("writer %d failed: %+v", i, res.Errors)
					return
				}
				positions[i] = out.PostMessage.Position
			}()
		}
		wg.Wait()
		sort.Ints(positions)
		for i, p := range positions {
			if p != i+1 {
				t.Fatalf("positions are not 1..%d: %v", writers, positions)
			}
		}
	})
}
