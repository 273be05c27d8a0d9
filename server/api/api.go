// Package api builds the /graphql handler with the limits a public GraphQL endpoint needs: body
// size, parser tokens, depth (through fragments), aliases, page sizes, complexity multiplied by
// page sizes, a per-request deadline, no suggestions, introspection only when enabled, panics
// turned into a generic error, and only the POST (JSON) and GET (queries only) transports
// besides websockets. Requests are decoded here, strictly, before gqlgen runs: whatever is not
// a GraphQL request gets a 4xx with a JSON error and a stable code (see the Code constants),
// and every message is in the client's language (server/i18n).
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
	"github.com/vektah/gqlparser/v2/ast"

	"zirkel/ent"
	"zirkel/server/i18n"
)

// Limits bound what one request may ask for.
type Limits struct {
	MaxBodyBytes   int64 // request body size
	MaxHeaderBytes int   // request headers, checked here to answer with a code (the
	// http.Server's own MaxHeaderBytes must be larger: its answer is plain text)
	MaxTokens     int           // parser tokens in one document
	MaxDepth      int           // nesting of fields, following fragments
	MaxAliases    int           // aliased fields in one operation
	MaxComplexity int           // fields weighted by the page sizes they ask for
	MaxPageSize   int           // `first`/`last` on any connection
	Timeout       time.Duration // per-request deadline
}

// DefaultLimits are safe for a public endpoint and enough for the web apps.
var DefaultLimits = Limits{
	MaxBodyBytes:   1 << 20,
	MaxHeaderBytes: 64 << 10,
	MaxTokens:      10_000,
	MaxDepth:       12,
	MaxAliases:     30,
	MaxComplexity:  100_000,
	MaxPageSize:    100,
	Timeout:        15 * time.Second,
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
	// Answers, if its Generation is set and MaxBytes positive, keeps query answers until the
	// next write (see AnswerCache).
	Answers AnswerCache
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
	srv.AddTransport(httpTransport{maxBody: l.MaxBodyBytes})
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
	srv.Use(transactioner{presentedTx: presentedTx{entgql.Transactioner{TxOpener: client, SkipTxFunc: onlyFields(loginFields...)}}, logger: opts.Logger})
	if opts.Fields != nil {
		srv.AroundFields(opts.Fields)
	}
	if opts.Operations != nil {
		srv.AroundOperations(opts.Operations)
	}
	if opts.Answers.Generation != nil && opts.Answers.MaxBytes > 0 {
		// After Operations: inside them, it sees a websocket's viewer.
		srv.Use(newAnswerCache(opts.Answers))
	}
	srv.SetErrorPresenter(presentError(opts.Logger))
	srv.SetRecoverFunc(recoverPanic(opts.Logger))
	return &front{next: srv, limits: l, websocket: opts.Websocket != nil}
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

// front answers what is not a GraphQL request before gqlgen sees it (methods, header size,
// transports), puts the client's language into the context, caps the body and sets the
// deadline. Websocket upgrades go to the websocket transport, whose refusals it turns into
// GraphQL errors with a code.
type front struct {
	next      http.Handler
	limits    Limits
	websocket bool
}

// ServeHTTP stays small: a websocket's reading goroutine keeps this frame on its stack for
// as long as the connection is open, and a few hundred bytes more keep that stack at 16 KiB
// instead of 8 (see serveWebsocket).
func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = r.WithContext(i18n.WithLang(r.Context(), i18n.FromRequest(r)))
	if rerr := f.refuse(r); rerr != nil {
		writeRequestError(w, r, mediaJSON, rerr)
		return
	}
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		// Lives as long as the connection; its messages are limited there.
		serveUpgrade(f.next, w, r)
		return
	}
	f.serveRequest(w, r)
}

// serveRequest serves a request that is no websocket upgrade, within the body limit and the
// deadline.
//
//go:noinline
func (f *front) serveRequest(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") != "" {
		// Another protocol (h2c, …): not offered, so the request is served as it is.
		r.Header = r.Header.Clone()
		r.Header.Del("Upgrade")
	}
	r.Body = http.MaxBytesReader(w, r.Body, f.limits.MaxBodyBytes)
	ctx, cancel := context.WithTimeout(r.Context(), f.limits.Timeout)
	defer cancel()
	f.next.ServeHTTP(w, r.WithContext(ctx))
}

// refuse is the answer to requests no transport serves, nil for the others.
func (f *front) refuse(r *http.Request) *requestError {
	if size := headerSize(r); size > f.limits.MaxHeaderBytes {
		return &requestError{status: http.StatusRequestHeaderFieldsTooLarge, code: CodeHeadersTooLarge,
			message: "the request headers are larger than %d bytes", args: []any{f.limits.MaxHeaderBytes}}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return &requestError{status: http.StatusMethodNotAllowed, code: CodeMethodNotAllowed,
			message: "only GET and POST are served here"}
	}
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") && !f.websocket {
		return &requestError{status: http.StatusBadRequest, code: CodeTransportNotSupported,
			message: "this transport is not supported: use POST or GET with JSON, or a websocket"}
	}
	return nil
}

// headerSize is about what the headers took on the wire.
func headerSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + 12
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}
