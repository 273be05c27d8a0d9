package live_test

import (
	"testing"

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
