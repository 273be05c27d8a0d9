package graph_test

import (
	"testing"
	"time"

	"zirkel/server/apitest"
)

// ids reads the node ids of a connection answer.
type idConn struct {
	TotalCount int
	Edges      []struct{ Node struct{ ID string } }
}

func (c idConn) ids() []string {
	out := make([]string, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node.ID
	}
	return out
}

// TestMyRegistrationsWithWaitlistPosition: a member's registrations are theirs only, with the
// place on the waitlist, which moves up when someone ahead cancels.
func TestMyRegistrationsWithWaitlistPosition(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		event, _ := newEvent(t, s.Admin, map[string]any{"title": "Workshop", "cap": 1})
		other, _ := newEvent(t, s.Admin, map[string]any{"title": "Anderes"})
		members := []*apitest.Session{s.Anna, s.Jonas, env.NewMember(t, apitest.Spec{}), env.NewMember(t, apitest.Spec{})}
		for _, m := range members {
			register(t, m, event)
		}
		register(t, s.Jonas, other)
		type reg struct {
			Status           string
			WaitlistPosition *int
			Event            struct{ ID string }
		}
		mine := func(as *apitest.Session) []reg {
			var out struct {
				MyRegistrations struct{ Edges []struct{ Node reg } }
			}
			as.MustPost(t, `{ myRegistrations(first: 10) { edges { node { status waitlistPosition event { id } } } } }`, nil, &out)
			var rs []reg
			for _, e := range out.MyRegistrations.Edges {
				rs = append(rs, e.Node)
			}
			return rs
		}
		position := func(as *apitest.Session) int {
			for _, r := range mine(as) {
				if r.Event.ID == event {
					if r.WaitlistPosition == nil {
						return 0
					}
					return *r.WaitlistPosition
				}
			}
			t.Fatal("registration missing")
			return -1
		}
		if rs := mine(s.Anna); len(rs) != 1 || rs[0].Status != "REGISTERED" || rs[0].WaitlistPosition != nil {
			t.Fatalf("Anna's registrations: %+v", rs)
		}
		if rs := mine(s.Jonas); len(rs) != 2 {
			t.Fatalf("Jonas's registrations: %+v", rs)
		}
		for i, m := range members[1:] {
			if got := position(m); got != i+1 {
				t.Errorf("member %d waits at %d, want %d", i+1, got, i+1)
			}
		}
		s.Jonas.MustPost(t, `mutation($e: ID!) { cancelRegistration(eventID: $e) { status } }`, map[string]any{"e": event}, nil)
		if got := position(members[2]); got != 1 {
			t.Errorf("after a cancellation ahead: position %d, want 1", got)
		}
		wantError(t, env.Anonymous().Post(t, `{ myRegistrations(first: 1) { totalCount } }`, nil), "UNAUTHENTICATED", "")
	})
}

// TestMySurveysToAnswer: open surveys for the member (for all, or in their circles) that they
// have not answered; not those not yet open, closed, of other circles, or answered.
func TestMySurveysToAnswer(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m, role: MODERATOR) { id } }`,
			map[string]any{"c": s.CircleID, "m": s.Member2ID}, nil)
		now := time.Now()
		create := func(title string, opens, closes time.Time, circle any, anonymous bool) (string, string) {
			var out struct {
				CreateSurvey struct {
					ID        string
					Questions []struct{ ID string }
				}
			}
			s.Jonas.MustPost(t, `mutation($t: String!, $o: Time!, $c: Time!, $ci: ID, $a: Boolean!) { createSurvey(input: {title: $t, opensAt: $o, closesAt: $c, circleID: $ci, anonymous: $a},
				questions: [{kind: TEXT, text: "Was?"}]) { id questions { id } } }`,
				map[string]any{"t": title, "o": opens.Format(time.RFC3339), "c": closes.Format(time.RFC3339), "ci": circle, "a": anonymous}, &out)
			return out.CreateSurvey.ID, out.CreateSurvey.Questions[0].ID
		}
		soon, soonQ := create("bald zu", now.Add(-time.Hour), now.Add(time.Hour), nil, true)
		later, _ := create("später zu", now.Add(-time.Hour), now.Add(48*time.Hour), nil, false)
		create("noch nicht offen", now.Add(time.Hour), now.Add(48*time.Hour), nil, true)
		inCircle, _ := create("im Zirkel", now.Add(-time.Hour), now.Add(24*time.Hour), s.CircleID, true)
		toAnswer := func(as *apitest.Session) []string {
			var out struct{ MySurveysToAnswer []struct{ ID string } }
			as.MustPost(t, `{ mySurveysToAnswer { id } }`, nil, &out)
			var ids []string
			for _, sv := range out.MySurveysToAnswer {
				ids = append(ids, sv.ID)
			}
			return ids
		}
		if got := toAnswer(s.Anna); !equal(got, []string{soon, later}) {
			t.Fatalf("Anna (not in the circle) gets %v, want %v", got, []string{soon, later})
		}
		if got := toAnswer(s.Jonas); !equal(got, []string{soon, inCircle, later}) {
			t.Fatalf("Jonas (in the circle) gets %v", got)
		}
		s.Anna.MustPost(t, `mutation($s: ID!, $a: [AnswerInput!]!) { respondToSurvey(surveyID: $s, answers: $a) }`,
			map[string]any{"s": soon, "a": []map[string]any{{"questionID": soonQ, "text": "Ja"}}}, nil)
		if got := toAnswer(s.Anna); !equal(got, []string{later}) {
			t.Fatalf("after answering the anonymous survey Anna gets %v", got)
		}
		if got := toAnswer(s.Jonas); !equal(got, []string{soon, inCircle, later}) {
			t.Fatalf("Anna's answer changed Jonas's list: %v", got)
		}
		wantError(t, s.Anna.Post(t, `{ mySurveysToAnswer(first: 0) { id } }`, nil), "BAD_USER_INPUT", "first")
		wantError(t, env.Anonymous().Post(t, `{ mySurveysToAnswer { id } }`, nil), "UNAUTHENTICATED", "")
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMyCompetencyRatingsPracticesAndTrend: a member's own ratings, the practices they wrote
// or co-author, and their organisation's values of an indicator over time; nobody else's.
func TestMyCompetencyRatingsPracticesAndTrend(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		var c struct{ A, B struct{ ID string } }
		s.Admin.MustPost(t, `mutation { a: createCompetency(input: {name: "A", side: AUTHORITY}) { id } b: createCompetency(input: {name: "B", side: AUTHORITY}) { id } }`, nil, &c)
		rate := `mutation($c: ID!, $l: Int!) { rateCompetency(competencyID: $c, level: $l) { id } }`
		s.Anna.MustPost(t, rate, map[string]any{"c": c.A.ID, "l": 2}, nil)
		s.Anna.MustPost(t, rate, map[string]any{"c": c.B.ID, "l": 4}, nil)
		s.Jonas.MustPost(t, rate, map[string]any{"c": c.A.ID, "l": 3}, nil)
		var ratings struct {
			MyCompetencyRatings struct {
				Edges []struct {
					Node struct {
						Level  int
						Member struct{ ID string }
					}
				}
			}
		}
		s.Anna.MustPost(t, `{ myCompetencyRatings(first: 10) { edges { node { level member { id } } } } }`, nil, &ratings)
		if e := ratings.MyCompetencyRatings.Edges; len(e) != 2 || e[0].Node.Level != 4 || e[0].Node.Member.ID != s.MemberID || e[1].Node.Member.ID != s.MemberID {
			t.Fatalf("Anna's ratings: %+v", e)
		}

		// Practices: Anna's own, one she co-authors on Jonas's invitation, and Jonas's alone.
		practice := func(as *apitest.Session, title string, authors ...string) string {
			var out struct{ CreatePractice struct{ ID string } }
			as.MustPost(t, `mutation($o: ID!, $t: String!, $a: [ID!]) { createPractice(input: {title: $t, organisationID: $o, authorIDs: $a}) { id } }`,
				map[string]any{"o": s.OrgID, "t": title, "a": authors}, &out)
			return out.CreatePractice.ID
		}
		own := practice(s.Anna, "Annas Praxis")
		shared := practice(s.Jonas, "Gemeinsame Praxis", s.MemberID)
		practice(s.Jonas, "Jonas' Praxis")
		var inv struct {
			Viewer struct {
				AuthorshipInvitations struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		s.Anna.MustPost(t, `{ viewer { authorshipInvitations(first: 5) { edges { node { id } } } } }`, nil, &inv)
		myPractices := func() []string {
			var out struct{ MyPractices idConn }
			s.Anna.MustPost(t, `{ myPractices(first: 10) { totalCount edges { node { id } } } }`, nil, &out)
			return out.MyPractices.ids()
		}
		if got := myPractices(); !equal(got, []string{own}) {
			t.Fatalf("before accepting: %v, want only her own", got)
		}
		s.Anna.MustPost(t, `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { id } }`,
			map[string]any{"id": inv.Viewer.AuthorshipInvitations.Edges[0].Node.ID}, nil)
		if got := myPractices(); !equal(got, []string{shared, own}) {
			t.Fatalf("after accepting: %v, want %v", got, []string{shared, own})
		}

		// Trend: the organisation's values in order of period; another organisation's are not in it.
		var ind struct{ CreateIndicator struct{ ID string } }
		s.Admin.MustPost(t, `mutation { createIndicator(input: {name: "Online-Termine", definition: "Anteil", unit: "%", targetGroup: CITIZENS, direction: HIGHER_IS_BETTER}) { id } }`, nil, &ind)
		rec := `mutation($i: ID!, $p: String!, $v: Float!) { recordMeasurement(indicatorID: $i, period: $p, value: $v) { id } }`
		for _, p := range []struct {
			period string
			value  float64
		}{{"2025", 30}, {"2023", 10}, {"2024", 20}} {
			s.Jonas.MustPost(t, rec, map[string]any{"i": ind.CreateIndicator.ID, "p": p.period, "v": p.value}, nil)
		}
		stranger := env.NewMember(t, apitest.Spec{OrganisationID: newOrg(t, s.Admin, "Stadt Anders", "KREISFREIE_STADT", 50000)})
		stranger.MustPost(t, rec, map[string]any{"i": ind.CreateIndicator.ID, "p": "2022", "v": 99}, nil)
		var trend struct {
			MeasurementTrend struct {
				Edges []struct {
					Node struct {
						Period string
						Value  float64
					}
				}
			}
		}
		s.Anna.MustPost(t, `query($i: ID!) { measurementTrend(indicatorID: $i, first: 10) { edges { node { period value } } } }`,
			map[string]any{"i": ind.CreateIndicator.ID}, &trend)
		var got []string
		for _, e := range trend.MeasurementTrend.Edges {
			got = append(got, e.Node.Period)
		}
		if !equal(got, []string{"2023", "2024", "2025"}) || trend.MeasurementTrend.Edges[2].Node.Value != 30 {
			t.Fatalf("trend: %+v", trend.MeasurementTrend.Edges)
		}
		vendor := env.NewMember(t, apitest.Spec{CommunityRole: "VENDOR"})
		wantError(t, vendor.Post(t, `query($i: ID!) { measurementTrend(indicatorID: $i, first: 10) { totalCount } }`, map[string]any{"i": ind.CreateIndicator.ID}), "BAD_USER_INPUT", "indicatorID")
	})
}
