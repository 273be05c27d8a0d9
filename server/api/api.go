// Package api builds the /graphql handler with the limits a public GraphQL endpoint needs: body
// size, parser tokens, depth (through fragments), aliases, page sizes, complexity multiplied by
// page sizes, a per-request deadline, no suggestions, introspection only when enabled, panics
// turned into a generic error, and only the POST (JSON) and GET (queries only) transports.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"zirkel/ent"
)

// Limits bound what one request may ask for.
type Limits struct {
	MaxBodyBytes  int64         // request body size
	MaxTokens     int           // parser tokens in one document
	MaxDepth      int           // nesting of fields, following fragments
	MaxAliases    int           // aliased fields in one operation
	MaxComplexity int           // fields weighted by the page sizes they ask for
	MaxPageSize   int           // `first`/`last` on any connection
	Timeout       time.Duration // per-request deadline
}

// DefaultLimits are safe for a public endpoint and enough for the web apps.
var DefaultLimits = Limits{
	MaxBodyBytes:  1 << 20,
	MaxTokens:     10_000,
	MaxDepth:      12,
	MaxAliases:    30,
	MaxComplexity: 100_000,
	MaxPageSize:   100,
	Timeout:       15 * time.Second,
}

// Options configure the handler.
type Options struct {
	Limits        Limits
	Introspection bool
	Logger        *slog.Logger
	// Websocket, if set, serves subscriptions (graphql-transport-ws and graphql-ws).
	Websocket graphql.Transport
	// Fields, if set, wraps every field resolver (e.g. to prefetch what a page needs).
	Fields graphql.FieldMiddleware
	// Operations, if set, wraps every operation (e.g. to give a websocket's operations the
	// connection's current viewer).
	Operations graphql.OperationMiddleware
}

// New returns the /graphql handler for the given schema. The client opens the transaction
// in which each mutation runs.
func New(schema graphql.ExecutableSchema, client *ent.Client, opts Options) http.Handler {
	l := opts.Limits
	es := pagedComplexity{schema}
	srv := handler.New(es)
	if opts.Websocket != nil {
		srv.AddTransport(opts.Websocket)
	}
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(l.MaxTokens)
	srv.SetDisableSuggestion(true)
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(shapeLimits{maxDepth: l.MaxDepth, maxAliases: l.MaxAliases, maxPage: l.MaxPageSize})
	srv.Use(extension.FixedComplexityLimit(l.MaxComplexity))
	// Mutations run in one transaction each, except logins: they wait on directories, and a
	// transaction held meanwhile would block every other writer on SQLite.
	srv.Use(presentedTx{entgql.Transactioner{TxOpener: client, SkipTxFunc: onlyFields(loginFields...)}})
	if opts.Fields != nil {
		srv.AroundFields(opts.Fields)
	}
	if opts.Operations != nil {
		srv.AroundOperations(opts.Operations)
	}
	srv.SetErrorPresenter(presentError(opts.Logger))
	srv.SetRecoverFunc(recoverPanic(opts.Logger))
	return withRequestLimits(srv, l)
}

// loginFields are the mutations that run without a surrounding transaction.
var loginFields = []string{"login", "acceptInvitation", "logout", "logoutEverywhere"}

// onlyFields skips the transaction when every root field is one of names.
func onlyFields(names ...string) entgql.SkipTxFunc {
	return func(op *ast.OperationDefinition) bool {
		for _, sel := range op.SelectionSet {
			f, ok := sel.(*ast.Field)
			if !ok || !slices.Contains(names, f.Name) {
				return false
			}
		}
		return len(op.SelectionSet) > 0
	}
}

// withRequestLimits caps the body and sets the deadline.
func withRequestLimits(next http.Handler, l Limits) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r) // lives as long as the connection; its messages are limited there
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, l.MaxBodyBytes)
		ctx, cancel := context.WithTimeout(r.Context(), l.Timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
