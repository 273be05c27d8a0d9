package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// FilterGuard implements the @filterGuard directive that ent/entc.go puts on every where
// input: once gqlgen has read a where input (an argument, the argument of an edge that entgql
// loads eagerly, or a filter nested in another), it may match only what the viewer may read
// (policy.GuardWhere).
func FilterGuard(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	in, err := next(ctx)
	if err != nil {
		return in, err
	}
	return policy.GuardWhere(viewer.FromContext(ctx), in)
}

// guardReads applies the field rules of server/policy to what every field returns: a field
// the viewer may not read on its row is null, a readable one shown as its rule says. Rows
// that were read with the viewer's rights are already so (policy.ReadFields); this covers
// rows read beyond them, such as a live event's message loaded once for every subscriber, and
// what mutations return.
func guardReads(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	fc := graphql.GetFieldContext(ctx)
	if err != nil || res == nil || fc == nil || fc.Field.Field == nil || !policy.Restricts(fc.Object, fc.Field.Name) {
		return res, err // MayRead allows every field without a rule, whoever reads it
	}
	var row any
	if fc.Parent != nil {
		row = fc.Parent.Result
	}
	may, show := policy.MayRead(viewer.FromContext(ctx), fc.Object, fc.Field.Name, row)
	switch {
	case !may:
		return nil, nil
	case show != nil:
		return show(res), nil
	}
	return res, nil
}
