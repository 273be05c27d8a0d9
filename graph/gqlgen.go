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
	if err := os.WriteFile(file, out, 0o644); err != nil {
		log.Fatal(err)
	}
}
