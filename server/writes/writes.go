// Package writes counts the database's writes: a Generation moves on after every transaction
// that commits and every write statement run outside one, through ent's driver (which every
// writer of Zirkel uses, including the consumers of the event pipeline and raw statements run
// with the client's ExecContext), and, with several replicas, whenever another replica wrote
// (Share). A cache of answers that remembers the generation it read at may serve the answer
// while the generation has not moved: nothing it read can have changed.
package writes

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"entgo.io/ent/dialect"

	"zirkel/server/pubsub"
)

// Generation is the number of writes seen, as far as readers need to know: it moves on after
// each write has become visible to them.
type Generation struct {
	n       atomic.Uint64
	changed chan struct{} // a token when a local write has not been told to the other replicas
}

// New returns a generation at zero.
func New() *Generation {
	return &Generation{changed: make(chan struct{}, 1)}
}

// Current is the generation now.
func (g *Generation) Current() uint64 { return g.n.Load() }

// Advance moves the generation on after a local write and tells the other replicas (Share).
func (g *Generation) Advance() {
	g.n.Add(1)
	select {
	case g.changed <- struct{}{}:
	default: // one is pending: it covers this write too
	}
}

// markKey is the context key of the generation a request began at (Mark).
type markKey struct{}

// Mark returns ctx marked with the generation now. Whatever a request reads after it (its
// viewer first, when it is authenticated) was read at this generation or a later one: an
// answer computed from it is up to date only if the generation is still the marked one.
func (g *Generation) Mark(ctx context.Context) context.Context {
	return context.WithValue(ctx, markKey{}, g.Current())
}

// Marked returns the generation ctx was marked with (Mark), if it was.
func Marked(ctx context.Context) (uint64, bool) {
	n, ok := ctx.Value(markKey{}).(uint64)
	return n, ok
}

// Middleware marks each request's context (Mark) before next runs. It must come before
// authentication: a viewer loaded before the mark may be older than the marked generation.
func (g *Generation) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(g.Mark(r.Context())))
	})
}

// advanceRemote moves the generation on after another replica's write.
func (g *Generation) advanceRemote() { g.n.Add(1) }

// subject carries the replicas' writes.
const subject = "zirkel.writes"

// Share tells the other replicas about this one's writes through the broker and advances the
// generation when they write, until stop is called. Writes in quick succession are told once;
// a replica learns of another's write within the broker's latency (a cache of answers can lag
// by that much behind the database, as a replica of a database would).
func (g *Generation) Share(broker pubsub.Broker, logger *slog.Logger) (stop func(), err error) {
	origin := rand.Text()
	unsubscribe, err := broker.Subscribe(subject, func(data []byte) {
		if string(data) != origin {
			g.advanceRemote()
		}
	})
	if err != nil {
		return nil, fmt.Errorf("subscribing to other replicas' writes: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-g.changed:
				if err := broker.Publish(ctx, subject, []byte(origin)); err != nil && ctx.Err() == nil {
					logger.Warn("telling the other replicas of a write", "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		unsubscribe()
	}, nil
}

// Driver wraps an ent driver so that its writes advance g: a committed transaction, and a
// statement outside a transaction that does not only read (readOnly).
func Driver(next dialect.Driver, g *Generation) dialect.Driver {
	return &driver{Driver: next, g: g}
}

// driver is ent's driver with writes counted.
type driver struct {
	dialect.Driver
	g *Generation
}

// Exec implements dialect.Driver.
func (d *driver) Exec(ctx context.Context, query string, args, v any) error {
	defer d.g.Advance()
	return d.Driver.Exec(ctx, query, args, v)
}

// Query implements dialect.Driver; an INSERT … RETURNING is a query that writes.
func (d *driver) Query(ctx context.Context, query string, args, v any) error {
	if !readOnly(query) {
		defer d.g.Advance()
	}
	return d.Driver.Query(ctx, query, args, v)
}

// Tx implements dialect.Driver.
func (d *driver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, g: d.g}, nil
}

// BeginTx starts a transaction with options, as ent's generated client asks of its driver.
func (d *driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, fmt.Errorf("Driver.BeginTx is not supported")
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, g: d.g}, nil
}

// ExecContext runs a raw statement (ent's sql/execquery feature) and counts it as a write.
func (d *driver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	defer d.g.Advance()
	return rawExec(ctx, d.Driver, query, args)
}

// QueryContext runs a raw query (ent's sql/execquery feature), a write unless a plain SELECT.
func (d *driver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !readOnly(query) {
		defer d.g.Advance()
	}
	return rawQuery(ctx, d.Driver, query, args)
}

// txn is a transaction whose commit advances the generation: its writes become visible then.
type txn struct {
	dialect.Tx
	g *Generation
}

// Commit implements dialect.Tx. A failed commit advances too: whether it took effect is not
// always known.
func (t *txn) Commit() error {
	defer t.g.Advance()
	return t.Tx.Commit()
}

// ExecContext runs a raw statement in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return rawExec(ctx, t.Tx, query, args)
}

// QueryContext runs a raw query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return rawQuery(ctx, t.Tx, query, args)
}

// rawExec runs a raw statement on a driver or transaction that offers ExecContext.
func rawExec(ctx context.Context, on any, query string, args []any) (sql.Result, error) {
	ex, ok := on.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("%T does not support ExecContext", on)
	}
	return ex.ExecContext(ctx, query, args...)
}

// rawQuery runs a raw query on a driver or transaction that offers QueryContext.
func rawQuery(ctx context.Context, on any, query string, args []any) (*sql.Rows, error) {
	q, ok := on.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("%T does not support QueryContext", on)
	}
	return q.QueryContext(ctx, query, args...)
}

// readOnly reports whether a statement only reads: a SELECT, or a WITH (entgql's windowed
// loads of nested lists) none of whose words is a writing one (PostgreSQL allows INSERT,
// UPDATE, DELETE and MERGE inside WITH). A false "writes" only costs kept answers. It runs on
// every statement, so it reads the words in place.
func readOnly(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	switch {
	case hasPrefixFold(q, "SELECT"):
		return true
	case !hasPrefixFold(q, "WITH"):
		return false
	}
	for i := 0; i < len(q); {
		j := i
		for j < len(q) && isWordByte(q[j]) {
			j++
		}
		if j == i {
			i++
			continue
		}
		switch w := q[i:j]; {
		case strings.EqualFold(w, "INSERT"), strings.EqualFold(w, "UPDATE"),
			strings.EqualFold(w, "DELETE"), strings.EqualFold(w, "MERGE"):
			return false
		}
		i = j
	}
	return true
}

// isWordByte tells the bytes of SQL words and identifiers (ASCII letters, digits, _).
func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// hasPrefixFold reports whether s begins with prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
