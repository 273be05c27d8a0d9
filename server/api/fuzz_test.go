package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"zirkel/server/apitest"
)

// FuzzGraphQLHandler sends random methods, content types, Accept and Accept-Language headers,
// Upgrade headers, URL query strings and raw bodies through the whole handler (on SQLite, as
// an anonymous client). Whatever arrives: never a 5xx, never an internal error, every answer
// other than 200 is JSON with errors that carry extensions.code, and nothing panics.
func FuzzGraphQLHandler(f *testing.F) {
	env, log := apitest.StartWithLog(f, "sqlite", nil)
	post := func(ct, body string) { f.Add("POST", ct, "", "", "", "", []byte(body)) }
	post("application/json", `{"query":"{ __typename }"}`)
	post("application/json", `{"query":"query Q($n: Int) { topics(first: $n) { totalCount } }","variables":{"n":5},"operationName":"Q"}`)
	post("application/json", `{"query":"{ __typename }"`)
	post("application/json", ``)
	post("application/json", `null`)
	post("application/json", `[{"query":"{ __typename }"}]`)
	post("application/json", `{"query":1}`)
	post("application/json", `{"query":"{ __typename }","variables":"x"}`)
	post("application/json", `{"query":"{ __typename }","variables":[1]}`)
	post("application/json", `{"query":"{ __typename }","operationName":{}}`)
	post("application/json", `{"query":"{ __typename }","extensions":false}`)
	post("application/json", "{\"query\":\"{ __typename }\xff\"}")
	post("application/json", `{"query":"{"}`)
	post("application/json", `{"query":"{ topicz(first: 1) { totalCount } }"}`)
	post("application/json", `{"query":"{ events(first: 1, where: {startsAtGT: \"x\"}) { totalCount } }"}`)
	post("application/json", `{"query":"mutation { login(input: {directory: \"local\", username: \"a@b.c\", password: \"x\"}) { token } }"}`)
	post("application/json", `{"query":"subscription { discussionActivity { kind } }"}`)
	post("application/json; charset=latin1", `{"query":"{ __typename }"}`)
	post("text/plain", `{"query":"{ __typename }"}`)
	post("", `{"query":"{ __typename }"}`)
	f.Add("GET", "", "application/graphql-response+json", "de", "", "query=%7B__typename%7D", []byte{})
	f.Add("GET", "", "", "", "", "query=mutation%7Blogout%7D", []byte{})
	f.Add("GET", "", "", "", "", "query=%zz", []byte{})
	f.Add("GET", "", "", "", "websocket", "", []byte{})
	f.Add("POST", "application/json", "text/html", "fr;q=0.1, de", "", "", []byte(`{"query":"{ __typename }"}`))
	f.Add("PUT", "application/json", "*/*", "", "", "", []byte(`{"query":"{ __typename }"}`))
	f.Add("OPTIONS", "", "", "", "", "", []byte{})
	f.Add("POST", "application/json", "", "", "h2c", "", []byte(`{"query":"{ __typename }"}`))

	f.Fuzz(func(t *testing.T, method, contentType, accept, language, upgrade, rawQuery string, body []byte) {
		req, err := http.NewRequest(method, env.URL+"/graphql?"+rawQuery, bytes.NewReader(body))
		if err != nil {
			return // not a request a client can send
		}
		for k, v := range map[string]string{"Content-Type": contentType, "Accept": accept, "Accept-Language": language, "Upgrade": upgrade} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		before := log.Len()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return // refused by the client (an invalid header or method)
		}
		defer res.Body.Close()
		if res.StatusCode == http.StatusSwitchingProtocols {
			return // a real websocket; its protocol is fuzzed elsewhere
		}
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			t.Fatalf("%s %q: %d %s", method, body, res.StatusCode, raw)
		}
		if logged := log.Since(before); strings.Contains(logged, "panic") || strings.Contains(logged, `"level":"ERROR"`) {
			t.Fatalf("%s %q logged an error: %s", method, body, logged)
		}
		if bytes.Contains(raw, []byte("INTERNAL_SERVER_ERROR")) {
			t.Fatalf("%s %q: an internal error: %s", method, body, raw)
		}
		if method == http.MethodHead {
			return // no body
		}
		var out struct {
			Errors []apitest.Error `json:"errors"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %q: %d answered with no JSON: %q", method, body, res.StatusCode, raw)
		}
		if res.StatusCode == http.StatusOK {
			return
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/") || len(out.Errors) == 0 {
			t.Fatalf("%s %q: %d without a JSON error: %s %q", method, body, res.StatusCode, res.Header.Get("Content-Type"), raw)
		}
		for _, e := range out.Errors {
			if e.Code() == "" {
				t.Fatalf("%s %q: an error without a code: %s", method, body, raw)
			}
		}
	})
}
