package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zirkel/ent/member"
	"zirkel/server/apitest"
)

// Distinctive secrets that clients send and that must never be logged.
const (
	secretPassword = "Pw-5e1d-Zirkel-Geheim"
	secretToken    = "tok9c07b3ae5f1d2e8aSecret"
	secretBody     = "Vertraulich-Nachricht-4b2e"
	secretEmail    = "geheim.7f3c@secret.example"
)

var secrets = []string{secretPassword, secretToken, secretBody, secretEmail}

// TestNoSecretsInLogs sends passwords, tokens, message texts and e-mail addresses through
// every failing path there is (malformed, oversized and mistyped requests, failed logins,
// refused sessions and websockets, internal errors with the database gone) with the log at
// debug level: none of them may appear in any log line, on either database.
func TestNoSecretsInLogs(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env, log := apitest.StartWithLog(t, backend, nil)
			alice := env.NewMember(t, apitest.Spec{Email: "alice.logs@test.example", PlatformRole: member.PlatformRoleMEMBER})
			for _, req := range failingRequests(alice.Token) {
				t.Run(req.name, func(t *testing.T) {
					res := postRaw(t, env.URL, req)
					if res.StatusCode < 400 && !req.ok200 {
						t.Fatalf("this request must fail, got %d", res.StatusCode)
					}
				})
			}
			// A websocket whose connection_init carries a token that names no session.
			if _, err := env.DialWS(t, apitest.TransportWS, nil, map[string]any{"authorization": "Bearer " + secretToken, "password": secretPassword}); err == nil {
				t.Fatal("a websocket with an unknown token must be refused")
			}
			// Internal errors: the database is gone while secrets arrive.
			_ = env.App.Store.DB.Close()
			for _, req := range failingRequests(alice.Token)[:3] {
				postRaw(t, env.URL, req)
			}
			logged := log.String()
			if !strings.Contains(logged, `"msg":"request"`) {
				t.Fatalf("the log was not captured: %s", logged)
			}
			for _, s := range secrets {
				if strings.Contains(logged, s) {
					t.Errorf("the log contains %q:\n%s", s, logged)
				}
			}
			if strings.Contains(logged, "panic") {
				t.Errorf("a request panicked:\n%s", logged)
			}
		})
	}
}

type failing struct {
	name, method, path, contentType string
	header                          map[string]string
	body                            []byte
	ok200                           bool // answered 200 with errors in the body
}

func failingRequests(token string) []failing {
	login := fmt.Sprintf(`mutation { login(input: {directory: "local", username: %q, password: %q}) { token } }`, secretEmail, secretPassword)
	post := fmt.Sprintf(`mutation { postMessage(input: {discussionID: "dis_00000000000000000000000000", body: %q}) { id } }`, secretBody)
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }
	auth := map[string]string{"Authorization": "Bearer " + token}
	return []failing{
		{name: "failed login", body: js(map[string]any{"query": login}), ok200: true},
		{name: "message into a missing discussion", header: auth, body: js(map[string]any{"query": post}), ok200: true},
		{name: "malformed login body", body: []byte(`{"query": "` + strings.ReplaceAll(login, `"`, `\"`) + `"`)},
		{name: "login body as a batch", body: js([]any{map[string]any{"query": login}})},
		{name: "invalid UTF-8", body: append([]byte(`{"query":"`+strings.ReplaceAll(login, `"`, `\"`)), 0xff, '"', '}')},
		{name: "variables not an object", body: js(map[string]any{"query": login, "variables": secretPassword + secretEmail})},
		{name: "query not a string", body: js(map[string]any{"query": map[string]any{"password": secretPassword, "email": secretEmail}})},
		{name: "password of the wrong type", ok200: true, body: js(map[string]any{
			"query":     `mutation($u: String!, $p: String!) { login(input: {directory: "local", username: $u, password: $p}) { token } }`,
			"variables": map[string]any{"u": secretEmail, "p": map[string]any{"x": secretPassword}}})},
		{name: "message body of the wrong type", header: auth, ok200: true, body: js(map[string]any{
			"query":     `mutation($b: Int!) { postMessage(input: {discussionID: "dis_x", body: $b}) { id } }`,
			"variables": map[string]any{"b": secretBody}})},
		{name: "unknown argument holding a secret", ok200: true, body: js(map[string]any{"query": strings.Replace(login, "password:", "passwort:", 1)})},
		{name: "syntax error in a login", ok200: true, body: js(map[string]any{"query": login[:len(login)-8]})},
		{name: "413", body: js(map[string]any{"query": login, "variables": map[string]any{"pad": strings.Repeat(secretBody, 1<<16)}})},
		{name: "415", contentType: "text/plain", body: []byte(login)},
		{name: "mutation over GET", method: http.MethodGet, path: "/graphql?query=" + url.QueryEscape(login)},
		{name: "unknown bearer token", header: map[string]string{"Authorization": "Bearer " + secretToken}, body: js(map[string]any{"query": login})},
		{name: "cookie without CSRF token", header: map[string]string{"Cookie": "zirkel_session=" + secretToken}, body: js(map[string]any{"query": post})},
		{name: "websocket from a foreign origin", method: http.MethodGet, header: map[string]string{
			"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
			"Origin": "https://" + secretEmail, "Authorization": "Bearer " + secretToken}},
		{name: "websocket without a handshake", method: http.MethodGet, header: map[string]string{"Upgrade": "websocket", "Authorization": "Bearer " + secretToken}},
	}
}

func postRaw(t *testing.T, base string, f failing) *http.Response {
	t.Helper()
	if f.method == "" {
		f.method = http.MethodPost
	}
	if f.path == "" {
		f.path = "/graphql"
	}
	if f.contentType == "" && f.method == http.MethodPost {
		f.contentType = "application/json"
	}
	req, err := http.NewRequest(f.method, base+f.path, bytes.NewReader(f.body))
	if err != nil {
		t.Fatal(err)
	}
	if f.contentType != "" {
		req.Header.Set("Content-Type", f.contentType)
	}
	for k, v := range f.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res
}
