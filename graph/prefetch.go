package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"zirkel/ent"
	"zirkel/ent/message"
	"zirkel/ent/schema/gid"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// Prefetch is the middleware of every field: it applies the field read rules (guardReads)
// and prefetches what pages need (prefetch). Install it with AroundFields.
func Prefetch(client *ent.Client) graphql.FieldMiddleware {
	pre := prefetch(client)
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		return guardReads(ctx, func(ctx context.Context) (any, error) { return pre(ctx, next) })
	}
}

// prefetch loads, for a page of messages that asks for vendorLabel, the authors and their
// organisations in two queries, before the labels are resolved, and for a page of events that
// asks for onlineURL which links the viewer may see: without it every label or link would
// cost its own queries.
func prefetch(client *ent.Client) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc != nil && fc.Field.Definition != nil && fc.Field.Definition.Type.Name() == "EventConnection" &&
			selects(fc.Field.Selections, "edges", "node", "onlineURL") {
			return withOnlineAccess(ctx, client, next)
		}
		res, err := next(ctx)
		conn, ok := res.(*ent.MessageConnection)
		if err != nil || !ok || conn == nil || len(conn.Edges) == 0 {
			return res, err
		}
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

// onlineAccess is, below a page of events that asks for onlineURL, which of its events the
// viewer may see the link of (checked: the page's events).
type onlineAccess struct {
	checked, may map[gid.ID]bool
}

type onlineAccessKey struct{}

// withOnlineAccess resolves a page of events, then finds in two queries which of their links
// the viewer may see; the page's onlineURL resolvers read the answer instead of asking each.
func withOnlineAccess(ctx context.Context, client *ent.Client, next graphql.Resolver) (any, error) {
	access := &onlineAccess{}
	res, err := next(context.WithValue(ctx, onlineAccessKey{}, access)) // the page's fields see access
	conn, ok := res.(*ent.EventConnection)
	if err != nil || !ok || conn == nil {
		return res, err
	}
	ids := make([]gid.ID, 0, len(conn.Edges))
	for _, e := range conn.Edges {
		if e.Node != nil && e.Node.OnlineURL != "" {
			ids = append(ids, e.Node.ID)
		}
	}
	may, err := policy.OnlineURLAccess(ctx, client, viewer.FromContext(ctx), ids)
	if err != nil {
		return nil, err
	}
	access.checked, access.may = map[gid.ID]bool{}, may
	for _, id := range ids {
		access.checked[id] = true
	}
	return res, nil
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
