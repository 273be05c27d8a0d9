package graph_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
)

// TestSurveyMeasuresFollowTheRespondents: a question's mean, median and free texts are shown
// only where its number of respondents is: with 10 responses of which 7 answer and 3 skip, the
// mean of 7 values (25/7) or the 7 texts would tell that 3 skipped, a hidden group of 3. The
// CSV follows the API.
func TestSurveyMeasuresFollowTheRespondents(t *testing.T) {
	rows := []struct {
		name             string
		answering, total int
		shown            bool
	}{
		{name: "7 of 10 answer: the 3 who skipped stay hidden", answering: 7, total: 10, shown: false},
		{name: "5 of 10 answer: both groups stand for 5", answering: 5, total: 10, shown: true},
		{name: "all 10 answer: nobody skipped", answering: 10, total: 10, shown: true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
				owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
				survey, q := newSurvey(t, owner, time.Now().Add(time.Hour), "")
				for i := range row.total {
					answers := []map[string]any{{"questionID": q[0], "choice": 0}}
					if i < row.answering {
						answers = append(answers, map[string]any{"questionID": q[2], "scale": 3 + i%2},
							map[string]any{"questionID": q[3], "text": fmt.Sprintf("Antwort %02d", i)})
					}
					res := env.NewMember(t, apitest.Spec{}).Post(t, `mutation($s: ID!, $a: [AnswerInput!]!) { respondToSurvey(surveyID: $s, answers: $a) }`,
						map[string]any{"s": survey, "a": answers})
					if len(res.Errors) > 0 {
						t.Fatal(res.Errors)
					}
				}
				var out struct {
					Node struct {
						Results struct {
							Respondents *int
							Questions   []struct {
								Respondents  *int
								Median, Mean *float64
								Texts        []string
							}
						}
					}
				}
				owner.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Survey { results { respondents questions {
					respondents median mean texts } } } } }`, map[string]any{"id": survey}, &out)
				r := out.Node.Results
				if r.Respondents == nil || *r.Respondents != row.total {
					t.Fatalf("want %d respondents: %+v", row.total, r)
				}
				scale, text := r.Questions[2], r.Questions[3]
				if got := scale.Respondents != nil; got != row.shown {
					t.Fatalf("scale respondents shown = %v, want %v", got, row.shown)
				}
				if got := scale.Mean != nil || scale.Median != nil; got != row.shown {
					t.Fatalf("scale mean/median shown = %v, want %v (mean %v)", got, row.shown, scale.Mean)
				}
				if got := len(text.Texts) > 0; got != row.shown {
					t.Fatalf("texts shown = %v, want %v: %v", got, row.shown, text.Texts)
				}
				if row.shown && len(text.Texts) != row.answering {
					t.Fatalf("want %d texts: %v", row.answering, text.Texts)
				}
				csv := get(t, env.URL+"/surveys/"+survey+"/results.csv", owner.Token, http.StatusOK)
				if got := strings.Contains(csv, "Antwort"); got != row.shown {
					t.Fatalf("CSV texts shown = %v, want %v:\n%s", got, row.shown, csv)
				}
				for _, line := range strings.Split(csv, "\n") {
					if strings.Contains(line, ",SCALE,") && !row.shown && line != `Wie zufrieden sind Sie?,SCALE,,,,,,` {
						t.Fatalf("CSV shows a measure of a hidden group: %q", line)
					}
				}
			})
		})
	}
}

// TestSurveyResponsesLeaveNoTime: a response to an anonymous survey does not move the survey's
// updatedAt (that would give each response's moment), and its responseCount, read or filtered
// on, is the published count (steps of 5), not the exact one; a named survey counts each
// response at once.
func TestSurveyResponsesLeaveNoTime(t *testing.T) {
	rows := []struct {
		name                string
		extra               string
		responses, wantSeen int
	}{
		{name: "anonymous, 3 responses: nothing seen", responses: 3, wantSeen: 0},
		{name: "anonymous, 7 responses: the step of 5", responses: 7, wantSeen: 5},
		{name: "named, 3 responses: all counted", extra: ", anonymous: false", responses: 3, wantSeen: 3},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
				owner := env.NewMember(t, apitest.Spec{CommunityRole: "RESEARCHER"})
				survey, q := newSurvey(t, owner, time.Now().Add(time.Hour), row.extra)
				type state struct {
					Node struct {
						UpdatedAt     string
						ResponseCount int
					}
					Surveys struct{ TotalCount int }
				}
				read := func() state {
					var out state
					owner.MustPost(t, `query($id: ID!, $n: Int!) { node(id: $id) { ... on Survey { updatedAt responseCount } }
						surveys(first: 1, where: {responseCountGTE: $n}) { totalCount } }`, map[string]any{"id": survey, "n": row.wantSeen + 1}, &out)
					return out
				}
				before := read()
				for i := range row.responses {
					if res := answer(t, env.NewMember(t, apitest.Spec{}), survey, q, 0, 3, fmt.Sprintf("x%d", i)); len(res.Errors) > 0 {
						t.Fatal(res.Errors)
					}
				}
				after := read()
				if after.Node.UpdatedAt != before.Node.UpdatedAt {
					t.Fatalf("a response moved updatedAt from %s to %s", before.Node.UpdatedAt, after.Node.UpdatedAt)
				}
				if after.Node.ResponseCount != row.wantSeen {
					t.Fatalf("responseCount %d, want %d", after.Node.ResponseCount, row.wantSeen)
				}
				if after.Surveys.TotalCount != 0 {
					t.Fatalf("a filter on responseCount > %d finds the survey: it counts more than it publishes", row.wantSeen)
				}
			})
		})
	}
}

// TestVendorSoftwareFiguresCannotBeDifferenced: what vendors learn of a product on a topic is
// what its landscape shows (a product of 15 organisations on topics A 8, B 2, C 5 shows only A:
// C's 5 would give B's 2 by subtraction), and the vendors' mean satisfaction moves only in
// steps of 5 organisations, so that one newcomer's rating cannot be read from the change.
func TestVendorSoftwareFiguresCannotBeDifferenced(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
		var ids struct{ A, B, C, P struct{ ID string } }
		admin.MustPost(t, `mutation {
			a: createTopic(input: {slug: "thema-a", name: "A"}) { id }
			b: createTopic(input: {slug: "thema-b", name: "B"}) { id }
			c: createTopic(input: {slug: "thema-c", name: "C"}) { id }
			p: createSoftwareProduct(input: {name: "Produkt", category: "BPM"}) { id }
		}`, nil, &ids)
		use := func(i int, topic string, rating int) *apitest.Session {
			m := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, fmt.Sprintf("Kreis %02d", i), "LANDKREIS", 100000+i)})
			m.MustPost(t, `mutation($o: ID!, $p: ID!, $t: ID!, $s: Int) { recordSoftwareUsage(input: {organisationID: $o, productID: $p, topicID: $t, satisfaction: $s}) { id } }`,
				map[string]any{"o": m.OrgID(t), "p": ids.P.ID, "t": topic, "s": rating}, nil)
			return m
		}
		var member *apitest.Session
		for i := range 15 {
			topic := ids.A.ID
			switch {
			case i >= 13:
				topic = ids.B.ID
			case i >= 8:
				topic = ids.C.ID
			}
			member = use(i, topic, 4)
		}
		vendor := env.NewMember(t, apitest.Spec{CommunityRole: "VENDOR", OrganisationID: newOrg(t, admin, "Prozess GmbH", "VENDOR", 0)})
		forTopic := func(as *apitest.Session, topic string) []int {
			var out struct{ SoftwareForTopic []struct{ Organisations int } }
			as.MustPost(t, `query($t: ID!) { softwareForTopic(topicID: $t) { organisations } }`, map[string]any{"t": topic}, &out)
			var counts []int
			for _, s := range out.SoftwareForTopic {
				counts = append(counts, s.Organisations)
			}
			return counts
		}
		mean := func(as *apitest.Session) float64 {
			var out struct {
				Node struct {
					Landscape struct{ AverageSatisfaction *float64 }
				}
			}
			as.MustPost(t, `query($p: ID!) { node(id: $p) { ... on SoftwareProduct { landscape { averageSatisfaction } } } }`, map[string]any{"p": ids.P.ID}, &out)
			if out.Node.Landscape.AverageSatisfaction == nil {
				t.Fatal("no mean over 15 organisations")
			}
			return *out.Node.Landscape.AverageSatisfaction
		}

		t.Run("a topic the landscape hides is hidden from vendors", func(t *testing.T) {
			if got := forTopic(vendor, ids.C.ID); len(got) != 0 {
				t.Fatalf("vendor sees the product on C: %v (B = 15 - 8 - C)", got)
			}
			if got := forTopic(vendor, ids.A.ID); len(got) != 1 || got[0] != 8 {
				t.Fatalf("vendor sees A: %v", got)
			}
			if got := forTopic(member, ids.C.ID); len(got) != 1 || got[0] != 5 {
				t.Fatalf("members read usages and see C: %v", got)
			}
		})
		t.Run("one newcomer does not move the vendors' mean", func(t *testing.T) {
			before := mean(vendor)
			use(15, ids.A.ID, 1)
			if after := mean(vendor); after != before {
				t.Fatalf("the vendors' mean moved from %v to %v: the newcomer's rating is %v", before, after, 16*after-15*before)
			}
			if got := mean(member); got == before {
				t.Fatal("members see the exact mean")
			}
		})
	})
}

// TestBenchmarkPeersBetterByQuartile: whether a peer did better is decided by the quartile its
// value lies in against the published quartiles, not by its exact value: with peers at 10 to
// 60 (quartiles 22.5, 35, 47.5) a practice linked to the peer at 40 is offered to an own value
// below 35, and to none in 35 to 47.5, wherever in it the own value lies, so moving the own
// value cannot bisect the peer's value.
func TestBenchmarkPeersBetterByQuartile(t *testing.T) {
	rows := []struct {
		name    string
		own     []float64 // recorded one after the other; the list must be the same after each
		offered bool
	}{
		{name: "own value in a lower quartile: offered", own: []float64{25, 34}, offered: true},
		{name: "own value in the peer's quartile: not offered, however close", own: []float64{36, 39.9, 40.1, 47}, offered: false},
		{name: "own value in a better quartile: not offered", own: []float64{48, 70}, offered: false},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
				admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
				var ind struct{ A struct{ ID string } }
				admin.MustPost(t, `mutation { a: createIndicator(input: {name: "Anteil online", definition: "D", unit: "%", targetGroup: CITIZENS, direction: HIGHER_IS_BETTER}) { id } }`, nil, &ind)
				own := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, "Landkreis Eigen", "LANDKREIS", 100000)})
				for i, value := range []float64{10, 20, 30, 40, 50, 60} {
					peer := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, admin, fmt.Sprintf("Landkreis Peer %d", i), "LANDKREIS", 60000+i*20000)})
					m := record(t, peer, ind.A.ID, value)
					if value == 40 {
						var p struct{ CreatePractice struct{ ID string } }
						peer.MustPost(t, `mutation { createPractice(input: {title: "Vierzig", organisationID: "`+peer.OrgID(t)+`", summary: "S", problem: "P", approach: "A", outcome: "O", visibility: MEMBERS}) { id } }`, nil, &p)
						peer.MustPost(t, `mutation($p: ID!, $m: ID!) { linkPracticeMeasurements(practiceID: $p, afterIDs: [$m]) { id } }`, map[string]any{"p": p.CreatePractice.ID, "m": m}, nil)
						peer.MustPost(t, `mutation($p: ID!) { publishPractice(id: $p) { id } }`, map[string]any{"p": p.CreatePractice.ID}, nil)
					}
				}
				for _, value := range row.own {
					record(t, own, ind.A.ID, value)
					var b struct {
						Benchmark struct{ PracticesToLearnFrom []struct{ Title string } }
					}
					own.MustPost(t, `query($i: ID!) { benchmark(indicatorID: $i, period: "2025") { practicesToLearnFrom { title } } }`, map[string]any{"i": ind.A.ID}, &b)
					if got := len(b.Benchmark.PracticesToLearnFrom) == 1; got != row.offered {
						t.Fatalf("own value %v: practice of the peer at 40 offered = %v, want %v", value, got, row.offered)
					}
				}
			})
		})
	}
}
