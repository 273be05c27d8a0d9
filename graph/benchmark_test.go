package graph_test

import (
	"fmt"
	"testing"

	"zirkel/server/apitest"
)

func newOrg(t testing.TB, admin *apitest.Session, name, kind string, population int) string {
	t.Helper()
	var out struct{ CreateOrganisation struct{ ID string } }
	admin.MustPost(t, `mutation($n: String!, $k: OrganisationKind!, $p: Int) { createOrganisation(input: {name: $n, kind: $k, population: $p}) { id } }`,
		map[string]any{"n": name, "k": kind, "p": population}, &out)
	return out.CreateOrganisation.ID
}

func record(t testing.TB, as *apitest.Session, indicator string, value float64) string {
	t.Helper()
	var out struct{ RecordMeasurement struct{ ID string } }
	as.MustPost(t, `mutation($i: ID!, $v: Float!) { recordMeasurement(indicatorID: $i, period: "2025", value: $v) { id } }`,
		map[string]any{"i": indicator, "v": value}, &out)
	return out.RecordMeasurement.ID
}

// TestLearningBenchmark: an organisation sees its value beside its peers' median and quartiles,
// never names or ranks, nothing below 5 peers, and practices of peers that did better.
func TestLearningBenchmark(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
		var ind struct{ A, B struct{ ID string } }
		admin.MustPost(t, `mutation {
			a: createIndicator(input: {name: "Anteil online gebuchter Termine", definition: "Online gebuchte durch alle Termine", unit: "%", targetGroup: CITIZENS, direction: HIGHER_IS_BETTER, sourceReference: "OZG: Terminvereinbarung"}) { id }
			b: createIndicator(input: {name: "Bearbeitungsdauer Wohngeld", definition: "Tage vom Antrag bis zum Bescheid", unit: "Tage", targetGroup: CITIZENS, direction: LOWER_IS_BETTER}) { id }
		}`, nil, &ind)
		own := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, "Landkreis Eigen", "LANDKREIS", 100000)})
		record(t, own, ind.A.ID, 25)
		var better *apitest.Session
		for i, value := range []float64{10, 20, 30, 40, 50, 60} {
			peer := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, fmt.Sprintf("Landkreis Peer %d", i), "LANDKREIS", 60000+i*20000)})
			m := record(t, peer, ind.A.ID, value)
			if i < 4 {
				record(t, peer, ind.B.ID, value)
			}
			if value == 60 {
				better = peer
				var p struct{ CreatePractice struct{ ID string } }
				peer.MustPost(t, `mutation { createPractice(input: {title: "Terminvergabe für alle Ämter", organisationID: "`+peer.OrgID(t)+`", summary: "S", problem: "P", approach: "A", outcome: "O", visibility: MEMBERS}) { id } }`, nil, &p)
				peer.MustPost(t, `mutation($p: ID!, $m: ID!) { linkPracticeMeasurements(practiceID: $p, afterIDs: [$m]) { id } }`, map[string]any{"p": p.CreatePractice.ID, "m": m}, nil)
				peer.MustPost(t, `mutation($p: ID!) { publishPractice(id: $p) { id } }`, map[string]any{"p": p.CreatePractice.ID}, nil)
			}
		}
		far := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, "Region Groß", "LANDKREIS", 1000000)})
		record(t, far, ind.A.ID, 99)
		city := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, "Stadt Anders", "KREISFREIE_STADT", 100000)})
		record(t, city, ind.A.ID, 99)

		q := `query($i: ID!) { benchmark(indicatorID: $i, period: "2025") { ownValue peerCount suppressed median lowerQuartile upperQuartile practicesToLearnFrom { title } } }`
		var b struct {
			Benchmark struct {
				OwnValue, Median, LowerQuartile, UpperQuartile *float64
				PeerCount                                      int
				Suppressed                                     bool
				PracticesToLearnFrom                           []struct{ Title string }
			}
		}
		own.MustPost(t, q, map[string]any{"i": ind.A.ID}, &b)
		r := b.Benchmark
		if r.Suppressed || r.PeerCount != 6 || *r.OwnValue != 25 || *r.Median != 35 || *r.LowerQuartile != 22.5 || *r.UpperQuartile != 47.5 {
			t.Fatalf("benchmark %+v", r)
		}
		if len(r.PracticesToLearnFrom) != 1 || r.PracticesToLearnFrom[0].Title != "Terminvergabe für alle Ämter" {
			t.Fatalf("practices to learn from: %+v", r.PracticesToLearnFrom)
		}
		own.MustPost(t, q, map[string]any{"i": ind.B.ID}, &b)
		if r := b.Benchmark; !r.Suppressed || r.PeerCount != 0 || r.Median != nil {
			t.Fatalf("4 peers must show nothing: %+v", r)
		}
		better.MustPost(t, q, map[string]any{"i": ind.A.ID}, &b)
		if len(b.Benchmark.PracticesToLearnFrom) != 0 {
			t.Fatal("the best has nobody better to learn from")
		}
		wantError(t, env.Post(t, q, map[string]any{"i": ind.A.ID}), "UNAUTHENTICATED", "")

		t.Run("values are only for the own organisation", func(t *testing.T) {
			id := record(t, own, ind.B.ID, 12)
			var seen struct{ Node *struct{ ID string } }
			better.MustPost(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &seen)
			if seen.Node != nil {
				t.Fatal("another organisation's value must be invisible")
			}
			own.MustPost(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &seen)
			if seen.Node == nil {
				t.Fatal("the own value must be visible")
			}
		})
	})
}
