package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"zirkel/server/apperr"
)

// shapeLimits refuses operations that are too deep, use too many aliases, or list without a
// bounded page size, before anything is resolved.
type shapeLimits struct {
	maxDepth, maxAliases, maxPage int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimits{}

// ExtensionName implements graphql.HandlerExtension.
func (shapeLimits) ExtensionName() string { return "ShapeLimits" }

// Validate implements graphql.HandlerExtension.
func (shapeLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (s shapeLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := walker{limits: s, vars: oc.Variables, introspection: !oc.DisableIntrospection}
	w.walk(oc.Operation.SelectionSet, 1)
	return w.err
}

type walker struct {
	limits        shapeLimits
	vars          map[string]any
	introspection bool
	aliases       int
	err           *gqlerror.Error
}

func (w *walker) fail(code, field, format string, args ...any) {
	if w.err != nil {
		return
	}
	w.err = gqlerror.Errorf(format, args...)
	w.err.Extensions = map[string]any{"code": code}
	if field != "" {
		w.err.Extensions["field"] = field
	}
}

// walk visits a selection set at the given depth; fragments add no depth of their own.
func (w *walker) walk(set ast.SelectionSet, depth int) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			w.field(s, depth)
		case *ast.InlineFragment:
			w.walk(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				w.walk(s.Definition.SelectionSet, depth)
			}
		}
	}
}

func (w *walker) field(f *ast.Field, depth int) {
	if f.Name == "__schema" || f.Name == "__type" {
		if !w.introspection {
			w.fail("GRAPHQL_VALIDATION_FAILED", "", "introspection is disabled")
		}
		return // introspection is switched on or off as a whole, not limited here
	}
	if depth > w.limits.maxDepth {
		w.fail("QUERY_TOO_DEEP", "", "the query is nested deeper than %d levels", w.limits.maxDepth)
		return
	}
	if f.Alias != "" && f.Alias != f.Name {
		w.aliases++
		if w.aliases > w.limits.maxAliases {
			w.fail("TOO_MANY_ALIASES", "", "the query uses more than %d aliases", w.limits.maxAliases)
			return
		}
	}
	if f.Definition != nil && f.Definition.Arguments.ForName("first") != nil && f.Definition.Arguments.ForName("last") != nil {
		w.checkPage(f)
	}
	w.walk(f.SelectionSet, depth+1)
}

// checkPage requires `first` or `last` on every connection, at most the page size cap.
func (w *walker) checkPage(f *ast.Field) {
	args := f.ArgumentMap(w.vars)
	first, hasFirst := intArg(args["first"])
	last, hasLast := intArg(args["last"])
	switch {
	case !hasFirst && !hasLast:
		w.fail(apperr.CodeBadUserInput, "first", "%s needs `first` or `last`", f.Name)
	case hasFirst && (first < 0 || first > w.limits.maxPage):
		w.fail(apperr.CodeBadUserInput, "first", "%s: `first` must be between 0 and %d", f.Name, w.limits.maxPage)
	case hasLast && (last < 0 || last > w.limits.maxPage):
		w.fail(apperr.CodeBadUserInput, "last", "%s: `last` must be between 0 and %d", f.Name, w.limits.maxPage)
	}
}

// intArg reads an integer argument as it comes from a literal or a JSON variable.
func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return clampInt(float64(n)), true
	case float64:
		return clampInt(n), true
	case json.Number:
		f, err := n.Float64()
		return clampInt(f), err == nil
	case string: // literals may arrive unparsed
		var f float64
		_, err := fmt.Sscan(n, &f)
		return clampInt(f), err == nil
	}
	return 0, false
}

func clampInt(f float64) int {
	if f > math.MaxInt32 {
		return math.MaxInt32
	}
	if f < math.MinInt32 {
		return math.MinInt32
	}
	return int(f)
}

// pagedComplexity weighs a list by the page size it asks for: a connection of `first: 50`
// whose nodes cost 10 costs 500, so nested pages multiply as the SQL work does.
type pagedComplexity struct{ graphql.ExecutableSchema }

// Complexity implements graphql.ExecutableSchema.
func (p pagedComplexity) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	size := 0
	if n, ok := intArg(args["first"]); ok && n > size {
		size = n
	}
	if n, ok := intArg(args["last"]); ok && n > size {
		size = n
	}
	if ids, ok := args["ids"].([]any); ok {
		size = len(ids)
	}
	if size > 0 {
		return saturatingMul(size, 1+child), true
	}
	return p.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

func saturatingMul(a, b int) int {
	if a != 0 && b > math.MaxInt32/a {
		return math.MaxInt32
	}
	return a * b
}
