package graph_test

import (
	"context"
	"fmt"
	"testing"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
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
	}
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		reader := seedPractices(t, env, 50)
		for name, q := range queries {
			t.Run(name, func(t *testing.T) {
				count := func(n int) int64 {
					return env.Statements(func() { reader.MustPost(t, q, map[string]any{"n": n}, nil) })
				}
				small, large := count(5), count(50)
				t.Logf("statements: %d for 5 rows, %d for 50 rows", small, large)
				// About half of these load the session and the viewer's circles.
				if large != small || large > 10 {
					t.Fatalf("statements grow with the page: %d for 5 rows, %d for 50", small, large)
				}
			})
		}
	})
}
