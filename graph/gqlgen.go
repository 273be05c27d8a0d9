//go:build ignore

// gqlgen.go generates the GraphQL executor (graph/generated), the models and the resolver stubs
// with gqlgen, as `gqlgen generate` would, with one difference: fields and list items are
// resolved in order on the request's goroutine instead of one goroutine each.
//
// Every edge a page selects is eager-loaded before the fields are resolved (graph.Prefetch), so
// the field resolvers only read memory; gqlgen's goroutine per list item and per method field
// (about 400 for a page of 50 practices) then cost more than they save: a third of the CPU of a
// page went to starting them, growing their stacks and collecting their garbage. gqlgen's own
// switches are used where it has them: the plugin below sets codegen's DisableConcurrency on
// every object (as gqlgen does for Mutation). For lists it has only worker_limit, which still
// starts a goroutine per item, so the generated calls of graphql.MarshalSliceConcurrently are
// pointed at marshalSliceInOrder (graph/generated/inorder.go), which has the same signature.
//
// Without concurrency no field is ever deferred (@defer is served in place, as before), yet
// every object's marshaller still builds a DeferredGroup, which copies the field's whole path
// (a fifth of a page's allocations): it is replaced by an empty group. The generator stops if
// the generated code ever takes the group's address, i.e. would add to it. For the same reason
// objects write themselves with fieldSet (graph/generated/inorder.go) instead of gqlgen's
// FieldSet, which allocates an iterator, a map and each field's address to do so.
package main

import (
	"bytes"
	"log"
	"os"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

// inOrder is the gqlgen plugin that turns off concurrent field resolution.
type inOrder struct{}

func (inOrder) Name() string { return "inorder" }

func (inOrder) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		o.DisableConcurrency = true
	}
	return nil
}

// leafContext matches the field context of a leaf field read from its entity (no method, no
// resolver); leafField the marshaller of such a field with neither resolver nor directive, up
// to its marshal call.
var (
	leafContext = regexp.MustCompile(`func \(ec \*executionContext\) (fieldContext_\w+)\(_ context\.Context, field graphql\.CollectedField\) \(fc \*graphql\.FieldContext, err error\) \{\n\treturn graphql\.NewScalarFieldContext\("(\w+)", field, false, false, "\w+"\)\n\}`)
	leafField   = regexp.MustCompile(`(func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) \{\n)` +
		`(\treturn graphql\.ResolveField\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
		`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.(fieldContext_\w+)\(ctx, field\)\n\t\t\},\n` +
		`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn (obj\.\w+), nil\n\t\t\},\n` +
		`\t\tnil,\n` +
		`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v ([^)\n]+)\) graphql\.Marshaler \{\n\t\t\treturn (ec\.marshal[^(\s]+)\(ctx, selections, v\)\n)`)
)

// neverNull are the marshallers of leaf values that never give null: the non-null marshal
// functions that wrap them add no error, so the field needs no field context of its own.
var neverNull = regexp.MustCompile(`^\tres := (model\.MarshalString|graphql\.MarshalString|graphql\.MarshalInt|graphql\.MarshalInt64|graphql\.MarshalBoolean)\(v\)$`)

// reportsErrors tells whether the generated marshal function may report an error, which
// names the field's path only inside the field's own context.
func reportsErrors(src []byte, marshal string) bool {
	start := bytes.Index(src, []byte("func (ec *executionContext) "+strings.TrimPrefix(marshal, "ec.")+"("))
	if start < 0 {
		return true
	}
	end := bytes.Index(src[start:], []byte("\n}\n"))
	if end < 0 {
		return true
	}
	body := src[start : start+end]
	if bytes.Contains(body, []byte("WrapContextMarshaler")) || bytes.Contains(body, []byte("AddError")) {
		return true
	}
	if !bytes.Contains(body, []byte("AddInvalidNull")) {
		return false
	}
	for line := range bytes.SplitSeq(body, []byte("\n")) {
		if neverNull.Match(line) {
			return false
		}
	}
	return true
}

// plainLeaves puts in front of every leaf field read from its entity a direct marshal of the
// value, taken when plainField (graph/generated/inorder.go) says no read rule restricts it:
// gqlgen's ResolveField costs a field context, a context, closures and the value boxed twice
// per field, for every row. Lists (whose items get field contexts of their own) and pointers
// marshalled as non-null, and values whose marshal function may report an error (a zero
// Time!, a NaN Float!) keep ResolveField.
func plainLeaves(src []byte) []byte {
	objects := map[string]string{} // field context function: object
	for _, m := range leafContext.FindAllSubmatch(src, -1) {
		objects[string(m[1])] = string(m[2])
	}
	n := 0
	out := leafField.ReplaceAllFunc(src, func(match []byte) []byte {
		m := leafField.FindSubmatch(match)
		object, ok := objects[string(m[3])]
		typ, marshal := string(m[5]), string(m[6])
		if !ok || bytes.HasPrefix(m[5], []byte("[]")) || typ[0] == '*' && !bytes.HasPrefix(m[6], []byte("ec.marshalO")) ||
			reportsErrors(src, marshal) {
			return match
		}
		n++
		return []byte(string(m[1]) + "\tif plainField(\"" + object + "\", field) {\n\t\treturn " + marshal + "(ctx, field.Selections, " + string(m[4]) + ")\n\t}\n" + string(m[2]))
	})
	if n == 0 {
		log.Fatal("no leaf field matched: gqlgen's generated code changed, update plainLeaves")
	}
	return out
}

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		log.Fatalf("loading gqlgen.yml: %v", err)
	}
	if err := api.Generate(cfg, api.AddPlugin(inOrder{})); err != nil {
		log.Fatalf("generating: %v", err)
	}
	file := cfg.Exec.Filename
	src, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	out := bytes.ReplaceAll(src, []byte("graphql.MarshalSliceConcurrently("), []byte("marshalSliceInOrder("))
	if bytes.Contains(out, []byte("&deferred")) {
		log.Fatal("generated code defers fields: keep graphql.NewDeferredGroup")
	}
	out = bytes.ReplaceAll(out, []byte("deferred := graphql.NewDeferredGroup(ctx)"), []byte("var deferred graphql.DeferredGroup"))
	out = bytes.ReplaceAll(out, []byte("out := graphql.NewFieldSet(fields)"), []byte("out := newFieldSet(fields)"))
	out = plainLeaves(out)
	if err := os.WriteFile(file, out, 0o644); err != nil {
		log.Fatal(err)
	}
}
