package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
)

// exportView is myData / exportMemberData as a test reads it.
type exportView struct {
	MemberID string
	Sections []struct {
		Name  string
		Count int
		Rows  string
	}
	JSON string
}

const exportFields = `{ memberID sections { name count rows } json }`

// annaUsesEverything has Anna use the features that store personal data, each with a
// distinctive text, and returns those texts by what they are.
func annaUsesEverything(t *testing.T, env *apitest.Env, s seed) map[string]string {
	t.Helper()
	texts := map[string]string{"message": "Nachricht-von-Anna-7f3a", "open answer": "Offene-Antwort-von-Anna-91c2",
		"anonymous answer": "Anonyme-Antwort-von-Anna-5d0e", "practice": "Praxis-von-Anna-c4b1", "discussion": "Diskussion-von-Anna-22e9",
		"measurement": "Messwert-Notiz-von-Anna-0b7d"}
	var d struct {
		R struct{ ID string } `json:"r"`
	}
	s.Anna.MustPost(t, `mutation($t: String!) { r: createDiscussion(input: {title: $t}) { id } }`, map[string]any{"t": texts["discussion"]}, &d)
	m := post(t, s.Anna, d.R.ID, texts["message"], nil)
	s.Anna.MustPost(t, `mutation($m: ID!) { react(messageID: $m, kind: HEART) { id } }`, map[string]any{"m": m.ID}, nil)
	s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
	s.Anna.MustPost(t, `mutation($o: ID!, $t: String!) { createPractice(input: {title: $t, organisationID: $o}) { id } }`,
		map[string]any{"o": s.OrgID, "t": texts["practice"]}, nil)
	event, _ := newEvent(t, s.Admin, map[string]any{"title": "Brown Bag Datenschutz"})
	if st := statusOf(t, register(t, s.Anna, event)); st != "REGISTERED" {
		t.Fatalf("registration: %s", st)
	}
	var c struct{ CreateCompetency struct{ ID string } }
	s.Admin.MustPost(t, `mutation { createCompetency(input: {name: "Vergaberecht", side: AUTHORITY}) { id } }`, nil, &c)
	s.Anna.MustPost(t, `mutation($c: ID!) { rateCompetency(competencyID: $c, level: 3) { id } }`, map[string]any{"c": c.CreateCompetency.ID}, nil)
	for _, anonymous := range []bool{false, true} {
		var sv struct {
			CreateSurvey struct {
				ID        string
				Questions []struct{ ID string }
			}
		}
		s.Jonas.MustPost(t, `mutation($o: Time!, $c: Time!, $a: Boolean!) { createSurvey(input: {title: "Umfrage", opensAt: $o, closesAt: $c, anonymous: $a},
			questions: [{kind: TEXT, text: "Was?"}]) { id questions { id } } }`,
			map[string]any{"o": time.Now().Add(-time.Hour).Format(time.RFC3339), "c": time.Now().Add(time.Hour).Format(time.RFC3339), "a": anonymous}, &sv)
		text := map[bool]string{false: texts["open answer"], true: texts["anonymous answer"]}[anonymous]
		s.Anna.MustPost(t, `mutation($s: ID!, $a: [AnswerInput!]!) { respondToSurvey(surveyID: $s, answers: $a) }`,
			map[string]any{"s": sv.CreateSurvey.ID, "a": []map[string]any{{"questionID": sv.CreateSurvey.Questions[0].ID, "text": text}}}, nil)
	}
	var ind struct{ CreateIndicator struct{ ID string } }
	s.Admin.MustPost(t, `mutation { createIndicator(input: {name: "Online-Termine", definition: "Anteil", unit: "%", targetGroup: CITIZENS, direction: HIGHER_IS_BETTER}) { id } }`, nil, &ind)
	s.Anna.MustPost(t, `mutation($i: ID!, $n: String!) { recordMeasurement(indicatorID: $i, period: "2025", value: 42, note: $n) { id } }`,
		map[string]any{"i": ind.CreateIndicator.ID, "n": texts["measurement"]}, nil)
	s.Anna.MustPost(t, `mutation { updatePrivacySettings(input: {emailVisibility: MY_CIRCLES}) { emailVisibility } }`, nil, nil)
	return texts
}

// TestPersonalDataExport: a member's export (query and download) holds what they stored in
// every section, their non-anonymous survey answers but not the anonymous one, and no session
// token; only they and admins (with a reason) run it.
func TestPersonalDataExport(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		texts := annaUsesEverything(t, env, s)
		var out struct{ MyData exportView }
		s.Anna.MustPost(t, `{ myData `+exportFields+` }`, nil, &out)
		doc := out.MyData
		if doc.MemberID != s.MemberID {
			t.Fatalf("export of %s, want %s", doc.MemberID, s.MemberID)
		}
		counts := map[string]int{}
		for _, sec := range doc.Sections {
			counts[sec.Name] = sec.Count
			var rows []map[string]any
			if err := json.Unmarshal([]byte(sec.Rows), &rows); err != nil || len(rows) != sec.Count {
				t.Errorf("section %s: %d rows for count %d (%v)", sec.Name, len(rows), sec.Count, err)
			}
		}
		for name, want := range map[string]int{"profile": 1, "privacySettings": 1, "circleMemberships": 1, "practices": 1,
			"discussions": 1, "messages": 1, "reactions": 1, "registrations": 1, "competencyRatings": 1, "surveyResponses": 1, "sessions": 1,
			"measurementsRecorded": 1} {
			if counts[name] != want {
				t.Errorf("section %s has %d rows, want %d (all: %v)", name, counts[name], want, counts)
			}
		}
		for what, text := range texts {
			if got := strings.Contains(doc.JSON, text); got != (what != "anonymous answer") {
				t.Errorf("the export contains the %s: %v", what, got)
			}
		}
		for _, want := range []string{"anna.becker@musterhausen.example", `"MY_CIRCLES"`, "Landkreis Musterhausen", "Low Code"} {
			if !strings.Contains(doc.JSON, want) {
				t.Errorf("the export lacks %q", want)
			}
		}
		hash := sha256.Sum256([]byte(s.Anna.Token))
		for _, secret := range []string{s.Anna.Token, hex.EncodeToString(hash[:]), "$argon2"} {
			if strings.Contains(doc.JSON, secret) {
				t.Errorf("the export contains a secret (%.12s…)", secret)
			}
		}

		t.Run("download", func(t *testing.T) {
			res, body := download(t, env, s.Anna)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
				!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
				t.Fatalf("status %d, headers %v", res.StatusCode, res.Header)
			}
			var file struct {
				MemberID string
				Sections []struct{ Name string }
			}
			if err := json.Unmarshal(body, &file); err != nil || file.MemberID != s.MemberID || len(file.Sections) != len(doc.Sections) {
				t.Fatalf("file: %v %+v", err, file)
			}
			if !strings.Contains(string(body), texts["message"]) || strings.Contains(string(body), texts["anonymous answer"]) {
				t.Fatal("the file differs from the query's export")
			}
			if res, _ := download(t, env, env.Anonymous()); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("anonymous download: status %d", res.StatusCode)
			}
		})
		t.Run("only one's own data", func(t *testing.T) {
			var jonas struct{ MyData exportView }
			s.Jonas.MustPost(t, `{ myData `+exportFields+` }`, nil, &jonas)
			if jonas.MyData.MemberID != s.Member2ID || strings.Contains(jonas.MyData.JSON, texts["message"]) || strings.Contains(jonas.MyData.JSON, "anna.becker") {
				t.Fatal("Jonas's export holds Anna's data")
			}
			const q = `mutation($m: ID!, $r: String!) { exportMemberData(memberID: $m, reason: $r) ` + exportFields + ` }`
			wantError(t, s.Jonas.Post(t, q, map[string]any{"m": s.MemberID, "r": "neugierig"}), "FORBIDDEN", "")
			wantError(t, env.Anonymous().Post(t, `{ myData { memberID } }`, nil), "UNAUTHENTICATED", "")
		})
		t.Run("admins on request, with a reason", func(t *testing.T) {
			const q = `mutation($m: ID!, $r: String!) { exportMemberData(memberID: $m, reason: $r) ` + exportFields + ` }`
			wantError(t, s.Admin.Post(t, q, map[string]any{"m": s.MemberID, "r": ""}), "BAD_USER_INPUT", "reason")
			wantError(t, s.Admin.Post(t, q, map[string]any{"m": "mem_00000000000000000000000000", "r": "Antrag vom 1. Mai"}), "NOT_FOUND", "memberID")
			var got struct{ ExportMemberData exportView }
			s.Admin.MustPost(t, q, map[string]any{"m": s.MemberID, "r": "Antrag nach Art. 15 vom 1. Mai"}, &got)
			if got.ExportMemberData.MemberID != s.MemberID || !strings.Contains(got.ExportMemberData.JSON, texts["message"]) ||
				strings.Contains(got.ExportMemberData.JSON, texts["anonymous answer"]) {
				t.Fatal("the admin's export of Anna is not Anna's")
			}
		})
	})
}

// download fetches GET /me/export.json in the session.
func download(t *testing.T, env *apitest.Env, as *apitest.Session) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL+"/me/export.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range as.Header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// TestExportIsAudited: every export writes an audit entry (action privacy.export) that admins
// find in auditEntries: a member's own export, and an admin's on request with the reason given;
// the member's next export lists both in its auditEntries section.
func TestExportIsAudited(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		type entry struct{ ActorID, Action, TargetType, TargetID, SubjectID, Reason string }
		exports := func() []entry {
			t.Helper()
			var out struct {
				AuditEntries struct{ Edges []struct{ Node entry } }
			}
			s.Admin.MustPost(t, `query($m: ID!) { auditEntries(first: 50, filter: {action: "privacy.export", subject: $m}) {
				edges { node { actorID action targetType targetID subjectID reason } } } }`, map[string]any{"m": s.MemberID}, &out)
			list := make([]entry, 0, len(out.AuditEntries.Edges))
			for _, e := range out.AuditEntries.Edges {
				list = append(list, e.Node)
			}
			return list
		}
		if got := exports(); len(got) != 0 {
			t.Fatalf("exports audited before any export: %+v", got)
		}
		s.Anna.MustPost(t, `{ myData { memberID } }`, nil, nil)
		own := entry{ActorID: s.MemberID, Action: "privacy.export", TargetType: "Member", TargetID: s.MemberID, SubjectID: s.MemberID}
		if got := exports(); len(got) != 1 || got[0] != own {
			t.Fatalf("after Anna's own export: %+v, want [%+v]", got, own)
		}
		const reason = "Antrag nach Art. 15 vom 3. Juni"
		s.Admin.MustPost(t, `mutation($m: ID!, $r: String!) { exportMemberData(memberID: $m, reason: $r) { memberID } }`,
			map[string]any{"m": s.MemberID, "r": reason}, nil)
		byAdmin := entry{ActorID: s.Admin.MemberID, Action: "privacy.export", TargetType: "Member", TargetID: s.MemberID, SubjectID: s.MemberID, Reason: reason}
		if got := exports(); len(got) != 2 || got[0] != byAdmin || got[1] != own {
			t.Fatalf("after the admin's export: %+v, want [%+v %+v]", got, byAdmin, own)
		}
		// A refused export leaves no entry.
		wantError(t, s.Jonas.Post(t, `mutation($m: ID!, $r: String!) { exportMemberData(memberID: $m, reason: $r) { memberID } }`,
			map[string]any{"m": s.MemberID, "r": "neugierig"}), "FORBIDDEN", "")
		if got := exports(); len(got) != 2 {
			t.Fatalf("a refused export was audited: %+v", got)
		}
		if res, _ := download(t, env, s.Anna); res.StatusCode != http.StatusOK {
			t.Fatalf("download: status %d", res.StatusCode)
		}
		if got := exports(); len(got) != 3 || got[0] != own {
			t.Fatalf("after Anna's download: %+v", got)
		}
		var doc struct{ MyData exportView }
		s.Anna.MustPost(t, `{ myData `+exportFields+` }`, nil, &doc)
		for _, sec := range doc.MyData.Sections {
			if sec.Name == "auditEntries" && (sec.Count < 4 || !strings.Contains(sec.Rows, reason)) {
				t.Errorf("Anna's auditEntries section: %d rows %s", sec.Count, sec.Rows)
			}
		}
	})
}

// TestExportHoldsFollowsNotificationsMailAndModeration: the sections of the later features
// hold what the member did or got there: follows, a notification, e-mail settings, the report
// they filed (with their note and the decision) and their ban from a circle (with its reason).
func TestExportHoldsFollowsNotificationsMailAndModeration(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		var d struct {
			R struct{ ID string } `json:"r"`
		}
		s.Anna.MustPost(t, `mutation { r: createDiscussion(input: {title: "Annas Frage"}) { id } }`, nil, &d)
		post(t, s.Anna, d.R.ID, "Frage", nil)
		reply := post(t, s.Jonas, d.R.ID, "Antwort von Jonas", nil) // notifies Anna, who follows her discussion
		s.Anna.MustPost(t, `mutation($t: ID!) { follow(id: $t) { id } }`, map[string]any{"t": s.TopicID}, nil)
		s.Anna.MustPost(t, `mutation { setEmailSettings(language: EN, preferences: [{kind: MENTION, delivery: DAILY}]) { language } }`, nil, nil)
		const note, banReason = "Meldung-von-Anna-3e8a", "Sperrgrund-fuer-Anna-61d0"
		s.Anna.MustPost(t, `mutation($m: ID!, $n: String) { reportContent(input: {itemID: $m, reason: OTHER, note: $n}) { id } }`,
			map[string]any{"m": reply.ID, "n": note}, nil)
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!, $r: String!) { banFromCircle(circleID: $c, memberID: $m, reason: $r) { id } }`,
			map[string]any{"c": s.CircleID, "m": s.MemberID, "r": banReason}, nil)

		var out struct{ MyData exportView }
		s.Anna.MustPost(t, `{ myData `+exportFields+` }`, nil, &out)
		rows := map[string]string{}
		for _, sec := range out.MyData.Sections {
			rows[sec.Name] = sec.Rows
			if sec.Name == "follows" && sec.Count < 2 || sec.Name == "notifications" && sec.Count < 1 ||
				sec.Name == "reports" && sec.Count != 1 || sec.Name == "circleBans" && sec.Count != 1 || sec.Name == "emailSettings" && sec.Count != 1 {
				t.Errorf("section %s has %d rows: %s", sec.Name, sec.Count, sec.Rows)
			}
		}
		for section, want := range map[string][]string{"follows": {s.TopicID, d.R.ID}, "notifications": {d.R.ID},
			"emailSettings": {`"EN"`, `"MENTION"`, `"DAILY"`}, "reports": {note, reply.ID, `"OPEN"`}, "circleBans": {banReason, s.CircleID}} {
			for _, w := range want {
				if !strings.Contains(rows[section], w) {
					t.Errorf("section %s lacks %q: %s", section, w, rows[section])
				}
			}
		}
		var jonas struct{ MyData exportView }
		s.Jonas.MustPost(t, `{ myData `+exportFields+` }`, nil, &jonas)
		if strings.Contains(jonas.MyData.JSON, note) || strings.Contains(jonas.MyData.JSON, banReason) {
			t.Error("Jonas's export holds Anna's report or ban")
		}
	})
}
