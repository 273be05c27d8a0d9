package events_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/events"
)

// recorder keeps what consumers received.
type recorder struct {
	mu      sync.Mutex
	inTx    [][]events.Change
	after   [][]events.Change
	failFor string // an InTx failure for batches holding a change of this type
}

func (r *recorder) consumeInTx(_ context.Context, _ *ent.Client, changes []events.Change) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range changes {
		if c.Type == r.failFor {
			return errors.New("refused by the test consumer")
		}
	}
	r.inTx = append(r.inTx, changes)
	return nil
}

func (r *recorder) consumeAfter(_ context.Context, changes []events.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.after = append(r.after, changes)
}

func (r *recorder) take() (inTx, after [][]events.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	inTx, after, r.inTx, r.after = r.inTx, r.after, nil, nil
	return inTx, after
}

func find(batch []events.Change, typ string, op events.Op) (events.Change, bool) {
	for _, c := range batch {
		if c.Type == typ && c.Op == op {
			return c, true
		}
	}
	return events.Change{}, false
}

// TestPipelineDeliversCommittedChangesOnce: a mutation through the GraphQL handler reaches the
// InTx and AfterCommit consumers once, as one batch per transaction, with its actor, changed
// names and unique-edge refs; a refused mutation delivers nothing; a failing InTx consumer
// rolls the transaction back; a delete carries what the row pointed at.
func TestPipelineDeliversCommittedChangesOnce(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		anna := env.NewMember(t, apitest.Spec{Name: "Anna"})
		rec := &recorder{}
		env.App.Store.Events.InTx("test", rec.consumeInTx)
		env.App.Store.Events.AfterCommit("test", rec.consumeAfter)

		var d struct{ CreateDiscussion struct{ ID string } }
		anna.MustPost(t, `mutation { createDiscussion(input: {title: "Pipeline"}) { id } }`, nil, &d)
		rec.take()
		var m struct{ PostMessage struct{ ID string } }
		anna.MustPost(t, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "Hallo"}) { id } }`, map[string]any{"d": d.CreateDiscussion.ID}, &m)
		inTx, after := rec.take()
		if len(inTx) != 1 || len(after) != 1 {
			t.Fatalf("want one batch each, got %d in the transaction and %d after", len(inTx), len(after))
		}
		posted, ok := find(after[0], "Message", events.Created)
		if !ok || string(posted.ID) != m.PostMessage.ID || string(posted.Actor) != anna.MemberID ||
			string(posted.Refs["discussion"]) != d.CreateDiscussion.ID || !posted.Has("body") {
			t.Fatalf("message change: %+v (batch %+v)", posted, after[0])
		}
		for _, c := range after[0] {
			if c.Type == "Message" && c.Op == events.Created && c.ID != posted.ID {
				t.Fatalf("the message was recorded twice: %+v", after[0])
			}
		}

		// A refused mutation (blank body) delivers nothing.
		res := anna.Post(t, `mutation($d: ID!) { postMessage(input: {discussionID: $d, body: "   "}) { id } }`, map[string]any{"d": d.CreateDiscussion.ID})
		if len(res.Errors) == 0 {
			t.Fatal("a blank message was accepted")
		}
		if inTx, after := rec.take(); len(inTx)+len(after) != 0 {
			t.Fatalf("a refused mutation was delivered: %+v %+v", inTx, after)
		}

		// A failing InTx consumer rolls the whole transaction back.
		rec.failFor = "Circle"
		res = admin.Post(t, `mutation { createCircle(input: {name: "Nie", slug: "nie", visibility: OPEN}) { id } }`, nil)
		if len(res.Errors) == 0 {
			t.Fatal("the mutation succeeded although a consumer failed")
		}
		var circles struct{ Circles struct{ TotalCount int } }
		admin.MustPost(t, `{ circles(first: 1, where: {slug: "nie"}) { totalCount } }`, nil, &circles)
		if circles.Circles.TotalCount != 0 {
			t.Fatal("the circle was stored although its transaction's consumer failed")
		}
		if _, after := rec.take(); len(after) != 0 {
			t.Fatalf("a rolled-back transaction was delivered after commit: %+v", after)
		}
		rec.failFor = ""

		// A delete carries what the row belonged to.
		var c struct{ CreateCircle struct{ ID string } }
		admin.MustPost(t, `mutation { createCircle(input: {name: "Kreis", slug: "kreis", visibility: OPEN}) { id } }`, nil, &c)
		admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": c.CreateCircle.ID, "m": anna.MemberID}, nil)
		rec.take()
		admin.MustPost(t, `mutation($c: ID!, $m: ID!) { removeCircleMember(circleID: $c, memberID: $m) }`, map[string]any{"c": c.CreateCircle.ID, "m": anna.MemberID}, nil)
		_, after = rec.take()
		if len(after) != 1 {
			t.Fatalf("want one batch, got %d", len(after))
		}
		removed, ok := find(after[0], "CircleMembership", events.Deleted)
		if !ok || string(removed.Refs["member"]) != anna.MemberID || string(removed.Refs["circle"]) != c.CreateCircle.ID || string(removed.Actor) != admin.MemberID {
			t.Fatalf("membership removal: %+v", removed)
		}
	})
}

// TestCarryReachesTheSameTransactionsAfterCommit: what an InTx consumer keeps with Carry is
// what the AfterCommit consumers of that transaction, and only of that one, read.
func TestCarryReachesTheSameTransactionsAfterCommit(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	anna := env.NewMember(t, apitest.Spec{Name: "Anna"})
	type key struct{}
	var mu sync.Mutex
	var seen []any
	env.App.Store.Events.InTx("carry", func(ctx context.Context, _ *ent.Client, changes []events.Change) error {
		events.Carry(ctx, key{}, string(changes[0].ID))
		return nil
	})
	env.App.Store.Events.AfterCommit("carry", func(ctx context.Context, changes []events.Change) {
		mu.Lock()
		defer mu.Unlock()
		if got := events.Carried(ctx, key{}); got != string(changes[0].ID) {
			t.Errorf("carried %v, want the first change's id %s", got, changes[0].ID)
		}
		seen = append(seen, events.Carried(ctx, key{}))
	})
	for _, title := range []string{"Eins", "Zwei"} {
		anna.MustPost(t, `mutation($t: String!) { createDiscussion(input: {title: $t}) { id } }`, map[string]any{"t": title}, nil)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] == seen[1] {
		t.Fatalf("want two transactions with their own carried values, got %v", seen)
	}
}

// TestKeepBeforeCarriesOldValuesOfAskedFields: an update of one row carries the values before
// it of the fields a consumer asked for, and of no other field it changed.
func TestKeepBeforeCarriesOldValuesOfAskedFields(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		anna := env.NewMember(t, apitest.Spec{Name: "Anna"})
		rec := &recorder{}
		env.App.Store.Events.InTx("test", rec.consumeInTx)
		env.App.Store.Events.KeepBefore("Discussion", "title")
		var d struct{ CreateDiscussion struct{ ID string } }
		anna.MustPost(t, `mutation { createDiscussion(input: {title: "Vorher"}) { id } }`, nil, &d)
		rec.take()
		anna.MustPost(t, `mutation($id: ID!) { updateDiscussion(id: $id, input: {title: "Nachher"}) { id } }`, map[string]any{"id": d.CreateDiscussion.ID}, nil)
		inTx, _ := rec.take()
		var titled events.Change
		for _, batch := range inTx {
			if c, ok := find(batch, "Discussion", events.Updated); ok && c.Has("title") {
				titled = c
			}
		}
		if len(titled.Fields) < 2 || len(titled.Before) != 1 || titled.Before["title"] != "Vorher" {
			t.Fatalf("want only the title before the update among %v, got %+v", titled.Fields, titled.Before)
		}
	})
}
