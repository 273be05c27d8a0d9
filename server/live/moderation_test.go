package live_test

import (
	"encoding/json"
	"testing"
	"time"

	"zirkel/server/apitest"
)

// TestHiddenMessagesAreNotReplayed: a subscriber resuming a discussion does not receive a
// message that moderators hid (its author does), and the stream goes on live without a gap.
func TestHiddenMessagesAreNotReplayed(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		post(t, c.jonas, c.discussion, "eins")
		var second struct{ PostMessage struct{ ID string } }
		c.jonas.MustPost(t, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "Werbung"}) { id } }`,
			map[string]any{"d": c.discussion}, &second)
		post(t, c.jonas, c.discussion, "drei")
		c.admin.MustPost(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "Werbung") { __typename } }`,
			map[string]any{"i": second.PostMessage.ID}, nil)

		for _, row := range []struct {
			name string
			as   *apitest.Session
			want []int
		}{
			{"another member", c.anna, []int{1, 3, 4}},
			{"the author", c.jonas, []int{1, 2, 3, 4}},
		} {
			t.Run(row.name, func(t *testing.T) {
				ws := row.as.DialWS(t, apitest.TransportWS)
				defer ws.Close()
				if err := ws.Subscribe("r", addedQuery, map[string]any{"d": c.discussion, "after": 0}); err != nil {
					t.Fatal(err)
				}
				for i, want := range row.want {
					if i == len(row.want)-1 && row.as == c.anna {
						post(t, c.jonas, c.discussion, "vier")
					}
					ev := decodeAdded(t, ws.Next("r"))
					if got := ev.Data.MessageAdded.Cursor; got != want {
						t.Fatalf("got position %d (%s), want %d", got, ev.Data.MessageAdded.Message.Body, want)
					}
				}
			})
		}
	})
}

// TestHiddenMessagesAreNotDeliveredLive: when the author edits a hidden message, the edit
// goes to the author and not to other subscribers (live events are loaded once for all, with
// every right, and checked per subscriber).
func TestHiddenMessagesAreNotDeliveredLive(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		ids := map[string]string{}
		for _, body := range []string{"sichtbar", "Werbung"} {
			var out struct{ PostMessage struct{ ID string } }
			c.jonas.MustPost(t, `mutation($d: ID!, $b: String!) { postMessage(input: {discussionID: $d, body: $b}) { id } }`,
				map[string]any{"d": c.discussion, "b": body}, &out)
			ids[body] = out.PostMessage.ID
		}
		c.admin.MustPost(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "Werbung") { __typename } }`,
			map[string]any{"i": ids["Werbung"]}, nil)
		const updated = `subscription($d: ID!) { messageUpdated(discussionID: $d) { cursor message { body } } }`
		anna, jonas := c.anna.DialWS(t, apitest.TransportWS), c.jonas.DialWS(t, apitest.TransportWS)
		defer anna.Close()
		defer jonas.Close()
		for _, ws := range []*apitest.WS{anna, jonas} {
			if err := ws.Subscribe("u", updated, map[string]any{"d": c.discussion}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(100 * time.Millisecond) // the subscriptions are set up asynchronously
		edit := func(id, body string) {
			c.jonas.MustPost(t, `mutation($i: ID!, $b: String!) { editMessage(id: $i, body: $b) { id } }`, map[string]any{"i": id, "b": body}, nil)
		}
		edit(ids["Werbung"], "noch mehr Werbung")
		edit(ids["sichtbar"], "sichtbar, bearbeitet")
		body := func(ws *apitest.WS) string {
			var ev struct {
				Data struct {
					MessageUpdated struct{ Message struct{ Body string } }
				}
			}
			if err := json.Unmarshal(ws.Next("u"), &ev); err != nil {
				t.Fatal(err)
			}
			return ev.Data.MessageUpdated.Message.Body
		}
		if got := body(jonas); got != "noch mehr Werbung" {
			t.Fatalf("the author's first update: %q", got)
		}
		if got := body(anna); got != "sichtbar, bearbeitet" {
			t.Fatalf("another member's first update: %q (the hidden message's edit must not arrive)", got)
		}
	})
}

// TestHiddenDiscussionsHaveNoActivity: activity in a hidden discussion is not announced to
// other members who follow its topic.
func TestHiddenDiscussionsHaveNoActivity(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env)
		var topic struct{ CreateTopic struct{ ID string } }
		c.admin.MustPost(t, `mutation { createTopic(input: {slug: "ki", name: "KI"}) { id } }`, nil, &topic)
		start := func(title string) string {
			var out struct{ CreateDiscussion struct{ ID string } }
			c.jonas.MustPost(t, `mutation($t: ID!, $title: String!) { createDiscussion(input: {title: $title, topicIDs: [$t]}) { id } }`,
				map[string]any{"t": topic.CreateTopic.ID, "title": title}, &out)
			return out.CreateDiscussion.ID
		}
		hidden, shown := start("Verborgen"), start("Sichtbar")
		c.admin.MustPost(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "Werbung") { __typename } }`, map[string]any{"i": hidden}, nil)
		ws := c.anna.DialWS(t, apitest.TransportWS)
		defer ws.Close()
		if err := ws.Subscribe("a", `subscription($t: ID) { discussionActivity(topicID: $t) { kind discussion { title } } }`,
			map[string]any{"t": topic.CreateTopic.ID}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond) // the subscription is set up asynchronously
		post(t, c.jonas, hidden, "im Verborgenen")
		post(t, c.jonas, shown, "öffentlich")
		var ev struct {
			Data struct {
				DiscussionActivity struct{ Discussion struct{ Title string } }
			}
		}
		if err := json.Unmarshal(ws.Next("a"), &ev); err != nil {
			t.Fatal(err)
		}
		if got := ev.Data.DiscussionActivity.Discussion.Title; got != "Sichtbar" {
			t.Fatalf("first activity: %q, want the visible discussion", got)
		}
	})
}

// TestHidingADiscussionEndsOthersSubscriptions: when moderators hide a discussion, other
// members' subscriptions to it end with FORBIDDEN; its author's go on.
func TestHidingADiscussionEndsOthersSubscriptions(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		c := newCommunity(t, env) // Anna started the discussion
		jonas, anna := c.jonas.DialWS(t, apitest.TransportWS), c.anna.DialWS(t, apitest.TransportWS)
		defer jonas.Close()
		defer anna.Close()
		for _, ws := range []*apitest.WS{jonas, anna} {
			if err := ws.Subscribe("r", addedQuery, map[string]any{"d": c.discussion}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(150 * time.Millisecond) // the subscriptions are set up asynchronously
		c.admin.MustPost(t, `mutation($i: ID!) { hideContent(itemID: $i, reason: "Doppelt") { __typename } }`, map[string]any{"i": c.discussion}, nil)
		if ev := decodeAdded(t, jonas.Next("r")); len(ev.Errors) == 0 || ev.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("another member's subscription goes on: %+v", ev)
		}
		pos := post(t, c.anna, c.discussion, "noch da")
		if got := decodeAdded(t, anna.Next("r")).Data.MessageAdded.Cursor; got != pos {
			t.Fatalf("the author's subscription: position %d, want %d", got, pos)
		}
	})
}
