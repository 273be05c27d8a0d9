// Package render renders a live event once for all the subscribers who ask the same question
// about it. A subscription whose document stays inside a Shape (fields whose value is the
// same for every viewer who may see the event, loaded with the event) is keyed by its
// document, operation, variables and audience; the first subscriber to receive an event
// renders it through gqlgen as usual, the others with the same key get the same bytes. Any
// other subscription is rendered per subscriber, as gqlgen does.
//
// It plugs into gqlgen's websocket transport (Transport) and needs the subscription resolver's
// cooperation: it returns its event channel through Tap, and the events embed Renders.
package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
)

// Shape is the selection a shared rendering may contain, by field name: a nil Shape is a
// leaf. "__typename" is always allowed.
type Shape map[string]Shape

// Options configure shared rendering.
type Options struct {
	// Shapes are the shareable selections by subscription field.
	Shapes map[string]Shape
	// Audience names the group of viewers who see the same rendering (e.g. "vendor" when
	// vendors see fewer fields); it is part of the key.
	Audience func(context.Context) string
	// Stats, if set, counts renderings.
	Stats *Stats
}

// Stats counts shared renderings: Rendered were made for a key, Reused handed out again.
type Stats struct {
	Rendered, Reused atomic.Int64
}

// Transport is gqlgen's websocket transport with shared rendering of subscription events.
func Transport(ws transport.Websocket, opts Options) graphql.Transport {
	return &sharedTransport{Websocket: ws, opts: opts}
}

type sharedTransport struct {
	transport.Websocket
	opts Options
}

// Do serves the websocket with an executor that shares renderings. The connection's reading
// goroutine keeps this frame for as long as the connection is open: no temporaries here.
func (t *sharedTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	t.Websocket.Do(w, r, t.executor(exec))
}

// executor wraps gqlgen's executor.
//
//go:noinline
func (t *sharedTransport) executor(exec graphql.GraphExecutor) graphql.GraphExecutor {
	return &executor{GraphExecutor: exec, opts: t.opts}
}

// executor wraps gqlgen's executor: subscriptions that fit a shape read their events through
// a tap, so that each event is rendered once per key.
type executor struct {
	graphql.GraphExecutor
	opts Options
}

// DispatchOperation implements graphql.GraphExecutor.
func (x executor) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	key, ok := x.key(ctx, rc)
	if !ok {
		return x.GraphExecutor.DispatchOperation(ctx, rc)
	}
	t := &tap{}
	responses, ctx := x.GraphExecutor.DispatchOperation(context.WithValue(ctx, tapKey{}, t), rc)
	if t.next == nil { // the resolver failed, or does not tap
		return responses, ctx
	}
	return func(ctx context.Context) *graphql.Response { return t.respond(ctx, key, responses, x.opts.Stats) }, ctx
}

// key identifies what a subscription asks of each event: its document, operation, audience
// and the variables used inside the subscription field's selection (the field's own arguments,
// such as a resume cursor, choose the events but do not change how one is rendered). It says
// false when the operation is not a subscription to one field within its shape.
func (x executor) key(ctx context.Context, rc *graphql.OperationContext) (string, bool) {
	op := rc.Operation
	if op == nil || op.Operation != ast.Subscription || len(op.SelectionSet) != 1 {
		return "", false
	}
	root, ok := op.SelectionSet[0].(*ast.Field)
	if !ok {
		return "", false
	}
	shape, ok := x.opts.Shapes[root.Name]
	used := map[string]any{}
	if !ok || !fits(root.SelectionSet, shape, rc.Variables, used) {
		return "", false
	}
	vars, err := json.Marshal(used) // map keys sorted: the same variables, the same bytes
	if err != nil {
		return "", false
	}
	audience := ""
	if x.opts.Audience != nil {
		audience = x.opts.Audience(ctx)
	}
	h := sha256.New()
	for _, part := range []string{audience, rc.RawQuery, rc.OperationName, string(vars)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return string(h.Sum(nil)), true
}

// fits tells whether a selection set stays within the shape, through fragments, and notes the
// variables it uses (in arguments and directives) with their values in used.
func fits(set ast.SelectionSet, shape Shape, vars, used map[string]any) bool {
	for _, sel := range set {
		var directives ast.DirectiveList
		switch s := sel.(type) {
		case *ast.Field:
			directives = s.Directives
			if s.Name != "__typename" {
				child, ok := shape[s.Name]
				if !ok || (len(s.SelectionSet) > 0 && !fits(s.SelectionSet, child, vars, used)) {
					return false
				}
			}
			for _, arg := range s.Arguments {
				noteVariables(arg.Value, vars, used)
			}
		case *ast.InlineFragment:
			directives = s.Directives
			if !fits(s.SelectionSet, shape, vars, used) {
				return false
			}
		case *ast.FragmentSpread:
			directives = s.Directives
			if s.Definition == nil || !fits(s.Definition.SelectionSet, shape, vars, used) {
				return false
			}
		default:
			return false
		}
		for _, d := range directives {
			for _, arg := range d.Arguments {
				noteVariables(arg.Value, vars, used)
			}
		}
	}
	return true
}

// noteVariables records the variables a value refers to.
func noteVariables(v *ast.Value, vars, used map[string]any) {
	if v == nil {
		return
	}
	if v.Kind == ast.Variable {
		used[v.Raw] = vars[v.Raw]
	}
	for _, child := range v.Children {
		noteVariables(child.Value, vars, used)
	}
}

// Renders holds an event's renderings by key; events embed it.
type Renders struct {
	mu   sync.Mutex
	done map[string]*rendering
}

func (r *Renders) renders() *Renders { return r }

// shared is an event that can carry renderings.
type shared interface{ renders() *Renders }

// rendering is one event rendered for one key; resp is nil when it could not be shared (the
// transport only reads it, so all subscribers with the key get the same one).
type rendering struct {
	ready chan struct{}
	resp  *graphql.Response
}

// claim returns the rendering for key, and whether the caller is the one to make it.
func (r *Renders) claim(key string) (*rendering, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.done[key]; ok {
		return e, false
	}
	if r.done == nil {
		r.done = map[string]*rendering{}
	}
	e := &rendering{ready: make(chan struct{})}
	r.done[key] = e
	return e, true
}

type tapKey struct{}

// tap stands between a subscription's event channel and gqlgen: next takes the next event
// (false at the end), feed hands it to gqlgen to render.
type tap struct {
	next func(context.Context) (any, bool)
	feed func(any)
}

// Tap returns the channel for gqlgen to read a subscription's events from. Inside a shared
// rendering it is a channel the tap feeds; otherwise events itself.
func Tap[T any](ctx context.Context, events <-chan T) <-chan T {
	t, _ := ctx.Value(tapKey{}).(*tap)
	if t == nil || t.next != nil {
		return events
	}
	feed := make(chan T, 1)
	t.next = func(ctx context.Context) (any, bool) {
		select {
		case ev, ok := <-events:
			if !ok {
				close(feed) // gqlgen ends the subscription
				return nil, false
			}
			return ev, true
		case <-ctx.Done():
			return nil, false
		}
	}
	t.feed = func(ev any) { feed <- ev.(T) }
	return feed
}

// respond produces the response to the next event: the shared rendering when there is one,
// else gqlgen's.
func (t *tap) respond(ctx context.Context, key string, render graphql.ResponseHandler, stats *Stats) *graphql.Response {
	ev, ok := t.next(ctx)
	if !ok {
		return render(ctx) // nil: the end
	}
	s, ok := ev.(shared)
	if !ok {
		t.feed(ev)
		return render(ctx)
	}
	e, first := s.renders().claim(key)
	if !first {
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil
		}
		if e.resp != nil {
			if stats != nil {
				stats.Reused.Add(1)
			}
			return e.resp
		}
		t.feed(ev)
		return render(ctx)
	}
	defer close(e.ready)
	t.feed(ev)
	resp := render(ctx)
	if resp != nil && len(resp.Errors) == 0 && len(resp.Extensions) == 0 {
		e.resp = &graphql.Response{Data: bytes.Clone(resp.Data)} // gqlgen reuses its buffer
		if stats != nil {
			stats.Rendered.Add(1)
		}
	}
	return resp
}
