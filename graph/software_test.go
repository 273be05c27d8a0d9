package graph_test

import (
	"testing"

	"zirkel/server/apitest"
)

// TestSoftwareLandscape: who uses which tool for what, with satisfaction, among all and among
// peers; vendors do not add products, organisations record only their own usage.
func TestSoftwareLandscape(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
		var topic struct{ CreateTopic struct{ ID string } }
		admin.MustPost(t, `mutation { createTopic(input: {slug: "prozessmanagement", name: "Prozessmanagement"}) { id } }`, nil, &topic)
		a := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, "Kreis A", "LANDKREIS", 100000)})
		b := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, "Kreis B", "LANDKREIS", 150000)})
		city := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, "Stadt C", "KREISFREIE_STADT", 120000)})
		vendorOrg := newOrg(t, admin, "Prozess GmbH", "VENDOR", 0)
		vendor := env.NewMember(t, apitest.Spec{CommunityRole: "VENDOR", OrganisationID: vendorOrg})

		product := func(as *apitest.Session, name string) apitest.Response {
			return as.Post(t, `mutation($n: String!, $v: ID) { createSoftwareProduct(input: {name: $n, category: "BPM", openSource: true, vendorID: $v}) { id } }`,
				map[string]any{"n": name, "v": vendorOrg})
		}
		wantError(t, product(vendor, "Eigenwerbung"), "FORBIDDEN", "")
		var camunda, signavio struct{ CreateSoftwareProduct struct{ ID string } }
		a.MustPost(t, `mutation { createSoftwareProduct(input: {name: "Camunda", category: "BPM", openSource: true}) { id } }`, nil, &camunda)
		a.MustPost(t, `mutation { createSoftwareProduct(input: {name: "Signavio", category: "BPM"}) { id } }`, nil, &signavio)

		use := `mutation($o: ID!, $p: ID!, $t: ID!, $s: Int, $r: Boolean, $me: Boolean) { recordSoftwareUsage(input: {organisationID: $o, productID: $p, topicID: $t,
			satisfaction: $s, wouldRecommend: $r, task: "Prozesslandkarte"}, contactMe: $me) { id contact { displayName } } }`
		usage := func(as *apitest.Session, p string, sat int, rec bool) map[string]any {
			return map[string]any{"o": as.OrgID(t), "p": p, "t": topic.CreateTopic.ID, "s": sat, "r": rec, "me": true}
		}
		var rec struct {
			RecordSoftwareUsage struct{ Contact struct{ DisplayName string } }
		}
		a.MustPost(t, use, usage(a, camunda.CreateSoftwareProduct.ID, 4, true), &rec)
		if rec.RecordSoftwareUsage.Contact.DisplayName == "" {
			t.Fatal("contactMe must make the viewer the contact")
		}
		b.MustPost(t, use, usage(b, camunda.CreateSoftwareProduct.ID, 5, true), nil)
		city.MustPost(t, use, usage(city, signavio.CreateSoftwareProduct.ID, 3, false), nil)
		wantError(t, a.Post(t, use, usage(b, signavio.CreateSoftwareProduct.ID, 1, false)), "FORBIDDEN", "")

		type summary struct {
			Product             struct{ Name string }
			Organisations       int
			AverageSatisfaction *float64
			RecommendShare      *float64
		}
		var all struct{ SoftwareForTopic []summary }
		a.MustPost(t, `query($t: ID!) { softwareForTopic(topicID: $t) { product { name } organisations averageSatisfaction recommendShare } }`,
			map[string]any{"t": topic.CreateTopic.ID}, &all)
		got := all.SoftwareForTopic
		if len(got) != 2 || got[0].Product.Name != "Camunda" || got[0].Organisations != 2 || *got[0].AverageSatisfaction != 4.5 ||
			*got[0].RecommendShare != 1 || got[1].Product.Name != "Signavio" || *got[1].RecommendShare != 0 {
			t.Fatalf("softwareForTopic: %+v", got)
		}
		var peers struct{ SoftwareAmongPeers []summary }
		a.MustPost(t, `query($t: ID!) { softwareAmongPeers(topicID: $t) { product { name } organisations } }`, map[string]any{"t": topic.CreateTopic.ID}, &peers)
		if len(peers.SoftwareAmongPeers) != 1 || peers.SoftwareAmongPeers[0].Product.Name != "Camunda" {
			t.Fatalf("among peers (districts of similar size): %+v", peers.SoftwareAmongPeers)
		}
		wantError(t, env.Post(t, `query($t: ID!) { softwareForTopic(topicID: $t) { organisations } }`, map[string]any{"t": topic.CreateTopic.ID}), "UNAUTHENTICATED", "")

		var who struct {
			Node struct {
				Usages struct {
					TotalCount int
					Edges      []struct {
						Node struct{ Organisation struct{ Name string } }
					}
				}
			}
		}
		b.MustPost(t, `query($p: ID!) { node(id: $p) { ... on SoftwareProduct { usages(first: 10) { totalCount edges { node { organisation { name } } } } } } }`,
			map[string]any{"p": camunda.CreateSoftwareProduct.ID}, &who)
		if who.Node.Usages.TotalCount != 2 {
			t.Fatalf("who uses Camunda: %+v", who.Node.Usages)
		}
	})
}
