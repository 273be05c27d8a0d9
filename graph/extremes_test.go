package graph_test

import (
	"math"
	"net/http"
	"strings"
	"testing"

	"zirkel/server/apitest"
)

// The extremes a client may store.
const (
	earliest = "1900-01-01T00:00:00Z"
	latest   = "2200-12-31T23:59:59Z"
)

// extremeText is a text of exactly n bytes (the unit of ent's MaxLen) with umlauts, ß, € and
// emoji (one made of three code points joined by a zero-width joiner); multi-line texts get
// tabs and line breaks.
func extremeText(n int, lines bool) string {
	pieces := []string{"Grenzfall ", "Äöü", "ß", "€", "😀", "👩‍💻", " "}
	if lines {
		pieces = append(pieces, "\t", "\n")
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		p := pieces[i%len(pieces)]
		if b.Len()+len(p) > n {
			p = strings.Repeat("x", n-b.Len())
		}
		b.WriteString(p)
	}
	return b.String()
}

// TestStoredExtremesNeverBreakReads stores the extremes that are allowed (the first second of
// 1900 and the last of 2200, texts of the longest allowed length with umlauts and emoji, tabs
// and line breaks where texts may span lines, the largest numbers and negative zero) through
// the API, then reads every list and file that shows them, as a member and as the owner.
func TestStoredExtremesNeverBreakReads(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		name, short, long := extremeText(200, false), extremeText(2000, true), extremeText(20000, true)
		vars := map[string]any{"name": name, "short": short, "long": long, "early": earliest, "late": latest,
			"org": s.OrgID, "topic": s.TopicID, "line": extremeText(2000, false)}

		var admin struct {
			Late, Early struct{ ID, IcsPath string }
			I, J, K     struct{ ID string }
			P           struct{ ID string }
		}
		s.Admin.MustPost(t, `mutation($name: String!, $short: String!, $long: String!, $line: String!, $early: Time!, $late: Time!) {
			late: createEvent(input: {title: $name, description: $long, place: $line, kind: CONFERENCE, startsAt: "2200-12-31T21:59:59Z", endsAt: $late}) { id icsPath }
			early: createEvent(input: {title: $name, description: $long, kind: WORKSHOP, startsAt: $early, endsAt: "1900-01-01T01:00:00Z", registrationDeadline: $early}) { id icsPath }
			i: createIndicator(input: {name: $name, definition: $short, unit: "€", targetGroup: CITIZENS, direction: HIGHER_IS_BETTER}) { id }
			j: createIndicator(input: {name: "Kleinster Wert", definition: "-1e12", unit: "€", targetGroup: CITIZENS, direction: LOWER_IS_BETTER}) { id }
			k: createIndicator(input: {name: "Null", definition: "minus null", unit: "€", targetGroup: CITIZENS, direction: LOWER_IS_BETTER}) { id }
			p: createSoftwareProduct(input: {name: $name, category: "Grenzfall"}) { id }
		}`, without(vars, "org", "topic"), &admin)
		vars["product"] = admin.P.ID

		var anna struct {
			Survey struct {
				ID        string
				Questions []struct{ ID string }
			}
			Practice, Discussion, Usage struct{ ID string }
		}
		s.Anna.MustPost(t, `mutation($name: String!, $short: String!, $long: String!, $line: String!, $early: Time!, $late: Time!, $org: ID!, $topic: ID!, $product: ID!) {
			survey: createSurvey(input: {title: $name, introduction: $long, opensAt: $early, closesAt: $late},
				questions: [{kind: TEXT, text: $line}, {kind: NUMBER, text: $name}, {kind: SINGLE_CHOICE, text: "😀?", options: [$name, "👩‍💻"]}]) { id questions { id } }
			practice: createPractice(input: {title: $name, summary: $short, problem: $long, approach: $long, outcome: $long,
				lessonsLearned: $long, transferability: $long, softwareUsed: [$name, "😀"], organisationID: $org, topicIDs: [$topic], visibility: MEMBERS}) { id }
			discussion: createDiscussion(input: {title: $name, topicIDs: [$topic]}) { id }
			usage: recordSoftwareUsage(input: {productID: $product, organisationID: $org, task: $name, since: $early, notes: $short}) { id }
			updateMember(id: "`+s.MemberID+`", input: {jobTitle: $name, bio: $short}) { id }
		}`, vars, &anna)
		s.Anna.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, map[string]any{"id": anna.Practice.ID}, nil)
		body := extremeText(10000, true)
		message := post(t, s.Anna, anna.Discussion.ID, body, nil)
		if message.Body != body {
			t.Fatalf("the message came back changed")
		}
		var measured struct {
			A, B, C struct{ ID string }
		}
		s.Anna.MustPost(t, `mutation($i: ID!, $j: ID!, $k: ID!, $short: String!) {
			a: recordMeasurement(indicatorID: $i, period: "2025-12", value: 1e12, note: $short) { id }
			b: recordMeasurement(indicatorID: $j, period: "2025", value: -1e12) { id }
			c: recordMeasurement(indicatorID: $k, period: "2025-Q4", value: -0.0) { id }
		}`, map[string]any{"i": admin.I.ID, "j": admin.J.ID, "k": admin.K.ID, "short": short}, &measured)
		q := anna.Survey.Questions
		s.Jonas.MustPost(t, `mutation($s: ID!, $a: [AnswerInput!]!) { respondToSurvey(surveyID: $s, answers: $a) }`, map[string]any{"s": anna.Survey.ID, "a": []map[string]any{
			{"questionID": q[0].ID, "text": extremeText(2000, true)}, {"questionID": q[1].ID, "number": 1e12}, {"questionID": q[2].ID, "choice": 1},
		}}, nil)
		s.Jonas.MustPost(t, `mutation($e: ID!) { registerForEvent(eventID: $e) { status } }`, map[string]any{"e": admin.Late.ID}, nil)

		for _, who := range []struct {
			name string
			as   *apitest.Session
		}{{"member", s.Jonas}, {"owner", s.Anna}} {
			t.Run(who.name, func(t *testing.T) {
				readExtremes(t, env, who.as, []string{admin.Late.IcsPath, admin.Early.IcsPath},
					[]string{measured.A.ID, measured.B.ID, measured.C.ID, anna.Usage.ID, s.MemberID, anna.Discussion.ID},
					[]string{admin.I.ID, admin.J.ID, admin.K.ID})
			})
		}
		var survey struct {
			Node struct{ OpensAt, ClosesAt string }
		}
		s.Anna.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Survey { opensAt closesAt } } }`, map[string]any{"id": anna.Survey.ID}, &survey)
		if survey.Node.OpensAt != earliest || survey.Node.ClosesAt != latest {
			t.Fatalf("the survey's times came back as %+v", survey.Node)
		}
		var value struct{ Node struct{ Value float64 } }
		s.Anna.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Measurement { value } } }`, map[string]any{"id": measured.C.ID}, &value)
		if value.Node.Value != 0 {
			t.Fatalf("negative zero came back as %v", value.Node.Value)
		}
		s.Anna.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Measurement { value } } }`, map[string]any{"id": measured.A.ID}, &value)
		if value.Node.Value != 1e12 || math.IsInf(value.Node.Value, 0) {
			t.Fatalf("1e12 came back as %v", value.Node.Value)
		}
	})
}

// without is a copy of vars without some keys (GraphQL refuses unused variables).
func without(vars map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, v := range vars {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// readExtremes reads every list, node and file that shows the stored extremes; each must
// answer without an error.
func readExtremes(t *testing.T, env *apitest.Env, as *apitest.Session, files, nodes, indicators []string) {
	t.Helper()
	queries := map[string]string{
		"surveys": `{ surveys(first: 100) { totalCount edges { node { title introduction opensAt closesAt viewerResponded
			questions { text options } results { respondents suppressed questions { median mean texts options { option count share } } } } } } }`,
		"events": `{ events(first: 100, orderBy: {field: STARTS_AT, direction: ASC}) { totalCount edges { node { title description place
			startsAt endsAt registrationDeadline onlineURL icsPath registeredCount } } } }`,
		"practices": `{ practices(first: 100) { totalCount edges { node { title summary problem approach outcome lessonsLearned
			transferability softwareUsed publishedAt } } } }`,
		"search":     `{ search(query: "Grenzfall", first: 50) { hits { type snippet node { id } } hasNextPage } }`,
		"viewer":     `{ viewer { displayName jobTitle bio lastLoginAt } }`,
		"software":   `{ softwareProducts(first: 100) { edges { node { name category usages(first: 10) { edges { node { task since notes } } } } } } }`,
		"indicators": `{ indicators(first: 100) { edges { node { name definition unit } } } }`,
	}
	for name, q := range queries {
		if res := as.Post(t, q, nil); len(res.Errors) > 0 {
			t.Errorf("%s: %+v", name, res.Errors)
		}
	}
	for _, id := range nodes {
		as.MustPost(t, `query($id: ID!) { node(id: $id) { id
			... on Measurement { period value note }
			... on SoftwareUsage { task since notes }
			... on Member { displayName jobTitle bio }
			... on Discussion { title lastMessageAt messages(first: 100) { edges { node { body position createdAt } } } } } }`,
			map[string]any{"id": id}, nil)
	}
	for _, id := range indicators {
		for _, period := range []string{"2025", "2025-12", "2025-Q4"} {
			as.MustPost(t, `query($i: ID!, $p: String!) { benchmark(indicatorID: $i, period: $p) { ownValue peerCount suppressed median lowerQuartile upperQuartile } }`,
				map[string]any{"i": id, "p": period}, nil)
		}
	}
	for _, path := range files {
		if ics := get(t, env.URL+path, as.Token, http.StatusOK); !strings.Contains(ics, "BEGIN:VEVENT") {
			t.Fatalf("%s:\n%s", path, ics)
		}
	}
	var feed struct{ RenewCalendarFeed string }
	as.MustPost(t, `mutation { renewCalendarFeed }`, nil, &feed)
	get(t, env.URL+feed.RenewCalendarFeed, "", http.StatusOK)
}
