package graph_test

import (
	"testing"

	"zirkel/server/apitest"
)

// TestCancelledEvents: those who may change an event cancel it; registered members are told
// (EVENT_CHANGE), nobody registers any more, cancelling again changes nothing, and a member
// who may not change the event cannot cancel it.
func TestCancelledEvents(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		event, _ := newEvent(t, s.Admin, map[string]any{"title": "Brown Bag: Absage", "cap": 10})
		if res := register(t, s.Anna, event); len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		cancel := `mutation($e: ID!) { cancelEvent(id: $e) { id cancelledAt } }`
		res := s.Jonas.Post(t, cancel, map[string]any{"e": event})
		if len(res.Errors) == 0 || (res.Errors[0].Code() != "FORBIDDEN" && res.Errors[0].Code() != "NOT_FOUND") {
			t.Fatalf("a member who may not change the event cancelled it: %+v", res)
		}
		var out struct {
			CancelEvent struct {
				ID          string
				CancelledAt *string
			}
		}
		s.Admin.MustPost(t, cancel, map[string]any{"e": event}, &out)
		if out.CancelEvent.CancelledAt == nil {
			t.Fatal("cancelledAt not set")
		}
		first := *out.CancelEvent.CancelledAt
		s.Admin.MustPost(t, cancel, map[string]any{"e": event}, &out)
		if out.CancelEvent.CancelledAt == nil || *out.CancelEvent.CancelledAt != first {
			t.Fatalf("cancelling again changed the time: %v, was %s", out.CancelEvent.CancelledAt, first)
		}
		res = register(t, s.Jonas, event)
		if len(res.Errors) == 0 || res.Errors[0].Code() != "BAD_USER_INPUT" || res.Errors[0].Field() != "eventID" {
			t.Fatalf("registering for a cancelled event: %+v", res)
		}
		var notes struct {
			Notifications struct {
				Edges []struct {
					Node struct{ Kind, SubjectID string }
				}
			}
		}
		s.Anna.MustPost(t, `{ notifications(first: 10) { edges { node { kind subjectID } } } }`, nil, &notes)
		found := false
		for _, e := range notes.Notifications.Edges {
			found = found || e.Node.Kind == "EVENT_CHANGE" && e.Node.SubjectID == event
		}
		if !found {
			t.Fatalf("the registered member was not told of the cancellation: %+v", notes)
		}
	})
}
