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

// rawRequest is one HTTP request as a client may send it, broken or not.
type rawRequest struct {
	method, path, contentType string
	header                    map[string]string
	body                      []byte
}

// rawAnswer is what came back.
type rawAnswer struct {
	status int
	header http.Header
	body   []byte
	errors []apitest.Error
	hasKey map[string]bool // top-level keys of the JSON body
}

func (a rawAnswer) code() string {
	if len(a.errors) == 0 {
		return ""
	}
	return a.errors[0].Code()
}

func send(t testing.TB, url string, req rawRequest) rawAnswer {
	t.Helper()
	if req.method == "" {
		req.method = http.MethodPost
	}
	if req.path == "" {
		req.path = "/graphql"
	}
	r, err := http.NewRequest(req.method, url+req.path, bytes.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	if req.contentType != "" {
		r.Header.Set("Content-Type", req.contentType)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	out := rawAnswer{status: res.StatusCode, header: res.Header, body: body, hasKey: map[string]bool{}}
	var decoded struct {
		Errors []apitest.Error `json:"errors"`
	}
	_ = json.Unmarshal(body, &decoded)
	out.errors = decoded.Errors
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(body, &keys)
	for k := range keys {
		out.hasKey[k] = true
	}
	return out
}

const jsonType = "application/json"

// TestMalformedRequestsAnswer4xxWithACode sends what is not a GraphQL request: each gets a
// 4xx with a JSON error and a client code, and nothing panics or is logged as an error.
func TestMalformedRequestsAnswer4xxWithACode(t *testing.T) {
	env, log := apitest.StartWithLog(t, "sqlite", nil)
	big := []byte(`{"query":"{ viewer { id } }","variables":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`)
	cases := []struct {
		name   string
		req    rawRequest
		status int
		code   string
		field  string
	}{
		{"body over the limit", rawRequest{contentType: jsonType, body: big}, 413, "REQUEST_TOO_LARGE", ""},
		{"malformed JSON", rawRequest{contentType: jsonType, body: []byte(`{"query": "{ viewer { id } }"`)}, 400, "BAD_REQUEST", ""},
		{"empty body", rawRequest{contentType: jsonType}, 400, "BAD_REQUEST", ""},
		{"JSON null", rawRequest{contentType: jsonType, body: []byte(`null`)}, 400, "BAD_REQUEST", ""},
		{"JSON string", rawRequest{contentType: jsonType, body: []byte(`"{ viewer { id } }"`)}, 400, "BAD_REQUEST", ""},
		{"two objects", rawRequest{contentType: jsonType, body: []byte(`{"query":"{ viewer { id } }"} {}`)}, 400, "BAD_REQUEST", ""},
		{"batch (JSON array)", rawRequest{contentType: jsonType, body: []byte(`[{"query":"{ viewer { id } }"}]`)}, 400, "BATCHING_NOT_SUPPORTED", ""},
		{"query a number", rawRequest{contentType: jsonType, body: []byte(`{"query": 1}`)}, 400, "BAD_REQUEST", "query"},
		{"query an object", rawRequest{contentType: jsonType, body: []byte(`{"query": {"a": 1}}`)}, 400, "BAD_REQUEST", "query"},
		{"query missing", rawRequest{contentType: jsonType, body: []byte(`{"qeury": "{ viewer { id } }"}`)}, 400, "BAD_REQUEST", "query"},
		{"variables a string", rawRequest{contentType: jsonType, body: []byte(`{"query":"{ viewer { id } }","variables":"{}"}`)}, 400, "BAD_REQUEST", "variables"},
		{"variables an array", rawRequest{contentType: jsonType, body: []byte(`{"query":"{ viewer { id } }","variables":[1]}`)}, 400, "BAD_REQUEST", "variables"},
		{"operationName a number", rawRequest{contentType: jsonType, body: []byte(`{"query":"{ viewer { id } }","operationName":3}`)}, 400, "BAD_REQUEST", "operationName"},
		{"extensions a string", rawRequest{contentType: jsonType, body: []byte(`{"query":"{ viewer { id } }","extensions":"x"}`)}, 400, "BAD_REQUEST", "extensions"},
		{"invalid UTF-8", rawRequest{contentType: jsonType, body: []byte("{\"query\":\"{ viewer { id } }\xff\xfe\"}")}, 400, "BAD_REQUEST", ""},
		{"GET without query", rawRequest{method: http.MethodGet}, 400, "BAD_REQUEST", "query"},
		{"GET with variables not an object", rawRequest{method: http.MethodGet, path: "/graphql?query=%7Bviewer%7Bid%7D%7D&variables=%5B1%5D"}, 400, "BAD_REQUEST", "variables"},
		{"GET with junk after the variables object", rawRequest{method: http.MethodGet, path: "/graphql?query=%7Bviewer%7Bid%7D%7D&variables=%7B%7Dxyz"}, 400, "BAD_REQUEST", "variables"},
		{"GET with a broken query string", rawRequest{method: http.MethodGet, path: "/graphql?query=%zz"}, 400, "BAD_REQUEST", ""},
		{"GET with invalid UTF-8", rawRequest{method: http.MethodGet, path: "/graphql?query=%7B%FF%7D"}, 400, "BAD_REQUEST", ""},
		{"GET with a mutation", rawRequest{method: http.MethodGet, path: "/graphql?query=mutation%7Blogout%7D"}, 405, "METHOD_NOT_ALLOWED", ""},
		{"subscription over HTTP", rawRequest{contentType: jsonType, body: []byte(`{"query":"subscription { discussionActivity { kind } }"}`)}, 400, "TRANSPORT_NOT_SUPPORTED", ""},
		{"PUT", rawRequest{method: http.MethodPut, contentType: jsonType, body: []byte(`{"query":"{ viewer { id } }"}`)}, 405, "METHOD_NOT_ALLOWED", ""},
		{"DELETE", rawRequest{method: http.MethodDelete}, 405, "METHOD_NOT_ALLOWED", ""},
		{"plain OPTIONS", rawRequest{method: http.MethodOptions}, 405, "METHOD_NOT_ALLOWED", ""},
		{"no content type", rawRequest{body: []byte(`{"query":"{ viewer { id } }"}`)}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"form post", rawRequest{contentType: "application/x-www-form-urlencoded", body: []byte("query=%7Bviewer%7Bid%7D%7D")}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"JSON in Latin-1", rawRequest{contentType: "application/json; charset=iso-8859-1", body: []byte(`{"query":"{ viewer { id } }"}`)}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"nothing acceptable", rawRequest{contentType: jsonType, header: map[string]string{"Accept": "text/html"}, body: []byte(`{"query":"{ viewer { id } }"}`)}, 406, "NOT_ACCEPTABLE", ""},
		{"JSON refused with q=0", rawRequest{contentType: jsonType, header: map[string]string{"Accept": "application/json;q=0, text/html"}, body: []byte(`{"query":"{ viewer { id } }"}`)}, 406, "NOT_ACCEPTABLE", ""},
		{"headers over the limit", rawRequest{contentType: jsonType, header: map[string]string{"X-Padding": strings.Repeat("p", 100<<10)}, body: []byte(`{"query":"{ viewer { id } }"}`)}, 431, "REQUEST_HEADERS_TOO_LARGE", ""},
		{"websocket upgrade without a handshake", rawRequest{method: http.MethodGet, header: map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"}}, 400, "BAD_REQUEST", ""},
		{"websocket upgrade from a foreign origin", rawRequest{method: http.MethodGet, header: map[string]string{
			"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
			"Sec-WebSocket-Protocol": "graphql-transport-ws", "Origin": "https://evil.example"}}, 403, "FORBIDDEN", ""},
		{"websocket upgrade by POST", rawRequest{header: map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"}}, 405, "METHOD_NOT_ALLOWED", ""},
		{"unknown session token", rawRequest{contentType: jsonType, header: map[string]string{"Authorization": "Bearer not-a-session"}, body: []byte(`{"query":"{ viewer { id } }"}`)}, 401, "UNAUTHENTICATED", ""},
		{"CORS preflight from a foreign origin", rawRequest{method: http.MethodOptions, header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}}, 403, "FORBIDDEN", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := send(t, env.URL, c.req)
			if a.status != c.status || a.code() != c.code || (c.field != "" && a.errors[0].Field() != c.field) {
				t.Fatalf("want %d %s %s, got %d %s", c.status, c.code, c.field, a.status, a.body)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("an error answer must be JSON, got %q", ct)
			}
			if a.hasKey["data"] {
				t.Fatalf("a request that was never executed has no data entry: %s", a.body)
			}
		})
	}
	if strings.Contains(log.String(), "panic") || strings.Contains(log.String(), `"level":"ERROR"`) {
		t.Fatalf("malformed requests are the client's errors, not ours: %s", log.String())
	}
}

// TestResponseTypesAndStatusCodes follows the GraphQL-over-HTTP specification: the media type
// the client prefers; a request that fails before execution has no data entry and, in
// application/graphql-response+json, status 400; one that ran answers 200 with data.
func TestResponseTypesAndStatusCodes(t *testing.T) {
	env := apitest.Start(t, "sqlite", nil)
	body := func(q string) []byte { b, _ := json.Marshal(map[string]string{"query": q}); return b }
	cases := []struct {
		name, accept, query string
		status              int
		media               string
		data                bool
	}{
		{"success, default type", "", `{ __typename }`, 200, "application/json", true},
		{"success, graphql-response", "application/graphql-response+json", `{ __typename }`, 200, "application/graphql-response+json", true},
		{"preferred by q", "application/json;q=0.5, application/graphql-response+json", `{ __typename }`, 200, "application/graphql-response+json", true},
		{"parse failure as JSON", "application/json", `{`, 200, "application/json", false},
		{"parse failure as graphql-response", "application/graphql-response+json", `{`, 400, "application/graphql-response+json", false},
		{"validation failure as graphql-response", "application/graphql-response+json", `{ nope }`, 400, "application/graphql-response+json", false},
		{"field error keeps data", "application/graphql-response+json", `{ node(id: "org_nope") { id } }`, 200, "application/graphql-response+json", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := send(t, env.URL, rawRequest{contentType: jsonType, header: map[string]string{"Accept": c.accept}, body: body(c.query)})
			if a.status != c.status || !strings.HasPrefix(a.header.Get("Content-Type"), c.media) || a.hasKey["data"] != c.data {
				t.Fatalf("want %d %s data=%v, got %d %s %s", c.status, c.media, c.data, a.status, a.header.Get("Content-Type"), a.body)
			}
			for _, e := range a.errors {
				if e.Code() == "" {
					t.Fatalf("an error without a code: %s", a.body)
				}
			}
		})
	}
}
