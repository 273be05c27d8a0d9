package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"zirkel/server/apitest"
)

// landscapeFixture is a software landscape: Camunda used by 6 districts (6 for "Prozesse", 5
// for "Formulare", 2 for "Archiv"), the niche product "Nischo" by 4.
type landscapeFixture struct {
	member, vendor             *apitest.Session
	camunda, nischo, usage     string
	prozesse, formulare, archv string
	competency                 string
}

func newLandscape(t *testing.T, env *apitest.Env) landscapeFixture {
	t.Helper()
	admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
	var ids struct{ P, F, A, C struct{ ID string } }
	admin.MustPost(t, `mutation {
		p: createTopic(input: {slug: "prozesse", name: "Prozesse"}) { id }
		f: createTopic(input: {slug: "formulare", name: "Formulare"}) { id }
		a: createTopic(input: {slug: "archiv", name: "Archiv"}) { id }
		c: createCompetency(input: {name: "Prozesse modellieren", side: AUTHORITY}) { id }
	}`, nil, &ids)
	f := landscapeFixture{prozesse: ids.P.ID, formulare: ids.F.ID, archv: ids.A.ID, competency: ids.C.ID}
	product := func(as *apitest.Session, name string) string {
		var p struct{ CreateSoftwareProduct struct{ ID string } }
		as.MustPost(t, `mutation($n: String!) { createSoftwareProduct(input: {name: $n, category: "BPM"}) { id } }`, map[string]any{"n": name}, &p)
		return p.CreateSoftwareProduct.ID
	}
	use := `mutation($o: ID!, $p: ID!, $t: ID!, $s: Int) { recordSoftwareUsage(input: {organisationID: $o, productID: $p, topicID: $t,
		satisfaction: $s, notes: "Vertrag läuft aus, Wechsel geplant"}, contactMe: true) { id } }`
	for i := range 6 {
		m := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, fmt.Sprintf("Kreis %d", i), "LANDKREIS", 100000+i)})
		if i == 0 {
			f.member = m
			f.camunda, f.nischo = product(m, "Camunda"), product(m, "Nischo")
		}
		topics := []string{f.prozesse}
		if i < 5 {
			topics = append(topics, f.formulare)
		}
		if i < 2 {
			topics = append(topics, f.archv)
		}
		for _, tp := range topics {
			var u struct{ RecordSoftwareUsage struct{ ID string } }
			m.MustPost(t, use, map[string]any{"o": m.OrgID(t), "p": f.camunda, "t": tp, "s": 2 + i%3}, &u)
			f.usage = u.RecordSoftwareUsage.ID
		}
		if i < 4 {
			m.MustPost(t, use, map[string]any{"o": m.OrgID(t), "p": f.nischo, "t": f.prozesse, "s": 5}, nil)
		}
		m.MustPost(t, `mutation($c: ID!) { rateCompetency(competencyID: $c, level: 4, findable: true) { id } }`, map[string]any{"c": f.competency}, nil)
		m.MustPost(t, `mutation { updatePrivacySettings(input: {findableAsExpert: true}) { findableAsExpert } }`, nil, nil)
	}
	f.vendor = env.NewMember(t, apitest.Spec{CommunityRole: "VENDOR", OrganisationID: newOrg(t, admin, "Prozess GmbH", "VENDOR", 0)})
	return f
}

// TestVendorsSeeNoSalesShow: vendors learn the software landscape only as aggregates over at
// least 5 organisations; no path leads them to a usage, its organisation, notes or contact,
// nor to authority staff by competency. Members still see all of it.
func TestVendorsSeeNoSalesShow(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		f := newLandscape(t, env)
		vars := map[string]any{"p": f.camunda, "u": f.usage, "t": f.prozesse, "c": f.competency, "o": f.member.OrgID(t)}
		for _, tc := range []struct {
			name, query string
			memberSees  string // a fragment of the member's answer proving the path leads somewhere
			vendorSees  string // the vendor's answer must contain it
			vendorNot   []string
		}{
			{"usages of a product", `query($p: ID!) { node(id: $p) { ... on SoftwareProduct { usages(first: 50) { totalCount edges { node { notes } } } } } }`,
				`"totalCount":13`, `"totalCount":0`, []string{"Vertrag"}},
			{"a usage by id", `query($u: ID!) { node(id: $u) { id ... on SoftwareUsage { notes contact { displayName } } } }`,
				`"notes"`, `{"node":null}`, []string{"Vertrag"}},
			{"an organisation's usages", `query($o: ID!) { node(id: $o) { ... on Organisation { softwareUsages(first: 10) { totalCount edges { node { notes contact { displayName } } } } } } }`,
				`"totalCount":4`, `"totalCount":0`, []string{"Vertrag"}},
			{"usages through search", `{ search(query: "Camunda", types: [SOFTWARE]) { hits { node { ... on SoftwareProduct { name usages(first: 10) { totalCount } } } } } }`,
				`"totalCount":13`, `"totalCount":0`, nil},
			{"who knows a competency", `query($c: ID!) { whoKnows(competencyID: $c) { member { displayName } } }`,
				`"displayName"`, `{"whoKnows":[]}`, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if res := f.member.Post(t, tc.query, vars); len(res.Errors) > 0 || !strings.Contains(string(res.Data), tc.memberSees) {
					t.Fatalf("member: %s %+v", res.Data, res.Errors)
				}
				res := f.vendor.Post(t, tc.query, vars)
				if len(res.Errors) > 0 || !strings.Contains(string(res.Data), tc.vendorSees) {
					t.Fatalf("vendor: %s %+v", res.Data, res.Errors)
				}
				for _, s := range tc.vendorNot {
					if strings.Contains(string(res.Data), s) {
						t.Fatalf("vendor sees %q: %s", s, res.Data)
					}
				}
			})
		}
	})
}

// TestSoftwareLandscapeAggregates: SoftwareProduct.landscape and softwareForTopic show vendors
// only what stands for at least 5 organisations, with complementary suppression of topics.
func TestSoftwareLandscapeAggregates(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		f := newLandscape(t, env)
		type landscape struct {
			Organisations       int
			AverageSatisfaction *float64
			Topics              []struct {
				Topic struct{ Name string }
				Count int
			}
		}
		read := func(as *apitest.Session, product string) *landscape {
			var out struct {
				Node struct{ Landscape *landscape }
			}
			as.MustPost(t, `query($p: ID!) { node(id: $p) { ... on SoftwareProduct { landscape { organisations averageSatisfaction topics { topic { name } count } } } } }`,
				map[string]any{"p": product}, &out)
			return out.Node.Landscape
		}
		for _, as := range []*apitest.Session{f.vendor, f.member} {
			l := read(as, f.camunda)
			got, _ := json.Marshal(l)
			// Topics: Prozesse 6, Formulare 5, Archiv 2: Archiv is hidden, and Formulare with it
			// (else "organisations per topic" could be subtracted); Prozesse stays.
			if l == nil || l.Organisations != 6 || l.AverageSatisfaction == nil || len(l.Topics) != 1 || l.Topics[0].Topic.Name != "Prozesse" || l.Topics[0].Count != 6 {
				t.Fatalf("landscape of Camunda: %s", got)
			}
			if l := read(as, f.nischo); l != nil {
				t.Fatalf("a product of 4 organisations has no landscape: %+v", l)
			}
		}
		type summary struct {
			Product             struct{ Name string }
			Organisations       int
			AverageSatisfaction *float64
		}
		var sums struct{ SoftwareForTopic []summary }
		q := `query($t: ID!) { softwareForTopic(topicID: $t) { product { name } organisations averageSatisfaction } }`
		f.vendor.MustPost(t, q, map[string]any{"t": f.formulare}, &sums)
		if len(sums.SoftwareForTopic) != 0 {
			// the landscape hides Formulare (5) to protect Archiv (2): it is hidden here too
			t.Fatalf("vendors see a product on a topic only where its landscape shows the topic: %+v", sums.SoftwareForTopic)
		}
		f.vendor.MustPost(t, q, map[string]any{"t": f.prozesse}, &sums)
		if len(sums.SoftwareForTopic) != 1 || sums.SoftwareForTopic[0].Product.Name != "Camunda" || sums.SoftwareForTopic[0].AverageSatisfaction != nil {
			// a mean over the 6 for Prozesse beside the landscape's over all 13 usages would
			// give away the ratings of the others
			t.Fatalf("vendors see only products of at least 5 organisations, without means: %+v", sums.SoftwareForTopic)
		}
		f.member.MustPost(t, q, map[string]any{"t": f.prozesse}, &sums)
		if len(sums.SoftwareForTopic) != 2 {
			t.Fatalf("members see every product: %+v", sums.SoftwareForTopic)
		}
	})
}
