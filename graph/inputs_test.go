package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
	"zirkel/server/config"
)

// badValues are the classes of input that must never be stored, by GraphQL scalar.
var badValues = map[string][]struct {
	name  string
	value any
}{
	"String": {
		{"NUL", "Text mit \x00 NUL"},
		{"escape character", "Text mit \x1b[31m Farbe"},
		{"C1 control character", "Text mit \u0085 NEL"},
	},
	"Time": {
		{"year 1", "0001-01-01T00:00:00Z"},
		{"year 9999", "9999-12-31T23:59:59Z"},
		{"just before 1900", "1899-12-31T23:59:59Z"},
		{"just after 2200", "2201-01-01T00:00:00Z"},
		{"year 10000", "10000-01-01T00:00:00Z"},
		{"empty", ""},
		{"not a time", "bald"},
	},
	"Float": {
		{"1e308", 1e308},
		{"-1e13", -1e13},
	},
}

// mutationFixture is a valid call of a mutation, into which the test puts one bad value at a
// time.
type mutationFixture struct {
	as *apitest.Session
	// args is a valid call, for the input path that gets the bad value.
	args func(path string) map[string]any
	// unstored: the strings are credentials or names that are looked up, never stored; a bad
	// one must be refused with a client error (which one depends on the mutation).
	unstored bool
	// field are the extensions.field values allowed for an input path, where it is not the
	// path's last name.
	field map[string][]string
	// dropped are input paths whose values are never stored (with the reason), so a bad value
	// there may be accepted, as long as it is not written.
	dropped map[string]string
}

// TestInputsThatMustNeverBeStored walks every mutation's input fields of type Time, String and
// Float by introspection and sends each class of bad value in each of them: the answer is
// BAD_USER_INPUT naming the field, and nothing is written. A mutation with such a field and
// no fixture fails the test, so new inputs cannot be forgotten.
func TestInputsThatMustNeverBeStored(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := apitest.Start(t, backend, func(c *config.Config) { c.Introspection = true })
			fixtures := inputFixtures(t, env)
			schema := introspectMutations(t, env)
			for _, m := range schema.mutations() {
				paths := schema.scalarPaths(m)
				if len(paths) == 0 {
					continue
				}
				f, ok := fixtures[m.Name]
				if !ok {
					t.Errorf("mutation %s takes %v but has no fixture in this test", m.Name, paths)
					continue
				}
				for _, p := range paths {
					for _, bad := range badValues[p.scalar] {
						t.Run(m.Name+"/"+p.String()+"/"+bad.name, func(t *testing.T) {
							before := ""
							if !f.unstored {
								before = dumpTables(t, env)
							}
							args := f.args(p.String())
							p.set(args, bad.value)
							res := f.as.Post(t, schema.document(m), args)
							if _, dropped := f.dropped[p.String()]; dropped {
								if strings.Contains(dumpTables(t, env), fmt.Sprint(bad.value)) {
									t.Fatalf("the value was stored: %s", res.Data)
								}
								return
							}
							checkRefused(t, res, f, p)
							if f.unstored {
								return
							}
							if after := dumpTables(t, env); after != before {
								t.Fatalf("something was written:\n%s", diffLines(before, after))
							}
						})
					}
				}
			}
		})
	}
}

func checkRefused(t *testing.T, res apitest.Response, f mutationFixture, p inputPath) {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("accepted: %s", res.Data)
	}
	e := res.Errors[0]
	if f.unstored {
		if c := e.Code(); c == "" || c == "INTERNAL_SERVER_ERROR" {
			t.Fatalf("want a client error, got %q: %s", c, e.Message)
		}
		return
	}
	want := []string{p.field()}
	if w, ok := f.field[p.String()]; ok {
		want = w
	}
	if e.Code() != "BAD_USER_INPUT" || !slices.Contains(want, e.Field()) {
		t.Fatalf("want BAD_USER_INPUT on %q, got %s on %q: %s", want, e.Code(), e.Field(), e.Message)
	}
}

// inputFixtures creates what the mutations work on and returns a valid call of each.
func inputFixtures(t *testing.T, env *apitest.Env) map[string]mutationFixture {
	s := newSeed(t, env)
	var out struct {
		I struct{ ID string } `json:"i"`
		P struct{ ID string } `json:"p"`
		C struct{ ID string } `json:"c"`
		E struct{ ID string } `json:"e"`
	}
	s.Admin.MustPost(t, `mutation {
		i: createIndicator(input: {name: "Durchlaufzeit", definition: "Tage", unit: "Tage", targetGroup: CITIZENS, direction: LOWER_IS_BETTER}) { id }
		p: createSoftwareProduct(input: {name: "Camunda", category: "BPM"}) { id }
		c: createCompetency(input: {name: "BPMN", side: AUTHORITY}) { id }
		e: createEvent(input: {title: "Austausch", kind: MEETUP, startsAt: "2030-01-01T10:00:00Z", endsAt: "2030-01-01T11:00:00Z"}) { id }
	}`, nil, &out)
	indicator, product, competency, event := out.I.ID, out.P.ID, out.C.ID, out.E.ID
	var anna struct {
		P struct{ ID string } `json:"p"`
		D struct{ ID string } `json:"d"`
		U struct{ ID string } `json:"u"`
		S struct {
			ID        string
			Questions []struct{ ID string }
		} `json:"s"`
		S2 struct{ ID string } `json:"s2"`
		J  struct{ ID string } `json:"j"`
	}
	s.Anna.MustPost(t, `mutation($org: ID!, $topic: ID!, $prod: ID!, $circle: ID!, $o: Time!, $c: Time!) {
		p: createPractice(input: {title: "Digitallotsen", organisationID: $org}) { id }
		d: createDiscussion(input: {title: "Frage", topicIDs: [$topic]}) { id }
		u: recordSoftwareUsage(input: {productID: $prod, organisationID: $org}) { id }
		s: createSurvey(input: {title: "Umfrage", opensAt: $o, closesAt: $c}, questions: [{kind: TEXT, text: "Was?"}, {kind: NUMBER, text: "Wie viele?"}]) { id questions { id } }
		s2: createSurvey(input: {title: "Entwurf", opensAt: $o, closesAt: $c}, questions: [{kind: TEXT, text: "Was?"}]) { id }
		j: requestToJoinCircle(circleID: $circle, message: "Ich möchte mitarbeiten") { id }
	}`, map[string]any{"org": s.OrgID, "topic": s.TopicID, "prod": product, "circle": s.CircleID,
		"o": time.Now().Add(-time.Hour).Format(time.RFC3339), "c": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}, &anna)
	message := post(t, s.Anna, anna.D.ID, "Erster Beitrag", nil)
	survey, questions := anna.S.ID, anna.S.Questions

	one := func(as *apitest.Session, args map[string]any) mutationFixture {
		return mutationFixture{as: as, args: func(string) map[string]any { return deepCopy(args) }}
	}
	empty := map[string]any{}
	fixtures := map[string]mutationFixture{
		"login": {as: env.Anonymous(), args: func(string) map[string]any {
			return map[string]any{"input": map[string]any{"username": "x@test.example", "password": "geheim"}}
		}, unstored: true},
		"acceptInvitation": {as: env.Anonymous(), args: func(string) map[string]any {
			return map[string]any{"token": "kein-token", "password": "ein langes Passwort"}
		}, unstored: true},
		"inviteMember":       one(s.Admin, map[string]any{"input": map[string]any{"displayName": "Gast", "email": "gast@test.example", "communityRole": "VENDOR"}}),
		"createOrganisation": one(s.Admin, map[string]any{"input": map[string]any{"name": "Stadt", "kind": "KREISFREIE_STADT"}}),
		"updateOrganisation": one(s.Admin, map[string]any{"id": s.OrgID, "input": empty}),
		"createMember":       one(s.Admin, map[string]any{"input": map[string]any{"displayName": "Neu", "email": "neu@test.example", "communityRole": "CDO"}}),
		"updateMember":       one(s.Anna, map[string]any{"id": s.MemberID, "input": empty}),
		"deleteMember":       one(s.Admin, map[string]any{"id": s.Member2ID, "reason": "Antrag vom 1. Dezember", "contentChoice": "KEEP_AS_FORMER_MEMBER"}),
		"createTopic":        one(s.Admin, map[string]any{"input": map[string]any{"slug": "neu", "name": "Neu"}}),
		"updateTopic":        one(s.Admin, map[string]any{"id": s.TopicID, "input": empty}),
		"createPractice":     one(s.Anna, map[string]any{"input": map[string]any{"title": "Neu", "organisationID": s.OrgID}}),
		"updatePractice": func() mutationFixture {
			f := one(s.Anna, map[string]any{"id": anna.P.ID, "input": empty})
			f.dropped = map[string]string{"input.appendSoftwareUsed.0": "entgql v0.7.0 appends softwareUsed instead, so these values are never stored"}
			return f
		}(),
		"createCircle":     one(s.Admin, map[string]any{"input": map[string]any{"name": "Neu", "slug": "neu"}}),
		"updateCircle":     one(s.Admin, map[string]any{"id": s.CircleID, "input": empty}),
		"createDiscussion": one(s.Anna, map[string]any{"input": map[string]any{"title": "Neu", "topicIDs": []string{s.TopicID}}}),
		"updateDiscussion": one(s.Anna, map[string]any{"id": anna.D.ID, "input": empty}),
		"postMessage":      one(s.Anna, map[string]any{"input": map[string]any{"discussionID": anna.D.ID, "body": "Neu"}}),
		"editMessage":      one(s.Anna, map[string]any{"id": message.ID, "body": "Neu"}),
		"createEvent": one(s.Admin, map[string]any{"input": map[string]any{"title": "Neu", "kind": "MEETUP",
			"startsAt": "2030-02-01T10:00:00Z", "endsAt": "2030-02-01T11:00:00Z"}}),
		"updateEvent":           one(s.Admin, map[string]any{"id": event, "input": empty}),
		"createIndicator":       one(s.Admin, map[string]any{"input": map[string]any{"name": "Neu", "definition": "D", "unit": "U", "targetGroup": "STAFF", "direction": "HIGHER_IS_BETTER"}}),
		"updateIndicator":       one(s.Admin, map[string]any{"id": indicator, "input": empty}),
		"recordMeasurement":     one(s.Anna, map[string]any{"indicatorID": indicator, "period": "2025", "value": 12.5}),
		"exportMemberData":      one(s.Admin, map[string]any{"memberID": s.MemberID, "reason": "Antrag vom 1. Mai"}),
		"createSoftwareProduct": one(s.Admin, map[string]any{"input": map[string]any{"name": "Neu", "category": "BPM"}}),
		"updateSoftwareProduct": one(s.Admin, map[string]any{"id": product, "input": empty}),
		"recordSoftwareUsage":   one(s.Jonas, map[string]any{"input": map[string]any{"productID": product, "organisationID": s.OrgID, "task": "Neu"}}),
		"updateSoftwareUsage":   one(s.Anna, map[string]any{"id": anna.U.ID, "input": empty}),
		"createCompetency":      one(s.Admin, map[string]any{"input": map[string]any{"name": "Neu", "side": "VENDOR"}}),
		"updateCompetency":      one(s.Admin, map[string]any{"id": competency, "input": empty}),
		"createSurvey": one(s.Anna, map[string]any{"input": map[string]any{"title": "Neu", "opensAt": "2030-01-01T00:00:00Z", "closesAt": "2030-02-01T00:00:00Z"},
			"questions": []any{map[string]any{"kind": "SINGLE_CHOICE", "text": "Neu?", "options": []any{"ja", "nein"}}}}),
		"updateSurvey": one(s.Anna, map[string]any{"id": anna.S2.ID, "input": empty,
			"questions": []any{map[string]any{"kind": "SINGLE_CHOICE", "text": "Neu?", "options": []any{"ja", "nein"}}}}),
		"requestToJoinCircle": one(s.Jonas, map[string]any{"circleID": s.CircleID, "message": "Bitte"}),
		"acceptJoinRequest":   one(s.Admin, map[string]any{"id": anna.J.ID, "reason": "Willkommen"}),
		"declineJoinRequest":  one(s.Admin, map[string]any{"id": anna.J.ID, "reason": "Leider nicht"}),
		"respondToSurvey": {as: s.Jonas, args: func(path string) map[string]any {
			answer := map[string]any{"questionID": questions[0].ID, "text": "Antwort"}
			if strings.HasSuffix(path, ".number") {
				answer = map[string]any{"questionID": questions[1].ID, "number": 3.5}
			}
			return map[string]any{"surveyID": survey, "answers": []any{answer}}
		}, field: map[string][]string{"answers.0.text": {"text", "answers"}, "answers.0.number": {"number", "answers"}}},
	}
	for name, f := range moderationFixtures(t, env, s, message.ID, anna.D.ID) {
		fixtures[name] = f
	}
	// A start after the end is refused as such before its range is checked: both say what to fix.
	for name, p := range map[string]string{"createEvent": "input.startsAt", "updateEvent": "input.startsAt", "createSurvey": "input.opensAt", "updateSurvey": "input.opensAt"} {
		f := fixtures[name]
		end := map[string]string{"input.startsAt": "endsAt", "input.opensAt": "closesAt"}[p]
		f.field = map[string][]string{p: {p[len("input."):], end}}
		fixtures[name] = f
	}
	return fixtures
}

// mutationSchema is what the test reads of the schema by introspection.
type mutationSchema struct {
	Schema struct {
		MutationType struct{ Fields []mutationField }
		Types        []struct {
			Kind, Name  string
			InputFields []mutationField
		}
	} `json:"__schema"`
}

type mutationField struct {
	Name string
	Args []mutationField
	Type inputTypeRef
}

type inputTypeRef struct {
	Kind   string
	Name   string
	OfType *inputTypeRef
}

func (r inputTypeRef) String() string {
	switch r.Kind {
	case "NON_NULL":
		return r.OfType.String() + "!"
	case "LIST":
		return "[" + r.OfType.String() + "]"
	}
	return r.Name
}

// named is the type without lists and non-null; list tells whether a list was on the way.
func (r inputTypeRef) named() (inputTypeRef, bool) {
	list := false
	for r.OfType != nil {
		list = list || r.Kind == "LIST"
		r = *r.OfType
	}
	return r, list
}

func introspectMutations(t *testing.T, env *apitest.Env) mutationSchema {
	t.Helper()
	var out mutationSchema
	env.MustPost(t, `{ __schema {
		mutationType { fields { name args { name type { ...T } } type { ...T } } }
		types { kind name inputFields { name type { ...T } } } } }
	fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`, nil, &out)
	return out
}

func (s mutationSchema) mutations() []mutationField { return s.Schema.MutationType.Fields }

func (s mutationSchema) inputFields(name string) []mutationField {
	for _, ty := range s.Schema.Types {
		if ty.Name == name && ty.Kind == "INPUT_OBJECT" {
			return ty.InputFields
		}
	}
	return nil
}

// inputPath leads from a mutation's arguments to one scalar input (a list's first element).
type inputPath struct {
	steps  []any // string names and 0 for list elements
	scalar string
}

func (p inputPath) String() string {
	parts := make([]string, len(p.steps))
	for i, s := range p.steps {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, ".")
}

// field is the last name on the path, the input field a client is told about.
func (p inputPath) field() string {
	for i := len(p.steps) - 1; i >= 0; i-- {
		if name, ok := p.steps[i].(string); ok {
			return name
		}
	}
	return ""
}

// set puts value at the path into args, making what is missing on the way.
func (p inputPath) set(args map[string]any, value any) {
	var at any = args
	for i, step := range p.steps {
		last := i == len(p.steps)-1
		switch container := at.(type) {
		case map[string]any:
			name := step.(string)
			if last {
				container[name] = value
				return
			}
			if container[name] == nil {
				if _, isIndex := p.steps[i+1].(int); isIndex {
					container[name] = []any{nil}
				} else {
					container[name] = map[string]any{}
				}
			}
			at = container[name]
		case []any:
			if last {
				container[0] = value
				return
			}
			if container[0] == nil {
				container[0] = map[string]any{}
			}
			at = container[0]
		}
	}
}

// scalarPaths are the Time, String and Float inputs of a mutation.
func (s mutationSchema) scalarPaths(m mutationField) []inputPath {
	var out []inputPath
	var walk func(steps []any, f mutationField, depth int)
	walk = func(steps []any, f mutationField, depth int) {
		named, list := f.Type.named()
		steps = append(append([]any{}, steps...), f.Name)
		if list {
			steps = append(steps, 0)
		}
		switch {
		case named.Kind == "SCALAR" && badValues[named.Name] != nil:
			out = append(out, inputPath{steps: steps, scalar: named.Name})
		case named.Kind == "INPUT_OBJECT" && depth < 3:
			for _, inner := range s.inputFields(named.Name) {
				walk(steps, inner, depth+1)
			}
		}
	}
	for _, a := range m.Args {
		walk(nil, a, 0)
	}
	return out
}

// document is a call of the mutation with every argument as a variable.
func (s mutationSchema) document(m mutationField) string {
	var defs, args []string
	for _, a := range m.Args {
		defs = append(defs, "$"+a.Name+": "+a.Type.String())
		args = append(args, a.Name+": $"+a.Name)
	}
	selection := ""
	if named, _ := m.Type.named(); named.Kind == "OBJECT" || named.Kind == "UNION" || named.Kind == "INTERFACE" {
		selection = " { __typename }"
	}
	return fmt.Sprintf("mutation(%s) { %s(%s)%s }", strings.Join(defs, ", "), m.Name, strings.Join(args, ", "), selection)
}

// dumpTables is every row of every table except sessions and login throttles (which reads
// and logins touch), sorted: equal dumps mean nothing was written.
func dumpTables(t *testing.T, env *apitest.Env) string {
	t.Helper()
	db := env.App.Store.DB
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_%' AND name NOT LIKE 'sqlite_%'`
	if env.App.Store.Dialect == "postgres" {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var tables []string
	rows, err := db.Query(list)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name != "sessions" && name != "login_throttles" && !strings.HasPrefix(name, "atlas") {
			tables = append(tables, name)
		}
	}
	rows.Close()
	sort.Strings(tables)
	var b strings.Builder
	for _, table := range tables {
		lines := tableRows(t, env, table)
		sort.Strings(lines)
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}

func tableRows(t *testing.T, env *apitest.Env, table string) []string {
	t.Helper()
	rows, err := env.App.Store.DB.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, vals := range apitest.Rows(t, rows) {
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		lines = append(lines, fmt.Sprintf("%s %q", table, vals))
	}
	return lines
}

func diffLines(before, after string) string {
	old := map[string]bool{}
	for _, l := range strings.Split(before, "\n") {
		old[l] = true
	}
	var out []string
	for _, l := range strings.Split(after, "\n") {
		if !old[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

func deepCopy(v map[string]any) map[string]any {
	raw, _ := json.Marshal(v)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// TestTextNoQueryMayHold: NUL and invalid UTF-8 are refused in every String input, also in
// filters and searches that store nothing (PostgreSQL cannot even compare them, and answered
// with an internal error).
func TestTextNoQueryMayHold(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		member := env.NewMember(t, apitest.Spec{})
		for _, c := range []struct{ name, query, field string }{
			{"NUL in a filter", `{ practices(first: 5, where: {titleContains: "a\u0000b"}) { totalCount } }`, "titleContains"},
			{"NUL in a search", `{ search(query: "Prozess\u0000", first: 5) { hasNextPage } }`, "query"},
			{"NUL in a looked-up period", `{ benchmark(indicatorID: "ind_00000000000000000000000000", period: "2025\u0000") { suppressed } }`, "period"},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := member.Send(t, http.MethodGet, "/graphql?query="+url.QueryEscape(c.query), "", nil)
				wantError(t, res, "BAD_USER_INPUT", c.field)
			})
		}
		// Invalid UTF-8 never reaches GraphQL: the transport refuses the request itself.
		t.Run("invalid UTF-8 in a search", func(t *testing.T) {
			query := "{ search(query: \"Prozess\xff\", first: 5) { hasNextPage } }"
			res := member.Send(t, http.MethodGet, "/graphql?query="+url.QueryEscape(query), "", nil)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.Status)
			}
			wantError(t, res, "BAD_REQUEST", "")
		})
	})
}

// TestLineBreaksOnlyWhereTextsSpanLines: bodies, bios, summaries and descriptions keep tabs and
// line breaks (CR LF is stored as LF); names and titles are single lines; a lone CR is refused.
func TestLineBreaksOnlyWhereTextsSpanLines(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		d := newDiscussion(t, s)
		if m := post(t, s.Anna, d, "Zeile 1\r\nZeile 2\tEnde\n", nil); m.Body != "Zeile 1\nZeile 2\tEnde\n" {
			t.Fatalf("stored %q", m.Body)
		}
		postBody := `mutation($d: ID!, $b: String!) { postMessage(input: {discussionID: $d, body: $b}) { id } }`
		wantError(t, s.Anna.Post(t, postBody, map[string]any{"d": d, "b": "Zeile 1\rZeile 2"}), "BAD_USER_INPUT", "body")
		wantError(t, s.Anna.Post(t, `mutation($t: ID!) { createDiscussion(input: {title: "Titel\tmit Tab", topicIDs: [$t]}) { id } }`,
			map[string]any{"t": s.TopicID}), "BAD_USER_INPUT", "title")
		update := `mutation($id: ID!, $bio: String, $job: String) { updateMember(id: $id, input: {bio: $bio, jobTitle: $job}) { bio } }`
		var out struct{ UpdateMember struct{ Bio string } }
		s.Anna.MustPost(t, update, map[string]any{"id": s.MemberID, "bio": "CDO\n\tseit 2020"}, &out)
		if out.UpdateMember.Bio != "CDO\n\tseit 2020" {
			t.Fatalf("bio stored as %q", out.UpdateMember.Bio)
		}
		wantError(t, s.Anna.Post(t, update, map[string]any{"id": s.MemberID, "job": "CDO\nund CIO"}), "BAD_USER_INPUT", "jobTitle")
	})
}

// moderationFixtures are the calls of the moderation mutations, on Anna's message and
// discussion (an admin moderates them); a third member is banned, so that the fixtures of the
// others are not refused as banned.
func moderationFixtures(t *testing.T, env *apitest.Env, s seed, message, discussion string) map[string]mutationFixture {
	var rep struct {
		ReportContent struct{ ID string }
	}
	s.Jonas.MustPost(t, `mutation($i: ID!) { reportContent(input: {itemID: $i, reason: OTHER}) { id } }`, map[string]any{"i": discussion}, &rep)
	gast := env.NewMember(t, apitest.Spec{Name: "Gast"})
	var ban struct{ BanFromCircle struct{ ID string } }
	s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { banFromCircle(circleID: $c, memberID: $m, reason: "Test") { id } }`,
		map[string]any{"c": s.CircleID, "m": gast.MemberID}, &ban)
	call := func(as *apitest.Session, args map[string]any, field map[string][]string, dropped map[string]string) mutationFixture {
		return mutationFixture{as: as, args: func(string) map[string]any { return deepCopy(args) }, field: field, dropped: dropped}
	}
	auditOnly := map[string]string{"reason": "stored only by the audit log (its consumer checks what it stores)"}
	return map[string]mutationFixture{
		"reportContent":    call(s.Jonas, map[string]any{"input": map[string]any{"itemID": message, "reason": "OTHER", "note": "Neu"}}, nil, nil),
		"hideContent":      call(s.Admin, map[string]any{"itemID": message, "reason": "Neu"}, map[string][]string{"reason": {"reason", "hiddenReason"}}, nil),
		"restoreContent":   call(s.Admin, map[string]any{"itemID": message, "reason": "Neu"}, nil, auditOnly),
		"lockDiscussion":   call(s.Admin, map[string]any{"id": discussion, "reason": "Neu"}, map[string][]string{"reason": {"reason", "lockReason"}}, nil),
		"unlockDiscussion": call(s.Admin, map[string]any{"id": discussion, "reason": "Neu"}, nil, auditOnly),
		"dismissReport":    call(s.Admin, map[string]any{"id": rep.ReportContent.ID, "note": "Neu"}, map[string][]string{"note": {"note", "resolutionNote"}}, nil),
		"banFromCircle":    call(s.Admin, map[string]any{"circleID": s.CircleID, "memberID": s.Member2ID, "reason": "Neu"}, nil, nil),
		"liftCircleBan":    call(s.Admin, map[string]any{"id": ban.BanFromCircle.ID, "reason": "Neu"}, nil, auditOnly),
	}
}
