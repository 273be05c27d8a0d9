//go:build ignore

// entc.go generates the ent client and the entgql schema (graph/ent.graphqls) from ent/schema.
package main

import (
	"log"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// filterGuard is the directive on every generated where input: when gqlgen has read one (as an
// argument, in an eager-loaded edge or nested in another filter), graph.FilterGuard lets it
// match only what the viewer may read (server/policy.GuardWhere).
const filterGuard = "filterGuard"

// guardWhereInputs puts @filterGuard on every where input, so that a new type or edge is
// guarded without anyone remembering it.
func guardWhereInputs(_ *gen.Graph, s *ast.Schema) error {
	pos := &ast.Position{Src: &ast.Source{BuiltIn: false}}
	s.Directives[filterGuard] = &ast.DirectiveDefinition{
		Name:        filterGuard,
		Description: "Filters match only what the viewer may read (set on every where input).",
		Locations:   []ast.DirectiveLocation{ast.LocationInputObject},
		Position:    pos,
	}
	for name, def := range s.Types {
		if def.Kind == ast.InputObject && strings.HasSuffix(name, "WhereInput") {
			def.Directives = append(def.Directives, &ast.Directive{Name: filterGuard, Position: pos})
		}
	}
	return nil
}

func main() {
	ext, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("../graph/ent.graphqls"),
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(guardWhereInputs),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	opts := []entc.Option{
		entc.Extensions(ext),
		entc.TemplateFiles("template/schemainfo.tmpl"),
	}
	cfg := &gen.Config{
		Features: []gen.Feature{
			gen.FeatureLock,
			gen.FeatureExecQuery,
			gen.FeatureIntercept,
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureModifier,
			gen.FeatureUpsert,
		},
	}
	if err := entc.Generate("./schema", cfg, opts...); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
