package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"zirkel/ent/follow"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/policy"
)

// notificationAddedQuery subscribes to the viewer's notifications.
const notificationAddedQuery = `subscription($after: String) { notificationAdded(after: $after) { cursor notification { id kind count subjectType subjectID actor { id } } } }`

// liveNotification is one notificationAdded event.
type liveNotification struct {
	Cursor       string
	Notification struct {
		ID          string
		Kind        string
		Count       int
		SubjectType string
		SubjectID   string
		Actor       *struct{ ID string }
	}
}

// inbox is a member's open notificationAdded subscription.
type inbox struct {
	s  *apitest.Session
	ws *apitest.WS
}

func openInbox(t *testing.T, s *apitest.Session, proto string, after *string) *inbox {
	t.Helper()
	ws := s.DialWS(t, proto)
	vars := map[string]any{}
	if after != nil {
		vars["after"] = *after
	}
	if err := ws.Subscribe("n", notificationAddedQuery, vars); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the subscription is registered before anything happens
	return &inbox{s: s, ws: ws}
}

// next is the next live notification.
func (in *inbox) next(t *testing.T) liveNotification {
	t.Helper()
	var out struct {
		Data struct{ NotificationAdded liveNotification }
	}
	raw := in.ws.Next("n")
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return out.Data.NotificationAdded
}

// stored is a member's notifications as the API lists them, and the unread count.
type stored struct {
	UnreadCount int
	Edges       []struct {
		Node struct {
			ID, Kind, SubjectID string
			Count               int
			ReadAt              *string
		}
	}
}

func listNotifications(t *testing.T, s *apitest.Session) stored {
	t.Helper()
	return must[stored](t, s, `query { r: notifications(first: 50) { unreadCount edges { node { id kind subjectID count readAt } } } }`, nil)
}

// wantDelivered checks the whole path for one notification: delivered live (kind, subject,
// count), stored and listed as unread, marked read (unread count down by one).
func wantDelivered(t *testing.T, in *inbox, kind, subjectID string, count int) liveNotification {
	t.Helper()
	got := in.next(t)
	if got.Notification.Kind != kind || got.Notification.SubjectID != subjectID || got.Notification.Count != count {
		t.Fatalf("live: want %s about %s (count %d), got %+v", kind, subjectID, count, got.Notification)
	}
	before := listNotifications(t, in.s)
	found := false
	for _, e := range before.Edges {
		if e.Node.ID == got.Notification.ID {
			found = e.Node.Kind == kind && e.Node.Count == count && e.Node.ReadAt == nil
		}
	}
	if !found {
		t.Fatalf("stored: %s not listed as unread with count %d: %+v", got.Notification.ID, count, before)
	}
	must[struct{ ID string }](t, in.s, `mutation($id: ID!) { r: markNotificationRead(id: $id) { id } }`, map[string]any{"id": got.Notification.ID})
	if after := listNotifications(t, in.s); after.UnreadCount != before.UnreadCount-1 {
		t.Fatalf("marked read: unread count %d, want %d", after.UnreadCount, before.UnreadCount-1)
	}
	return got
}

func protoFor(env *apitest.Env, t *testing.T) string {
	// Both protocols, alternating by backend: graphql-transport-ws on SQLite, graphql-ws on PostgreSQL.
	if env.App.Store.Dialect == "postgres" {
		return apitest.LegacyWS
	}
	return apitest.TransportWS
}

func postIn(t *testing.T, s *apitest.Session, discussionID, body string, parent *string) string {
	t.Helper()
	return must[struct{ ID string }](t, s, `mutation($d: ID!, $b: String!, $p: ID) { r: postMessage(input: {discussionID: $d, body: $b, parentID: $p}) { id } }`,
		map[string]any{"d": discussionID, "b": body, "p": parent}).ID
}

func startFollowedDiscussion(t *testing.T, s *apitest.Session, title string, topicID, circleID any) string {
	t.Helper()
	return must[struct{ ID string }](t, s, `mutation($t: String!, $topics: [ID!], $c: ID) { r: createDiscussion(input: {title: $t, topicIDs: $topics, circleID: $c}) { id } }`,
		map[string]any{"t": title, "topics": topicID, "c": circleID}).ID
}

func TestNotifyRepliesAreGroupedAndDeliveredLive(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		d := startFollowedDiscussion(t, s.Anna, "Low Code im Bauamt", nil, nil) // Anna follows it by starting it
		anna := openInbox(t, s.Anna, protoFor(env, t), nil)
		first := postIn(t, s.Jonas, d, "Wir nutzen das seit einem Jahr.", nil)
		got := wantDelivered(t, anna, "REPLY", d, 1)
		// Only the recipient reads or marks it; anonymous visitors have none.
		wantError(t, s.Jonas.Post(t, `mutation($id: ID!) { markNotificationRead(id: $id) { id } }`, map[string]any{"id": got.Notification.ID}), "NOT_FOUND", "id")
		if n := must[*struct{ ID string }](t, s.Jonas, `query($id: ID!) { r: node(id: $id) { id } }`, map[string]any{"id": got.Notification.ID}); n != nil {
			t.Fatalf("Jonas reads Anna's notification: %+v", n)
		}
		wantError(t, env.Post(t, `query { notifications(first: 5) { unreadCount } }`, nil), "UNAUTHENTICATED", "")
		if subj := must[struct{ Subject struct{ ID string } }](t, s.Anna, `query($id: ID!) { r: node(id: $id) { ... on Notification { subject { id } } } }`,
			map[string]any{"id": got.Notification.ID}); subj.Subject.ID != d {
			t.Fatalf("subject: %+v", subj)
		}

		// Twenty more replies while unread: one notification, counted up, live each time.
		var last liveNotification
		for i := 1; i <= 20; i++ {
			postIn(t, s.Jonas, d, fmt.Sprintf("Nachtrag %d", i), nil)
			last = anna.next(t)
			if last.Notification.Count != i || last.Notification.Kind != "REPLY" {
				t.Fatalf("reply %d: got %+v", i, last.Notification)
			}
		}
		list := listNotifications(t, s.Anna)
		if list.UnreadCount != 1 {
			t.Fatalf("20 replies: want 1 unread notification, got %d (%+v)", list.UnreadCount, list)
		}
		// Resuming from the cursor of the 10th replays what came after it only.
		again := openInbox(t, s.Anna, apitest.TransportWS, &last.Cursor)
		postIn(t, s.Jonas, d, "Noch eins", nil)
		if got := again.next(t); got.Notification.Count != 21 {
			t.Fatalf("resumed: want the count 21, got %+v", got.Notification)
		}
		// Jonas follows it since he posted: Anna's answer to him is his REPLY; he is never told of his own posts.
		jonas := openInbox(t, s.Jonas, protoFor(env, t), nil)
		postIn(t, s.Anna, d, "Danke!", &first)
		wantDelivered(t, jonas, "REPLY", d, 1)
		for _, e := range listNotifications(t, s.Jonas).Edges {
			if e.Node.Count != 1 {
				t.Fatalf("Jonas was notified of his own posts: %+v", e.Node)
			}
		}
		// Marking all read.
		n := must[int](t, s.Anna, `mutation { r: markAllNotificationsRead }`, nil)
		if n != 1 || listNotifications(t, s.Anna).UnreadCount != 0 {
			t.Fatalf("markAllNotificationsRead: %d, then %d unread", n, listNotifications(t, s.Anna).UnreadCount)
		}
	})
}

// closedCircleWithCarla puts Anna and Carla Neumann into the seed's closed circle (Jonas stays
// outside) and starts a discussion there that Anna follows.
func closedCircleWithCarla(t *testing.T, env *apitest.Env, s seed) (*apitest.Session, string) {
	t.Helper()
	carla := env.NewMember(t, apitest.Spec{Name: "Carla Neumann"})
	for _, m := range []string{s.MemberID, carla.MemberID} {
		must[struct{ ID string }](t, s.Admin, `mutation($c: ID!, $m: ID!) { r: addCircleMember(circleID: $c, memberID: $m) { id } }`,
			map[string]any{"c": s.CircleID, "m": m})
	}
	return carla, startFollowedDiscussion(t, s.Anna, "Intern", nil, s.CircleID)
}

func TestNotifyMentionsOnlyWhoMayRead(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		carla, d := closedCircleWithCarla(t, env, s)
		// Suggestions: Carla (in the closed circle), not Jonas (outside it).
		sugg := must[[]struct{ ID string }](t, s.Anna, `query($d: ID!) { r: mentionSuggestions(discussionID: $d, prefix: "") { id } }`, map[string]any{"d": d})
		if len(sugg) != 1 || sugg[0].ID != carla.MemberID {
			t.Fatalf("mentionSuggestions: want only Carla, got %+v", sugg)
		}
		if got := must[[]struct{ ID string }](t, s.Anna, `query($d: ID!) { r: mentionSuggestions(discussionID: $d, prefix: "neu") { id } }`, map[string]any{"d": d}); len(got) != 1 {
			t.Fatalf("mentionSuggestions by surname prefix: got %+v", got)
		}
		inCarla := openInbox(t, carla, protoFor(env, t), nil)
		inJonas := openInbox(t, s.Jonas, apitest.TransportWS, nil)
		postIn(t, s.Anna, d, fmt.Sprintf("Was meint ihr, @[Carla Neumann](%s) und @[Jonas Wolf](%s)?", carla.MemberID, s.Member2ID), nil)
		got := wantDelivered(t, inCarla, "MENTION", d, 1)
		if got.Notification.Actor == nil || got.Notification.Actor.ID != s.MemberID {
			t.Fatalf("mention: actor %+v, want Anna", got.Notification.Actor)
		}
		if n := listNotifications(t, s.Jonas); len(n.Edges) != 0 {
			t.Fatalf("Jonas cannot read the discussion but was notified: %+v", n)
		}
		if m, err := inJonas.ws.Read(300 * time.Millisecond); err == nil {
			t.Fatalf("Jonas received %s %s", m.Type, m.Payload)
		}
		// Visibility at reading: once Carla leaves the circle, the notification is gone.
		postIn(t, s.Anna, d, fmt.Sprintf("@[Carla Neumann](%s) noch eine Frage", carla.MemberID), nil)
		inCarla.next(t)
		if n := listNotifications(t, carla); n.UnreadCount != 1 {
			t.Fatalf("before leaving: %+v", n)
		}
		must[string](t, carla, `mutation($c: ID!) { r: leaveCircle(circleID: $c) }`, map[string]any{"c": s.CircleID})
		if n := listNotifications(t, carla); n.UnreadCount != 0 || len(n.Edges) != 0 {
			t.Fatalf("after leaving the circle, notifications about it still show: %+v", n)
		}
	})
}

// TestNotifyMentionsAddedByEditing: an edit that adds a mention notifies the member it adds
// (if they may read the discussion), once; an edit that keeps a mention notifies nobody again.
func TestNotifyMentionsAddedByEditing(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		carla, d := closedCircleWithCarla(t, env, s)
		inCarla := openInbox(t, carla, protoFor(env, t), nil)
		inJonas := openInbox(t, s.Jonas, apitest.TransportWS, nil)
		id := postIn(t, s.Anna, d, "Erste Fassung", nil)
		edit := func(body string) {
			t.Helper()
			must[struct{ ID string }](t, s.Anna, `mutation($id: ID!, $b: String!) { r: editMessage(id: $id, body: $b) { id } }`,
				map[string]any{"id": id, "b": body})
		}
		edit(fmt.Sprintf("Zweite Fassung, @[Carla Neumann](%s) und @[Jonas Wolf](%s)", carla.MemberID, s.Member2ID))
		got := wantDelivered(t, inCarla, "MENTION", d, 1)
		if got.Notification.Actor == nil || got.Notification.Actor.ID != s.MemberID {
			t.Fatalf("mention by editing: actor %+v, want Anna", got.Notification.Actor)
		}
		if m, err := inJonas.ws.Read(300 * time.Millisecond); err == nil {
			t.Fatalf("Jonas cannot read the discussion but received %s %s", m.Type, m.Payload)
		}
		edit(fmt.Sprintf("Dritte Fassung, @[Carla Neumann](%s)", carla.MemberID))
		if m, err := inCarla.ws.Read(300 * time.Millisecond); err == nil {
			t.Fatalf("a mention kept by an edit notified again: %s %s", m.Type, m.Payload)
		}
		if n := listNotifications(t, carla); n.UnreadCount != 0 || len(n.Edges) != 1 {
			t.Fatalf("after an edit that kept the mention: %+v", n)
		}
		if n := listNotifications(t, s.Jonas); len(n.Edges) != 0 {
			t.Fatalf("Jonas was notified: %+v", n)
		}
	})
}

func TestNotifyFollowsTopicsAndCountsFollowers(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		f := must[struct {
			TargetType string
			Muted      bool
		}](t, s.Jonas, `mutation($id: ID!) { r: follow(id: $id) { targetType muted } }`, map[string]any{"id": s.TopicID})
		if f.TargetType != "TOPIC" || f.Muted {
			t.Fatalf("follow: %+v", f)
		}
		must[struct{ ID string }](t, s.Jonas, `mutation($id: ID!) { r: follow(id: $id) { id } }`, map[string]any{"id": s.TopicID}) // again: no second follow
		if n := must[int](t, s.Anna, `query($id: ID!) { r: followerCount(id: $id) }`, map[string]any{"id": s.TopicID}); n != 1 {
			t.Fatalf("followerCount: %d", n)
		}
		wantError(t, s.Anna.Post(t, `query($id: ID!) { followers(id: $id, first: 10) { totalCount } }`, map[string]any{"id": s.TopicID}), "FORBIDDEN", "")
		if n := must[struct{ TotalCount int }](t, s.Admin, `query($id: ID!) { r: followers(id: $id, first: 10) { totalCount } }`, map[string]any{"id": s.TopicID}); n.TotalCount != 1 {
			t.Fatalf("admin followers: %+v", n)
		}
		if n := must[struct{ TotalCount int }](t, s.Anna, `query { r: myFollows(first: 10) { totalCount } }`, nil); n.TotalCount != 0 {
			t.Fatalf("Anna sees others' follows: %+v", n)
		}
		wantError(t, s.Jonas.Post(t, `mutation($id: ID!) { follow(id: $id) { id } }`, map[string]any{"id": s.OrgID + "x"}), "BAD_USER_INPUT", "id")

		jonas := openInbox(t, s.Jonas, protoFor(env, t), nil)
		d := startFollowedDiscussion(t, s.Anna, "Low Code: welche Plattform?", []string{s.TopicID}, nil)
		wantDelivered(t, jonas, "DISCUSSION", d, 1)

		// Muted: nothing.
		must[struct{ Muted bool }](t, s.Jonas, `mutation($id: ID!) { r: muteFollow(id: $id, muted: true) { muted } }`, map[string]any{"id": s.TopicID})
		startFollowedDiscussion(t, s.Anna, "Noch eine Frage zu Low Code", []string{s.TopicID}, nil)
		if m, err := jonas.ws.Read(300 * time.Millisecond); err == nil {
			t.Fatalf("muted follow notified: %s %s", m.Type, m.Payload)
		}
		if !must[bool](t, s.Jonas, `mutation($id: ID!) { r: unfollow(id: $id) }`, map[string]any{"id": s.TopicID}) {
			t.Fatal("unfollow: false")
		}
	})
}

// TestNotifyFanOutCostsConstantStatements: starting a discussion in a topic with 10 or with 100
// followers costs the same number of SQL statements.
func TestNotifyFanOutCostsConstantStatements(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		counts := map[int]int64{}
		for _, n := range []int{10, 100} {
			topic := must[struct{ ID string }](t, s.Admin, `mutation($s: String!) { r: createTopic(input: {slug: $s, name: $s}) { id } }`,
				map[string]any{"s": fmt.Sprintf("thema-%d", n)}).ID
			followersOf(t, env, topic, n)
			counts[n] = env.Statements(func() { startFollowedDiscussion(t, s.Anna, "Frage", []string{topic}, nil) })
			stored, err := env.App.Store.Client.Notification.Query().Count(policy.System(context.Background()))
			if err != nil || stored < n {
				t.Fatalf("%d followers: %d notifications stored (%v)", n, stored, err)
			}
		}
		if counts[10] != counts[100] {
			t.Fatalf("statements: %d for 10 followers, %d for 100", counts[10], counts[100])
		}
	})
}

// followersOf makes n new members (one organisation, same roles) follow the target.
func followersOf(t *testing.T, env *apitest.Env, target string, n int) {
	t.Helper()
	ctx := policy.System(context.Background())
	c := env.App.Store.Client
	for i := range n {
		m, err := c.Member.Create().SetDisplayName(fmt.Sprintf("Folgende %d", i)).SetEmail(fmt.Sprintf("f%d-%s@test.example", i, target[4:12])).
			SetCommunityRole(member.CommunityRoleCDO).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Follow.Create().SetMemberID(m.ID).SetTargetType(follow.TargetTypeTOPIC).SetTargetID(gid.ID(target)).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNotifyEveryKindEndToEnd: the in-app path of each kind in one sequence (grouping aside);
// the same kinds all the way to a received mail and its unsubscribe link are
// TestNotifyEveryKindIsMailedAndUnsubscribed (notify_kinds_test.go), driven by the schema's enums.
func TestNotifyEveryKindEndToEnd(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		proto := protoFor(env, t)
		jonas := openInbox(t, s.Jonas, proto, nil)

		t.Run("co-authorship request and new practice in a followed topic", func(t *testing.T) {
			must[struct{ ID string }](t, s.Jonas, `mutation($id: ID!) { r: follow(id: $id) { id } }`, map[string]any{"id": s.TopicID})
			p := must[struct{ ID string }](t, s.Anna, `mutation($o: ID!, $t: ID!, $j: ID!) { r: createPractice(input: {title: "E-Akte", organisationID: $o,
				summary: "S", problem: "P", approach: "A", outcome: "O", visibility: MEMBERS, topicIDs: [$t], authorIDs: [$j]}) { id } }`,
				map[string]any{"o": s.OrgID, "t": s.TopicID, "j": s.Member2ID}).ID
			inv := jonas.next(t)
			if inv.Notification.Kind != "COAUTHOR_REQUEST" || inv.Notification.SubjectType != "AuthorshipInvitation" {
				t.Fatalf("co-author request: %+v", inv.Notification)
			}
			wantStoredAndRead(t, jonas, inv)
			must[struct{ ID string }](t, s.Anna, `mutation($id: ID!) { r: publishPractice(id: $id) { id } }`, map[string]any{"id": p})
			wantDelivered(t, jonas, "PRACTICE", p, 1)
		})

		t.Run("join decision", func(t *testing.T) {
			req := must[struct{ ID string }](t, s.Jonas, `mutation($c: ID!) { r: requestToJoinCircle(circleID: $c) { id } }`, map[string]any{"c": s.CircleID}).ID
			must[struct{ ID string }](t, s.Admin, `mutation($id: ID!) { r: acceptJoinRequest(id: $id, reason: "Willkommen") { id } }`, map[string]any{"id": req})
			wantDelivered(t, jonas, "JOIN_DECISION", req, 1)
		})

		var eventID string
		t.Run("waitlist promotion", func(t *testing.T) {
			eventID = must[struct{ ID string }](t, s.Admin, `mutation { r: createEvent(input: {title: "Brown Bag", kind: BROWN_BAG,
				startsAt: "2030-03-01T10:00:00Z", endsAt: "2030-03-01T11:00:00Z", capacity: 1}) { id } }`, nil).ID
			for _, m := range []*apitest.Session{s.Anna, s.Jonas} {
				must[struct{ ID string }](t, m, `mutation($e: ID!) { r: registerForEvent(eventID: $e) { id } }`, map[string]any{"e": eventID})
			}
			must[struct{ ID string }](t, s.Anna, `mutation($e: ID!) { r: cancelRegistration(eventID: $e) { id } }`, map[string]any{"e": eventID})
			wantDelivered(t, jonas, "WAITLIST", eventID, 1)
		})

		t.Run("event change", func(t *testing.T) {
			must[struct{ ID string }](t, s.Admin, `mutation($e: ID!) { r: updateEvent(id: $e, input: {place: "Rathaus, Saal 2"}) { id } }`, map[string]any{"e": eventID})
			wantDelivered(t, jonas, "EVENT_CHANGE", eventID, 1)
		})

		t.Run("event reminder a day before, once", func(t *testing.T) {
			starts := time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)
			if err := env.App.Notify.Remind(context.Background(), env.App.Store.Client, starts.Add(-25*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if n := listNotifications(t, s.Jonas); n.UnreadCount != 0 {
				t.Fatalf("reminded 25 hours before: %+v", n)
			}
			// Two replicas at the same moment: one reminder.
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					if err := env.App.Notify.Remind(context.Background(), env.App.Store.Client, starts.Add(-23*time.Hour)); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			wantDelivered(t, jonas, "EVENT_REMINDER", eventID, 1)
			if err := env.App.Notify.Remind(context.Background(), env.App.Store.Client, starts.Add(-22*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if n := listNotifications(t, s.Jonas); n.UnreadCount != 0 {
				t.Fatalf("reminded twice: %+v", n)
			}
		})

		t.Run("new survey in my circle", func(t *testing.T) {
			must[struct{ ID string }](t, s.Admin, `mutation($c: ID!, $m: ID!) { r: addCircleMember(circleID: $c, memberID: $m, role: MODERATOR) { id } }`,
				map[string]any{"c": s.CircleID, "m": s.MemberID})
			sv := must[struct{ ID string }](t, s.Anna, `mutation($c: ID!) { r: createSurvey(input: {title: "Kreisumfrage", opensAt: "2026-01-01T00:00:00Z",
				closesAt: "2030-01-01T00:00:00Z", circleID: $c}, questions: [{kind: TEXT, text: "Wie geht es?"}]) { id } }`, map[string]any{"c": s.CircleID}).ID
			wantDelivered(t, jonas, "SURVEY", sv, 1)
		})

		// Anna caused all of it (or was no longer registered): she was told of nothing.
		if n := listNotifications(t, s.Anna); len(n.Edges) != 0 {
			t.Fatalf("Anna notified of her own actions: %+v", n)
		}

		t.Run("survey closing within two days, once", func(t *testing.T) {
			closes := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			for range 2 {
				if err := env.App.Notify.Remind(context.Background(), env.App.Store.Client, closes.Add(-24*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			got := jonas.next(t)
			if got.Notification.Kind != "SURVEY" || got.Notification.SubjectType != "Survey" || got.Notification.Count != 1 {
				t.Fatalf("closing soon: %+v", got.Notification)
			}
			wantStoredAndRead(t, jonas, got)
		})
	})
}

// wantStoredAndRead checks that a live notification is listed unread, then marks it read.
func wantStoredAndRead(t *testing.T, in *inbox, got liveNotification) {
	t.Helper()
	before := listNotifications(t, in.s)
	must[struct{ ID string }](t, in.s, `mutation($id: ID!) { r: markNotificationRead(id: $id) { id } }`, map[string]any{"id": got.Notification.ID})
	if after := listNotifications(t, in.s); after.UnreadCount != before.UnreadCount-1 {
		t.Fatalf("marked read: unread %d, want %d", after.UnreadCount, before.UnreadCount-1)
	}
}
