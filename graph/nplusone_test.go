package graph_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"zirkel/ent"
	"zirkel/ent/event"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/policy"
)

// seedPractices creates n organisations, each with a member who authored one published
// practice with two topics, directly in the database (the queries under test go through the
// handler), and returns a member's session to read them with.
func seedPractices(t testing.TB, env *apitest.Env, n int) *apitest.Session {
	t.Helper()
	ctx := policy.System(context.Background())
	c := env.App.Store.Client
	topics := c.Topic.CreateBulk(
		c.Topic.Create().SetSlug("a").SetName("A"), c.Topic.Create().SetSlug("b").SetName("B"),
	).SaveX(ctx)
	var d *ent.Discussion
	for i := range n {
		org := c.Organisation.Create().SetName(fmt.Sprintf("Kreis %d", i)).SetKind(organisation.KindLANDKREIS).SaveX(ctx)
		role := member.CommunityRoleCDO
		if i%2 == 1 {
			role = member.CommunityRoleVENDOR
		}
		m := c.Member.Create().SetDisplayName(fmt.Sprintf("Mitglied %d", i)).SetEmail(fmt.Sprintf("m%d@kreis.example", i)).
			SetCommunityRole(role).SetOrganisation(org).SaveX(ctx)
		c.Practice.Create().SetTitle(fmt.Sprintf("Praxis %d", i)).SetOrganisation(org).AddAuthors(m).AddTopics(topics...).
			SetStatus(practice.StatusPUBLISHED).SetVisibility(practice.VisibilityMEMBERS).ExecX(ctx)
		if d == nil {
			d = c.Discussion.Create().SetTitle("Vorstellungsrunde").SetAuthor(m).SaveX(ctx)
		}
		c.Message.Create().SetDiscussion(d).SetAuthor(m).SetBody("Hallo").SetPosition(i + 1).ExecX(ctx)
	}
	return env.NewMember(t, apitest.Spec{})
}

// seedOnlineEvents creates n online events, the reader registered for every other one.
func seedOnlineEvents(t testing.TB, env *apitest.Env, reader *apitest.Session, n int) {
	t.Helper()
	ctx := policy.System(context.Background())
	c := env.App.Store.Client
	start := time.Now().Add(24 * time.Hour)
	for i := range n {
		e := c.Event.Create().SetTitle(fmt.Sprintf("Sprechstunde %d", i)).SetKind(event.KindONLINE_SESSION).
			SetStartsAt(start.Add(time.Duration(i) * time.Hour)).SetEndsAt(start.Add(time.Duration(i)*time.Hour + 30*time.Minute)).
			SetOnlineURL(fmt.Sprintf("https://meet.example/%d", i)).SaveX(ctx)
		if i%2 == 0 {
			c.Registration.Create().SetEvent(e).SetMemberID(gid.ID(reader.MemberID)).SetStatus(registration.StatusREGISTERED).
				SetRegisteredAt(time.Now()).ExecX(ctx)
		}
	}
	var page struct {
		Events struct {
			Edges []struct{ Node struct{ OnlineURL *string } }
		}
	}
	reader.MustPost(t, `{ events(first: 10, orderBy: {field: STARTS_AT}) { edges { node { onlineURL } } } }`, nil, &page)
	for i, e := range page.Events.Edges {
		if (e.Node.OnlineURL != nil) != (i%2 == 0) {
			t.Fatalf("event %d: link %v, but registered: %v", i, e.Node.OnlineURL, i%2 == 0)
		}
	}
}

// TestNoNPlusOne: a page costs the same number of SQL statements whether it holds 5 or 50 rows.
func TestNoNPlusOne(t *testing.T) {
	queries := map[string]string{
		"practices with organisation, topics and authors": `query($n: Int!) { practices(first: $n) { totalCount edges { node {
			title organisation { name state } topics(first: 10) { edges { node { slug } } }
			authors(first: 10) { edges { node { displayName } } } } } } }`,
		"organisations with members and their practices": `query($n: Int!) { organisations(first: $n) { edges { node {
			name members(first: 20) { totalCount edges { node { displayName practices(first: 10) { totalCount edges { node { title } } } } } } } } } }`,
		"messages with vendor labels (batched by a loader)": `query($n: Int!) { messages(first: $n) { edges { node { body vendorLabel } } } }`,
		"messages with authors and vendor labels": `query($n: Int!) { messages(first: $n) { edges { node {
			body vendorLabel reactions { kind count } author { displayName organisation { name } } } } } }`,
		"online events with their links (for the registered)": `query($n: Int!) { events(first: $n, orderBy: {field: STARTS_AT}) { edges { node {
			title onlineURL registeredCount } } } }`,
	}
	// What a page costs when it is computed: kept answers and sessions would cost nothing.
	apitest.ForEachBackendWith(t, apitest.NothingKept, func(t *testing.T, env *apitest.Env) {
		reader := seedPractices(t, env, 50)
		seedOnlineEvents(t, env, reader, 50)
		for name, q := range queries {
			t.Run(name, func(t *testing.T) {
				count := func(n int) int64 {
					return env.Statements(func() { reader.MustPost(t, q, map[string]any{"n": n}, nil) })
				}
				small, large := count(5), count(50)
				t.Logf("statements: %d for 5 rows, %d for 50 rows", small, large)
				// One of these loads the session with the viewer (member, organisation, circles).
				if large != small || large > 6 {
					t.Fatalf("statements grow with the page: %d for 5 rows, %d for 50", small, large)
				}
			})
		}
	})
}
