package generated

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"

	"zirkel/server/policy"
)

// marshalSliceInOrder marshals a list's items one after another on the caller's goroutine; it
// replaces graphql.MarshalSliceConcurrently in the generated code (see graph/gqlgen.go) and
// keeps its contract: each item gets its own field context with its index, and a panic in one
// item becomes an error and a null for that item, unless the panic handler is omitted.
func marshalSliceInOrder(ctx context.Context, length int, _ int64, omitPanicHandler bool, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					ret[i] = graphql.Null
				}
			}()
			ret[i] = marshalElement(childCtx, i)
		}()
	}
	return ret
}

// fieldSet replaces graphql.FieldSet in the generated object marshallers (see graph/gqlgen.go):
// with fields resolved in order nothing is dispatched later, and gqlgen's FieldSet writes
// itself through an iterator that allocates a map, a closure and every field's address per
// object. The generated code uses only Values, Invalids and Dispatch.
type fieldSet struct {
	fields   []graphql.CollectedField
	Values   []graphql.Marshaler
	Invalids uint32
	small    [6]graphql.Marshaler // Values of an object with few fields, in the same allocation
}

// newFieldSet is graphql.NewFieldSet for objects resolved in order.
func newFieldSet(fields []graphql.CollectedField) *fieldSet {
	s := &fieldSet{fields: fields}
	if len(fields) <= len(s.small) {
		s.Values = s.small[:len(fields)]
	} else {
		s.Values = make([]graphql.Marshaler, len(fields))
	}
	return s
}

// Dispatch does nothing: every value is set when the generated code calls it.
func (*fieldSet) Dispatch(context.Context) {}

// MarshalGQL writes the object as graphql.FieldSet does: its fields in order, by alias, an
// alias written once.
func (s *fieldSet) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, "{")
	for i := range s.fields {
		alias := s.fields[i].Alias
		if written(s.fields[:i], alias) {
			continue
		}
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		if isName(alias) {
			_, _ = io.WriteString(w, `"`)
			_, _ = io.WriteString(w, alias)
			_, _ = io.WriteString(w, `":`)
		} else {
			graphql.MarshalString(alias).MarshalGQL(w)
			_, _ = io.WriteString(w, ":")
		}
		s.Values[i].MarshalGQL(w)
	}
	_, _ = io.WriteString(w, "}")
}

// written tells whether one of the fields before has the alias (gqlgen's CollectFields merges
// fields by alias, so this guards only what it already guarantees).
func written(before []graphql.CollectedField, alias string) bool {
	for i := range before {
		if before[i].Alias == alias {
			return true
		}
	}
	return false
}

// isName tells whether s is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*, as every alias is), which
// JSON needs not escape.
func isName(s string) bool {
	for i := range len(s) {
		c := s[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

// plainField tells whether a leaf field (a scalar or an enum read straight from its entity,
// without resolver or directive) may be written without gqlgen's field machinery (a field
// context, the field middleware, the value boxed twice): when no read rule of server/policy
// restricts it, the field middleware (graph.Prefetch: the read guard, the prefetching of
// connections) leaves it as it is. graph/gqlgen.go puts the check in front of every such
// field; restricted ones (Member.lastLoginAt) still go through the middleware.
func plainField(object string, field graphql.CollectedField) bool {
	return !policy.Restricts(object, field.Name)
}
