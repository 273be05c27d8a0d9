package render

import (
	"reflect"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

const testSchema = `
type Query { ok: Boolean }
type Subscription { added(room: ID!, after: Int): Event! }
type Event { cursor: Int! message: Message }
type Message { id: ID! body: String! secret: String author: Person! }
type Person { name: String! email: String }
`

var testShape = Shape{
	"cursor":  nil,
	"message": {"id": nil, "body": nil, "author": {"name": nil, "email": nil}},
}

// rootSelection parses and validates a subscription and returns its field's selection.
func rootSelection(t *testing.T, query string) ast.SelectionSet {
	t.Helper()
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSchema})
	doc, errs := gqlparser.LoadQuery(schema, query)
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	return doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
}

func TestFits(t *testing.T) {
	vars := map[string]any{"r": "raum", "a": 3, "withAuthor": true, "n": "x"}
	for _, tc := range []struct {
		query string
		fits  bool
		used  map[string]any
	}{
		{`subscription($r: ID!, $a: Int) { added(room: $r, after: $a) { cursor message { id body } } }`, true, map[string]any{}},
		{`subscription { added(room: "x") { __typename cursor message { __typename author { name email } } } }`, true, map[string]any{}},
		{`subscription { added(room: "x") { message { secret } } }`, false, nil},
		{`subscription { added(room: "x") { ...F } } fragment F on Event { cursor message { body } }`, true, map[string]any{}},
		{`subscription { added(room: "x") { ...F } } fragment F on Event { message { secret } }`, false, nil},
		{`subscription { added(room: "x") { ... on Event { message { author { name } } } } }`, true, map[string]any{}},
		{`subscription($withAuthor: Boolean!) { added(room: "x") { message { body author @include(if: $withAuthor) { name } } } }`,
			true, map[string]any{"withAuthor": true}},
	} {
		used := map[string]any{}
		got := fits(rootSelection(t, tc.query), testShape, vars, used)
		if got != tc.fits {
			t.Errorf("%s: fits %v, want %v", tc.query, got, tc.fits)
			continue
		}
		if got && !reflect.DeepEqual(used, tc.used) {
			t.Errorf("%s: used %v, want %v", tc.query, used, tc.used)
		}
	}
}

func TestClaimOncePerKey(t *testing.T) {
	var r Renders
	a, first := r.claim("a")
	if !first {
		t.Fatal("the first claim must make the rendering")
	}
	if again, first := r.claim("a"); first || again != a {
		t.Fatal("a second claim of the same key must wait for the first")
	}
	if _, first := r.claim("b"); !first {
		t.Fatal("another key gets its own rendering")
	}
}
