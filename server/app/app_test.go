package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/config"
)

func TestHealthAndReadiness(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	res, err := http.Get(env.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("GraphiQL must be off unless enabled, got %d", res.StatusCode)
	}
	_ = env.App.Store.DB.Close()
	res, err = http.Get(env.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database: %d", res.StatusCode)
	}
}

func TestGraphiQLAndIntrospectionWhenEnabled(t *testing.T) {
	env := apitest.Start(t, "sqlite", func(c *config.Config) { c.GraphiQL, c.Introspection = true, true })
	res, err := http.Get(env.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GraphiQL: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := env.Post(t, `{ __schema { queryType { name } } }`, nil)
	if len(out.Errors) > 0 || !strings.Contains(string(out.Data), "Query") {
		t.Fatalf("introspection: %+v %s", out.Errors, out.Data)
	}
}

func TestEndpointLimits(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	deep := `{ topics(first: 1) { edges { node { ...T } } } }
		fragment T on Topic { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { slug } } } } } } } } } } } } }`
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 31 {
		aliases.WriteString(" a" + string(rune('a'+i%26)) + strings.Repeat("x", i) + `: viewer { id }`)
	}
	aliases.WriteString("}")
	complex := `{ organisations(first: 100) { edges { node { members(first: 100) { edges { node { practices(first: 100) { edges { node { title } } } } } } } } } }`
	cases := []struct {
		name, query, code string
	}{
		{"depth through fragments", deep, "QUERY_TOO_DEEP"},
		{"too many aliases", aliases.String(), "TOO_MANY_ALIASES"},
		{"complexity multiplies page sizes", complex, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"introspection off by default", `{ __schema { types { name } } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"token limit", "{" + strings.Repeat(" viewer { id }", 3000) + "}", "GRAPHQL_PARSE_FAILED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := env.Post(t, c.query, nil)
			if len(res.Errors) == 0 || res.Errors[0].Code() != c.code {
				t.Fatalf("want %s, got %+v", c.code, res.Errors)
			}
		})
	}

	t.Run("no field suggestions", func(t *testing.T) {
		res := env.Post(t, `{ topicz(first: 1) { totalCount } }`, nil)
		if len(res.Errors) == 0 || strings.Contains(res.Errors[0].Message, "Did you mean") {
			t.Fatalf("got %+v", res.Errors)
		}
	})
	t.Run("GET runs queries but not mutations", func(t *testing.T) {
		q := url.QueryEscape(`{ topics(first: 1) { totalCount } }`)
		if res := env.Send(t, http.MethodGet, "/graphql?query="+q, "", nil); len(res.Errors) > 0 || res.Status != 200 {
			t.Fatalf("GET query: %d %+v", res.Status, res.Errors)
		}
		// As an admin, who may create topics: only the transport can refuse it.
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		m := url.QueryEscape(`mutation { createTopic(input: {slug: "x", name: "X"}) { id } }`)
		if res := admin.Send(t, http.MethodGet, "/graphql?query="+m, "", nil); len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "GET") {
			t.Fatalf("a mutation over GET must be refused: %+v", res.Errors)
		}
	})
	t.Run("body size cap", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": "{ viewer { id } }", "variables": map[string]any{"pad": strings.Repeat("x", 2<<20)}})
		res := env.Send(t, http.MethodPost, "/graphql", "application/json", body)
		if res.Status < 400 {
			t.Fatalf("a 2 MiB body must be refused, got %d", res.Status)
		}
	})
	t.Run("other transports refused", func(t *testing.T) {
		res := env.Send(t, http.MethodPost, "/graphql", "application/x-www-form-urlencoded", []byte("query=%7Bviewer%7Bid%7D%7D"))
		if res.Status < 400 {
			t.Fatalf("form posts must be refused, got %d", res.Status)
		}
		if res := env.Send(t, http.MethodPut, "/graphql", "application/json", []byte(`{"query":"{viewer{id}}"}`)); res.Status != http.StatusMethodNotAllowed {
			t.Fatalf("PUT: %d", res.Status)
		}
	})
}
