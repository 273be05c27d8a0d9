package demo_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
	"zirkel/server/auth"
	"zirkel/server/config"
	"zirkel/server/demo"
)

// readmeBlock is one fenced block of README.md.
type readmeBlock struct {
	lang, text string
	line       int
}

// readmeBlocks reads the fenced code blocks of the project's README.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var (
		blocks []readmeBlock
		cur    *readmeBlock
		body   []string
	)
	for i, line := range strings.Split(string(raw), "\n") {
		fence, isFence := strings.CutPrefix(strings.TrimSpace(line), "```")
		switch {
		case isFence && cur == nil:
			cur, body = &readmeBlock{lang: fence, line: i + 1}, nil
		case isFence:
			cur.text = strings.Join(body, "\n")
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
	}
	return blocks
}

// splitOperations cuts a GraphQL block into its top-level operations (with the comments
// before each), following braces outside strings and comments.
func splitOperations(block string) []string {
	var (
		ops          []string
		start, depth int
		inString     bool
		inComment    bool
	)
	for i := 0; i < len(block); i++ {
		c := block[i]
		switch {
		case inComment:
			inComment = c != '\n'
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '#':
			inComment = true
		case c == '"':
			inString = true
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				ops = append(ops, strings.TrimSpace(block[start:i+1]))
				start = i + 1
			}
		}
	}
	return ops
}

var (
	placeholder   = regexp.MustCompile(`"([a-z]{3})_…"`)
	globalID      = regexp.MustCompile(`^([a-z]{3})_[0-9a-z]{26}$`)
	variableNames = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)\s*:`)
)

// readmeRun runs the README's examples against one demo server, in order, as its admin.
type readmeRun struct {
	env      *apitest.Env
	admin    *apitest.Session
	password string
	ids      map[string]string // type prefix → the id "prefix_…" stands for
	vars     map[string]any    // variable name → value
}

func newReadmeRun(t *testing.T, backend string) *readmeRun {
	const password = "Readme-Demo-Passwort-1"
	env := apitest.Start(t, backend, func(c *config.Config) {
		c.Demo, c.DemoPassword, c.Introspection = true, password, true
	})
	admin := env.Login(t, auth.LocalDirectory, demo.AdminEmail, password)
	var seed struct {
		Viewer    struct{ Organisation struct{ ID string } }
		Practices struct {
			Edges []struct {
				Node struct {
					Topics struct {
						Edges []struct{ Node struct{ ID, Slug string } }
					}
				}
			}
		}
		Discussions struct {
			Edges []struct {
				Node struct {
					ID       string
					Messages struct {
						Edges []struct{ Node struct{ ID string } }
					}
				}
			}
		}
	}
	admin.MustPost(t, `{ viewer { organisation { id } }
		practices(first: 1, where: {status: PUBLISHED, hasTopics: true}) { edges { node { topics(first: 1) { edges { node { id slug } } } } } }
		discussions(first: 1, where: {status: OPEN, hasMessages: true}) { edges { node { id messages(first: 1) { edges { node { id } } } } } } }`, nil, &seed)
	if len(seed.Practices.Edges) == 0 || len(seed.Discussions.Edges) == 0 || len(seed.Discussions.Edges[0].Node.Messages.Edges) == 0 {
		t.Fatalf("the demo lacks a published practice with topics or a discussion with messages: %+v", seed)
	}
	topic, discussion := seed.Practices.Edges[0].Node.Topics.Edges[0].Node, seed.Discussions.Edges[0].Node
	return &readmeRun{
		env: env, admin: admin, password: password,
		ids: map[string]string{
			"org": seed.Viewer.Organisation.ID, "top": topic.ID, "dis": discussion.ID,
			"msg": discussion.Messages.Edges[0].Node.ID,
		},
		vars: map[string]any{"slug": topic.Slug, "d": discussion.ID, "t": topic.ID, "after": 0},
	}
}

// prepare puts demo ids in for the placeholders and collects the variables used.
func (r *readmeRun) prepare(t *testing.T, op string) (string, map[string]any) {
	t.Helper()
	op = placeholder.ReplaceAllStringFunc(op, func(p string) string {
		prefix := placeholder.FindStringSubmatch(p)[1]
		id, ok := r.ids[prefix]
		if !ok {
			t.Fatalf("no demo object stands for %s in:\n%s", p, op)
		}
		return `"` + id + `"`
	})
	op = strings.ReplaceAll(op, `password: "…"`, fmt.Sprintf("password: %q", r.password))
	vars := map[string]any{}
	for _, m := range variableNames.FindAllStringSubmatch(op, -1) {
		v, ok := r.vars[m[1]]
		if !ok {
			t.Fatalf("no demo value for variable $%s in:\n%s", m[1], op)
		}
		vars[m[1]] = v
	}
	return op, vars
}

// remember takes the ids a mutation returned as what later placeholders of their type stand for.
func (r *readmeRun) remember(data json.RawMessage) {
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			if m := globalID.FindStringSubmatch(v); m != nil {
				r.ids[m[1]] = v
			}
		}
	}
	var decoded any
	if json.Unmarshal(data, &decoded) == nil {
		walk(decoded)
	}
}

// subscribe starts a subscription and proves the server accepted it: a ping sent after it is
// answered before any error (the server validates a subscribe before reading the next message).
func (r *readmeRun) subscribe(t *testing.T, op string, vars map[string]any) {
	t.Helper()
	ws := r.admin.DialWS(t, apitest.TransportWS)
	defer ws.Close()
	if err := ws.Subscribe("1", op, vars); err != nil {
		t.Fatal(err)
	}
	if err := ws.Conn().WriteJSON(map[string]string{"type": "ping"}); err != nil {
		t.Fatal(err)
	}
	for {
		_ = ws.Conn().SetReadDeadline(time.Now().Add(10 * time.Second))
		var m apitest.WSMessage
		if err := ws.Conn().ReadJSON(&m); err != nil {
			t.Fatalf("subscription %s: %v", op, err)
		}
		switch m.Type {
		case "pong":
			return
		case "error":
			t.Fatalf("subscription refused: %s\n%s", m.Payload, op)
		}
	}
}

// TestReadmeExamples runs every GraphQL example of README.md against the demo community, in
// order, as the demo admin: each must succeed, and a GraphQL block followed by a JSON block must
// answer exactly that JSON (message, path, extensions and data).
func TestReadmeExamples(t *testing.T) {
	blocks := readmeBlocks(t)
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			runReadmeExamples(t, newReadmeRun(t, backend), blocks)
		})
	}
}

// runReadmeExamples runs the GraphQL blocks in order; a block followed by a JSON block must
// answer that JSON, every other one must succeed.
func runReadmeExamples(t *testing.T, r *readmeRun, blocks []readmeBlock) {
	ran := 0
	for i, b := range blocks {
		if b.lang != "graphql" {
			continue
		}
		var expected *readmeBlock
		if i+1 < len(blocks) && blocks[i+1].lang == "json" {
			expected = &blocks[i+1]
		}
		for _, op := range splitOperations(b.text) {
			ran++
			query, vars := r.prepare(t, op)
			if strings.HasPrefix(strings.TrimSpace(stripComments(query)), "subscription") {
				r.subscribe(t, query, vars)
				continue
			}
			res := r.admin.Post(t, query, vars)
			switch {
			case expected != nil:
				compareWithReadme(t, b.line, expected.text, res)
			case len(res.Errors) > 0:
				t.Errorf("README.md:%d: the example fails: %+v\n%s", b.line, res.Errors, query)
			default:
				r.remember(res.Data)
			}
		}
	}
	if ran < 10 {
		t.Fatalf("found only %d GraphQL examples in README.md", ran)
	}
}

func stripComments(q string) string {
	var out []string
	for _, line := range strings.Split(q, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// compareWithReadme checks an answer against the JSON the README shows for it.
func compareWithReadme(t *testing.T, line int, want string, res apitest.Response) {
	t.Helper()
	var shown, got struct {
		Errors []apitest.Error  `json:"errors"`
		Data   *json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(want), &shown); err != nil {
		t.Fatalf("README.md:%d: the JSON example does not parse: %v", line, err)
	}
	got.Errors = res.Errors
	if len(res.Data) > 0 && !bytes.Equal(res.Data, []byte("null")) {
		raw := json.RawMessage(res.Data)
		got.Data = &raw
	}
	if !reflect.DeepEqual(normalise(shown.Errors), normalise(got.Errors)) || (shown.Data == nil) != (got.Data == nil) {
		t.Errorf("README.md:%d shows\n%s\nbut the server answers errors %+v, data %s", line, want, res.Errors, res.Data)
	}
}

// normalise makes decoded errors comparable (JSON numbers and slices of any).
func normalise(errs []apitest.Error) string {
	b, _ := json.Marshal(errs)
	return string(b)
}
