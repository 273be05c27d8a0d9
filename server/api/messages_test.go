package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/config"
)

// TestNoSuggestions: whatever the client misspells, the answer names what is wrong and never
// what would be right, with introspection on or off (otherwise the schema could be mapped
// by guessing).
func TestNoSuggestions(t *testing.T) {
	cases := []struct {
		name, query string
		vars        map[string]any
		hints       []string // names the answer must not mention
	}{
		{"field", `{ topicz(first: 1) { totalCount } }`, nil, []string{`"topics"`}},
		{"argument", `{ topics(firstt: 1) { totalCount } }`, nil, []string{`"first"`}},
		{"enum value", `{ topics(first: 1, orderBy: {field: SLUGG}) { totalCount } }`, nil, []string{`"SLUG"`}},
		{"input field", `{ topics(first: 1, where: {slugg: "x"}) { totalCount } }`, nil, []string{`"slug"`, "slugGT"}},
		{"type in a fragment", `{ topics(first: 1) { edges { node { ... on Topicc { slug } } } } }`, nil, []string{`"Topic"`}},
		{"type of a variable", `query($w: Topicc) { __typename }`, nil, []string{`"Topic"`}},
		{"subselection missing", `{ viewer }`, nil, []string{"viewer {"}},
		{"input field in a variable", `query($w: TopicWhereInput) { topics(first: 1, where: $w) { totalCount } }`, map[string]any{"w": map[string]any{"slugg": "x"}}, []string{`"slug"`, "slugGT"}},
	}
	for _, introspection := range []bool{false, true} {
		env := apitest.Start(t, "sqlite", func(c *config.Config) { c.Introspection = introspection })
		for _, c := range cases {
			name := c.name
			if introspection {
				name += " with introspection"
			}
			t.Run(name, func(t *testing.T) {
				res := env.Post(t, c.query, c.vars)
				if len(res.Errors) == 0 || res.Errors[0].Code() == "" {
					t.Fatalf("want an error with a code, got %+v", res)
				}
				for _, e := range res.Errors {
					if strings.Contains(e.Message, "Did you mean") {
						t.Fatalf("a suggestion: %q", e.Message)
					}
					for _, hint := range c.hints {
						if strings.Contains(e.Message, hint) {
							t.Fatalf("the answer names %s: %q", hint, e.Message)
						}
					}
				}
			})
		}
	}
}

// TestMessagesNameTheFieldAndTheRule: bad input is answered in the words of the API (the
// field, the rule), never in the library's ("ent: validator failed …", "input:1:18:", Go
// error texts), on both databases.
func TestMessagesNameTheFieldAndTheRule(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		create := `mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { id } }`
		cases := []struct {
			name, query string
			vars        map[string]any
			code, field string
			message     string
			german      string
		}{
			{"pattern", create, map[string]any{"i": map[string]any{"name": "Kreis A", "kind": "LANDKREIS", "ags": "12"}},
				"BAD_USER_INPUT", "ags", "ags: does not have the required format", "ags: hat nicht das verlangte Format"},
			{"minimum length", create, map[string]any{"i": map[string]any{"name": "", "kind": "LANDKREIS"}},
				"BAD_USER_INPUT", "name", "name: is too short", "name: ist zu kurz"},
			{"range", create, map[string]any{"i": map[string]any{"name": "Kreis B", "kind": "LANDKREIS", "population": -5}},
				"BAD_USER_INPUT", "population", "population: is out of range", "population: liegt außerhalb des erlaubten Bereichs"},
			{"time argument", `{ events(first: 1, where: {startsAtGT: "next tuesday"}) { totalCount } }`, nil,
				"BAD_USER_INPUT", "startsAtGT", "startsAtGT: must be a time in RFC 3339 format, such as 2026-05-04T10:00:00Z", "startsAtGT: muss eine Zeit im Format RFC 3339 sein, etwa 2026-05-04T10:00:00Z"},
			{"cursor argument", `{ practices(first: 1, after: "garbage") { totalCount } }`, nil,
				"BAD_USER_INPUT", "after", "after: is not a valid cursor", "after: ist kein gültiger Cursor"},
			{"variable of the wrong type", `query($n: Int) { topics(first: $n) { totalCount } }`, map[string]any{"n": "ten"},
				"GRAPHQL_VALIDATION_FAILED", "", "$n: cannot use string as Int", "$n: string passt nicht zum Typ Int"},
			{"unknown field in a variable", create, map[string]any{"i": map[string]any{"name": "Kreis C", "kind": "LANDKREIS", "agz": "1"}},
				"GRAPHQL_VALIDATION_FAILED", "", "$i.agz: unknown field", "$i.agz: unbekanntes Feld"},
			{"unknown field", `{ topicz(first: 1) { totalCount } }`, nil,
				"GRAPHQL_VALIDATION_FAILED", "", `Cannot query field "topicz" on type "Query".`, `Das Feld "topicz" gibt es im Typ "Query" nicht.`},
			{"unknown argument", `{ topics(firstt: 1) { totalCount } }`, nil,
				"GRAPHQL_VALIDATION_FAILED", "", `Unknown argument "firstt" on field "Query.topics".`, `Das Argument "firstt" gibt es beim Feld "Query.topics" nicht.`},
			{"required argument missing", `{ node { id } }`, nil,
				"GRAPHQL_VALIDATION_FAILED", "", `Field "node" argument "id" of type "ID!" is required, but it was not provided.`, `Das Feld "node" verlangt das Argument "id" vom Typ "ID!", es fehlt aber.`},
			{"literal of the wrong type", `{ topics(first: "x") { totalCount } }`, nil,
				"GRAPHQL_VALIDATION_FAILED", "", `Int cannot represent non-integer value: "x"`, `Falscher Typ: Int kann den Wert "x" nicht darstellen.`},
			{"syntax error", `{ topics(first: 1) {`, nil,
				"GRAPHQL_PARSE_FAILED", "", `Expected Name, found <EOF>`, `Syntaxfehler: erwartet wurde Name, gefunden: <EOF>`},
			{"page size", `{ topics { totalCount } }`, nil,
				"BAD_USER_INPUT", "first", "topics needs `first` or `last`", "topics braucht `first` oder `last`"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, lang := range []struct{ header, want string }{
					{"", c.message}, {"de", c.german}, {"de-DE,de;q=0.9,en;q=0.8", c.german},
					{"en-GB, de;q=0.5", c.message}, {"fr", c.message}, {"fr, de;q=0.3", c.german},
				} {
					s := env.WithToken(admin.Token)
					if lang.header != "" {
						s.Header.Set("Accept-Language", lang.header)
					}
					res := s.Post(t, c.query, c.vars)
					if len(res.Errors) == 0 {
						t.Fatalf("no error: %s", res.Data)
					}
					e := res.Errors[0]
					if e.Code() != c.code || e.Field() != c.field || e.Message != lang.want {
						t.Fatalf("Accept-Language %q: want %s %s %q, got %s %s %q", lang.header, c.code, c.field, lang.want, e.Code(), e.Field(), e.Message)
					}
				}
			})
		}
	})
}

// TestTransportErrorsInGerman: the answers before GraphQL runs and the session check speak
// the client's language too; their codes do not change.
func TestTransportErrorsInGerman(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	de := map[string]string{"Accept-Language": "de"}
	big, _ := json.Marshal(map[string]any{"query": "{ viewer { id } }", "variables": map[string]any{"pad": strings.Repeat("x", 2<<20)}})
	cases := []struct {
		name    string
		req     rawRequest
		code    string
		message string
	}{
		{"413", rawRequest{contentType: jsonType, header: de, body: big}, "REQUEST_TOO_LARGE", "der Inhalt der Anfrage ist größer als 1048576 Bytes"},
		{"400", rawRequest{contentType: jsonType, header: de, body: []byte(`{"query": 1}`)}, "BAD_REQUEST", "query: muss eine Zeichenkette sein"},
		{"415", rawRequest{header: de, body: []byte(`{}`)}, "UNSUPPORTED_MEDIA_TYPE", "senden Sie die Anfrage als application/json (UTF-8)"},
		{"405", rawRequest{method: http.MethodPatch, header: de}, "METHOD_NOT_ALLOWED", "hier gibt es nur GET und POST"},
		{"401", rawRequest{contentType: jsonType, header: map[string]string{"Accept-Language": "de", "Authorization": "Bearer gone"}, body: []byte(`{"query":"{ viewer { id } }"}`)},
			"UNAUTHENTICATED", "die Sitzung ist beendet; melden Sie sich erneut an"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := send(t, env.URL, c.req)
			if a.code() != c.code || a.errors[0].Message != c.message {
				t.Fatalf("want %s %q, got %d %s", c.code, c.message, a.status, a.body)
			}
		})
	}
}
