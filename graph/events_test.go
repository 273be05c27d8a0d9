package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"zirkel/server/apitest"
)

const createEvent = `mutation($title: String!, $cap: Int, $c: ID, $url: String) { createEvent(input: {title: $title, kind: BROWN_BAG,
	startsAt: "2026-12-01T11:00:00Z", endsAt: "2026-12-01T12:00:00Z", capacity: $cap, circleID: $c, place: "Raum 1"}, onlineURL: $url) { id icsPath } }`

func newEvent(t testing.TB, as *apitest.Session, vars map[string]any) (string, string) {
	t.Helper()
	var out struct {
		CreateEvent struct{ ID, IcsPath string }
	}
	as.MustPost(t, createEvent, vars, &out)
	return out.CreateEvent.ID, out.CreateEvent.IcsPath
}

func register(t testing.TB, as *apitest.Session, event string) apitest.Response {
	t.Helper()
	return as.Post(t, `mutation($e: ID!) { registerForEvent(eventID: $e) { status } }`, map[string]any{"e": event})
}

func statusOf(t testing.TB, res apitest.Response) string {
	t.Helper()
	var out struct{ RegisterForEvent, CancelRegistration struct{ Status string } }
	if len(res.Errors) > 0 || json.Unmarshal(res.Data, &out) != nil {
		t.Errorf("registration failed: %+v", res.Errors)
	}
	return out.RegisterForEvent.Status + out.CancelRegistration.Status
}

// TestEventCapacityUnderConcurrency: 50 members register at once for 10 places: exactly 10
// are registered, 40 waitlisted; a cancellation moves the first on the waitlist up.
func TestEventCapacityUnderConcurrency(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		event, _ := newEvent(t, s.Admin, map[string]any{"title": "Brown Bag: Low Code", "cap": 10, "url": "https://meet.example/bb"})
		members := make([]*apitest.Session, 50)
		for i := range members {
			members[i] = env.NewMember(t, apitest.Spec{})
		}
		statuses := make([]string, len(members))
		var wg sync.WaitGroup
		for i, m := range members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = statusOf(t, register(t, m, event))
			}()
		}
		wg.Wait()
		count := map[string]int{}
		for _, st := range statuses {
			count[st]++
		}
		if count["REGISTERED"] != 10 || count["WAITLISTED"] != 40 {
			t.Fatalf("got %v", count)
		}
		var ev struct {
			Node struct{ RegisteredCount, WaitlistCount int }
		}
		s.Admin.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Event { registeredCount waitlistCount } } }`, map[string]any{"id": event}, &ev)
		if ev.Node.RegisteredCount != 10 || ev.Node.WaitlistCount != 40 {
			t.Fatalf("counters %+v", ev.Node)
		}

		// The first waitlisted by time of registration moves up when a place is freed.
		var first *apitest.Session
		for _, m := range members {
			var mine struct {
				Node struct {
					Registrations struct {
						Edges []struct {
							Node struct{ Status, RegisteredAt string }
						}
					}
				}
			}
			m.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Event { registrations(first: 1) { edges { node { status registeredAt } } } } } }`, map[string]any{"id": event}, &mine)
			edges := mine.Node.Registrations.Edges
			if len(edges) != 1 {
				t.Fatalf("a member sees only their own registration, got %d", len(edges))
			}
			if n := edges[0].Node; n.Status == "WAITLISTED" && (first == nil || n.RegisteredAt < firstAt(t, first, event)) {
				first = m
			}
		}
		var leaver *apitest.Session
		for i, st := range statuses {
			if st == "REGISTERED" {
				leaver = members[i]
				break
			}
		}
		if got := statusOf(t, leaver.Post(t, `mutation($e: ID!) { cancelRegistration(eventID: $e) { status } }`, map[string]any{"e": event})); got != "CANCELLED" {
			t.Fatalf("cancel: %s", got)
		}
		if got := statusOf(t, register(t, first, event)); got != "REGISTERED" {
			t.Fatalf("the first on the waitlist was not promoted: %s", got)
		}

		t.Run("online link only for the registered", func(t *testing.T) {
			link := func(as *apitest.Session) string {
				var out struct{ Node struct{ OnlineURL *string } }
				as.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Event { onlineURL } } }`, map[string]any{"id": event}, &out)
				if out.Node.OnlineURL == nil {
					return ""
				}
				return *out.Node.OnlineURL
			}
			if link(first) != "https://meet.example/bb" || link(leaver) != "" || link(s.Jonas) != "" || link(s.Admin) == "" {
				t.Fatal("the link must be shown to registered members, organisers and admins only")
			}
		})
	})
}

func firstAt(t testing.TB, as *apitest.Session, event string) string {
	t.Helper()
	var mine struct {
		Node struct {
			Registrations struct {
				Edges []struct{ Node struct{ RegisteredAt string } }
			}
		}
	}
	as.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Event { registrations(first: 1) { edges { node { registeredAt } } } } } }`, map[string]any{"id": event}, &mine)
	return mine.Node.Registrations.Edges[0].Node.RegisteredAt
}

func TestEventRightsAndCalendars(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		res := s.Anna.Post(t, createEvent, map[string]any{"title": "Nicht erlaubt"})
		wantError(t, res, "FORBIDDEN", "")
		res = s.Admin.Post(t, `mutation { createEvent(input: {title: "X", kind: MEETUP, startsAt: "2026-12-01T12:00:00Z", endsAt: "2026-12-01T11:00:00Z"}) { id } }`, nil)
		wantError(t, res, "BAD_USER_INPUT", "endsAt")
		var timed struct{ CreateEvent struct{ ID string } }
		s.Admin.MustPost(t, `mutation { createEvent(input: {title: "Frist", kind: MEETUP, startsAt: "2026-12-01T10:00:00Z",
			endsAt: "2026-12-01T12:00:00Z", registrationDeadline: "2026-12-01T11:50:00Z"}) { id } }`, nil, &timed)
		res = s.Admin.Post(t, `mutation($id: ID!) { updateEvent(id: $id, input: {endsAt: "2026-12-01T11:30:00Z"}) { id } }`, map[string]any{"id": timed.CreateEvent.ID})
		wantError(t, res, "BAD_USER_INPUT", "registrationDeadline") // the stored deadline counts too

		circleEvent, _ := newEvent(t, s.Admin, map[string]any{"title": "Nur für den Zirkel", "c": s.CircleID})
		var seen struct{ Node *struct{ ID string } }
		s.Jonas.MustPost(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": circleEvent}, &seen)
		if seen.Node != nil {
			t.Fatal("a circle's event is only for its members")
		}

		event, ics := newEvent(t, s.Admin, map[string]any{"title": "Werkstatt; Prozesse, Daten", "url": "https://meet.example/w"})
		statusOf(t, register(t, s.Anna, event))
		body := get(t, env.URL+ics, s.Anna.Token, http.StatusOK)
		for _, want := range []string{"BEGIN:VCALENDAR\r\n", "DTSTART;TZID=Europe/Berlin:20261201T120000", "SUMMARY:Werkstatt\\; Prozesse\\, Daten", "URL:https://meet.example/w", "TZID:Europe/Berlin"} {
			if !strings.Contains(body, want) {
				t.Fatalf("the event's calendar lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(get(t, env.URL+ics, s.Jonas.Token, http.StatusOK), "meet.example") {
			t.Fatal("the link is only for the registered")
		}
		get(t, env.URL+ics, "", http.StatusNotFound)

		var feed struct{ RenewCalendarFeed string }
		s.Anna.MustPost(t, `mutation { renewCalendarFeed }`, nil, &feed)
		if body := get(t, env.URL+feed.RenewCalendarFeed, "", http.StatusOK); !strings.Contains(body, "UID:"+event+"@zirkel") || strings.Contains(body, circleEvent) {
			t.Fatalf("the feed:\n%s", body)
		}
		old := feed.RenewCalendarFeed
		s.Anna.MustPost(t, `mutation { renewCalendarFeed }`, nil, &feed)
		get(t, env.URL+old, "", http.StatusNotFound)
	})
}

func get(t testing.TB, url, token string, want int) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %s", url, res.StatusCode, want, raw)
	}
	return string(raw)
}
