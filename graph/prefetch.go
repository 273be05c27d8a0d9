package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"zirkel/ent"
	"zirkel/ent/message"
	"zirkel/ent/schema/gid"
)

// Prefetch loads, for a page of messages that asks for vendorLabel, the authors and their
// organisations in two queries, before the labels are resolved: without it every label would
// cost its own queries. Install it with AroundFields.
func Prefetch(client *ent.Client) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		res, err := next(ctx)
		conn, ok := res.(*ent.MessageConnection)
		if err != nil || !ok || conn == nil || len(conn.Edges) == 0 {
			return res, err
		}
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || !selects(fc.Field.Selections, "edges", "node", "vendorLabel") {
			return res, nil
		}
		var missing []gid.ID
		byID := map[gid.ID]*ent.Message{}
		for _, e := range conn.Edges {
			if m := e.Node; m != nil && (m.Edges.Author == nil || m.Edges.Author.Edges.Organisation == nil) {
				missing = append(missing, m.ID)
				byID[m.ID] = m
			}
		}
		if len(missing) == 0 {
			return res, nil
		}
		loaded, err := client.Message.Query().Where(message.IDIn(missing...)).
			WithAuthor(func(q *ent.MemberQuery) { q.WithOrganisation() }).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range loaded {
			byID[m.ID].Edges.Author = m.Edges.Author
		}
		return res, nil
	}
}

// selects tells whether a selection set asks for the field path, through fragments.
func selects(set ast.SelectionSet, path ...string) bool {
	if len(path) == 0 {
		return true
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == path[0] && selects(s.SelectionSet, path[1:]...) {
				return true
			}
		case *ast.InlineFragment:
			if selects(s.SelectionSet, path...) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && selects(s.Definition.SelectionSet, path...) {
				return true
			}
		}
	}
	return false
}
