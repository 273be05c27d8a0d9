package graph_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/ent/reaction"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/apperr"
	"zirkel/server/auth"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// The rules of the data layer hold for every write, not only for the resolvers' (issue 11):
// these tests write with the app's ent client in a member's name, past every resolver, and
// read the outcome through the GraphQL handler.

// asMember is the context of a request by the member: their viewer, as a login gives it.
func asMember(t *testing.T, env *apitest.Env, memberID string) context.Context {
	t.Helper()
	c := env.App.Store.Client
	m, err := c.Member.Get(policy.System(context.Background()), gid.ID(memberID))
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.LoadViewer(context.Background(), c, m)
	if err != nil {
		t.Fatal(err)
	}
	return viewer.NewContext(context.Background(), v)
}

// wantRule checks that a direct write failed with the rule's error code and field.
func wantRule(t *testing.T, err error, code, field string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code || e.Field != field {
		t.Fatalf("want %s on %q, got %v", code, field, err)
	}
}

func TestMessageRulesHoldBeyondTheResolvers(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		c := env.App.Store.Client
		d, other := newDiscussion(t, s), newDiscussion(t, s)
		first := post(t, s.Anna, d, "Erste", nil)
		elsewhere := post(t, s.Anna, other, "Anderswo", nil)
		jonas, anna := asMember(t, env, s.Member2ID), asMember(t, env, s.MemberID)

		_, err := c.Message.Create().SetDiscussionID(gid.ID(d)).SetAuthorID(gid.ID(s.Member2ID)).SetBody("Antwort").
			SetParentID(gid.ID(elsewhere.ID)).SetPosition(1).Save(jonas)
		wantRule(t, err, apperr.CodeBadUserInput, "parentID")
		m, err := c.Message.Create().SetDiscussionID(gid.ID(d)).SetAuthorID(gid.ID(s.Member2ID)).SetBody("Antwort").
			SetParentID(gid.ID(first.ID)).SetPosition(1).Save(jonas)
		if err != nil {
			t.Fatal(err)
		}
		if m.Position != 2 {
			t.Fatalf("a message takes the next position, whatever the writer says: got %d, want 2", m.Position)
		}
		err = c.Message.UpdateOneID(gid.ID(first.ID)).SetReactionCounts(map[string]int{"HEART": 100}).Exec(anna)
		wantRule(t, err, apperr.CodeForbidden, "")
		if err := c.Message.UpdateOneID(gid.ID(first.ID)).SetBody("").SetDeletedAt(time.Now()).Exec(anna); err != nil {
			t.Fatal(err)
		}
		err = c.Message.UpdateOneID(gid.ID(first.ID)).SetBody("wieder da").Exec(anna)
		wantRule(t, err, apperr.CodeBadUserInput, "id")

		err = c.Discussion.UpdateOneID(gid.ID(d)).SetMessageCount(0).Exec(anna)
		wantRule(t, err, apperr.CodeForbidden, "")
		s.Anna.MustPost(t, `mutation($d: ID!) { updateDiscussion(id: $d, input: {status: LOCKED}) { id } }`, map[string]any{"d": d}, nil)
		_, err = c.Message.Create().SetDiscussionID(gid.ID(d)).SetAuthorID(gid.ID(s.Member2ID)).SetBody("Zu spät").Save(jonas)
		wantRule(t, err, apperr.CodeForbidden, "")

		var got struct {
			Node struct {
				MessageCount int
				Messages     struct {
					Edges []struct{ Node struct{ Position int } }
				}
			}
		}
		s.Anna.MustPost(t, `query($d: ID!) { node(id: $d) { ... on Discussion { messageCount messages(first: 10) { edges { node { position } } } } } }`,
			map[string]any{"d": d}, &got)
		if got.Node.MessageCount != 2 || len(got.Node.Messages.Edges) != 2 {
			t.Fatalf("the refused writes left nothing behind: %+v", got.Node)
		}
	})
}

func TestReactionCountsFollowEveryWrite(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		c := env.App.Store.Client
		msg := post(t, s.Anna, newDiscussion(t, s), "Gefällt euch das?", nil)
		jonas := asMember(t, env, s.Member2ID)
		count := func() string {
			var out struct {
				Node struct {
					Reactions []struct {
						Kind  string
						Count int
					}
				}
			}
			s.Anna.MustPost(t, `query($m: ID!) { node(id: $m) { ... on Message { reactions { kind count } } } }`, map[string]any{"m": msg.ID}, &out)
			r := ""
			for _, x := range out.Node.Reactions {
				r += x.Kind + ":" + string(rune('0'+x.Count)) + " "
			}
			return r
		}
		if err := c.Reaction.Create().SetMessageID(gid.ID(msg.ID)).SetMemberID(gid.ID(s.Member2ID)).SetKind(reaction.KindHEART).Exec(jonas); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != "HEART:1 " {
			t.Fatalf("after a reaction written directly: %q", got)
		}
		if _, err := c.Reaction.Delete().Exec(jonas); err != nil { // only the viewer's own are removed
			t.Fatal(err)
		}
		if got := count(); got != "" {
			t.Fatalf("after the reaction was removed directly: %q", got)
		}
	})
}

func TestRegistrationRulesHoldBeyondTheResolvers(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		c := env.App.Store.Client
		var created struct{ CreateEvent struct{ ID string } }
		s.Admin.MustPost(t, `mutation { createEvent(input: {title: "Ein Platz", kind: MEETUP, startsAt: "2099-12-01T10:00:00Z",
			endsAt: "2099-12-01T12:00:00Z", capacity: 1}) { id } }`, nil, &created)
		eventID := gid.ID(created.CreateEvent.ID)
		s.Anna.MustPost(t, `mutation($e: ID!) { registerForEvent(eventID: $e) { status } }`, map[string]any{"e": eventID}, nil)
		jonas, anna, admin := asMember(t, env, s.Member2ID), asMember(t, env, s.MemberID), asMember(t, env, s.Admin.MemberID)

		early := time.Now().Add(-24 * time.Hour)
		r, err := c.Registration.Create().SetEventID(eventID).SetMemberID(gid.ID(s.Member2ID)).
			SetStatus(registration.StatusREGISTERED).SetRegisteredAt(early).Save(jonas)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != registration.StatusWAITLISTED || r.RegisteredAt.Before(time.Now().Add(-time.Minute)) {
			t.Fatalf("a full event waitlists at the end, whatever the writer says: %s at %s", r.Status, r.RegisteredAt)
		}
		r, err = c.Registration.UpdateOneID(r.ID).SetStatus(registration.StatusREGISTERED).Save(jonas)
		if err != nil || r.Status != registration.StatusWAITLISTED {
			t.Fatalf("nobody jumps the waitlist: %v, %v", r, err)
		}
		err = c.Event.UpdateOneID(eventID).SetRegisteredCount(0).Exec(admin)
		wantRule(t, err, apperr.CodeForbidden, "")
		err = c.Event.UpdateOneID(eventID).SetEndsAt(time.Date(2099, 12, 1, 9, 0, 0, 0, time.UTC)).Exec(admin)
		wantRule(t, err, apperr.CodeBadUserInput, "endsAt")

		mine, err := c.Registration.Query().Where(registration.HasMemberWith(member.ID(gid.ID(s.MemberID)))).Only(anna)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Registration.DeleteOneID(mine.ID).Exec(anna); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Node struct {
				RegisteredCount, WaitlistCount int
			}
		}
		s.Admin.MustPost(t, `query($e: ID!) { node(id: $e) { ... on Event { registeredCount waitlistCount } } }`, map[string]any{"e": eventID}, &got)
		if got.Node.RegisteredCount != 1 || got.Node.WaitlistCount != 0 {
			t.Fatalf("the freed place went to the waitlist: %+v", got.Node)
		}
		r, err = c.Registration.Get(jonas, r.ID)
		if err != nil || r.Status != registration.StatusREGISTERED {
			t.Fatalf("Jonas moved up: %v, %v", r, err)
		}
	})
}

func TestSurveyResponsesNeedTheServersKey(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
		survey, _ := newSurvey(t, owner, time.Now().Add(time.Hour), "")
		m := env.NewMember(t, apitest.Spec{})
		err := env.App.Store.Client.SurveyResponse.Create().SetSurveyID(gid.ID(survey)).SetRespondentKey("frei gewählt").
			SetAnswers(map[string]any{}).SetSubmittedAt(time.Now()).Exec(asMember(t, env, m.MemberID))
		wantRule(t, err, apperr.CodeForbidden, "")
		n, err := env.App.Store.Client.SurveyResponse.Query().Count(policy.System(context.Background()))
		if err != nil || n != 0 {
			t.Fatalf("no response is stored: %d, %v", n, err)
		}
	})
}

// TestConcurrentReactionsAreCounted: members who react to one message at the same time are
// all counted.
func TestConcurrentReactionsAreCounted(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		msg := post(t, s.Anna, newDiscussion(t, s), "Wer ist dabei?", nil)
		const n = 8
		members := make([]*apitest.Session, n)
		for i := range members {
			members[i] = env.NewMember(t, apitest.Spec{})
		}
		var wg sync.WaitGroup
		for _, m := range members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := m.Post(t, `mutation($m: ID!) { react(messageID: $m, kind: CLAP) { id } }`, map[string]any{"m": msg.ID})
				if len(res.Errors) > 0 {
					t.Errorf("react: %v", res.Errors)
				}
			}()
		}
		wg.Wait()
		var out struct {
			Node struct{ Reactions []struct{ Count int } }
		}
		s.Anna.MustPost(t, `query($m: ID!) { node(id: $m) { ... on Message { reactions { count } } } }`, map[string]any{"m": msg.ID}, &out)
		if len(out.Node.Reactions) != 1 || out.Node.Reactions[0].Count != n {
			t.Fatalf("want %d claps, got %+v", n, out.Node.Reactions)
		}
	})
}
