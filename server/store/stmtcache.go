package store

import (
	"container/list"
	"context"
	"database/sql"
	"fmt"
	"sync"

	entsql "entgo.io/ent/dialect/sql"
)

// stmtCacheSize bounds the prepared statements kept (each prepared once per connection that
// runs it): enough for the queries every page repeats.
const stmtCacheSize = 128

// cachingDriver is ent's SQLite driver with prepared statements reused for the queries run
// outside transactions. SQLite compiles every statement it is given, and database/sql keeps
// none, so a page of practices spent a tenth of its CPU time parsing the same few queries.
// (pgx caches prepared statements per connection itself.) Writes and transactions go to ent's
// driver unchanged.
type cachingDriver struct {
	*entsql.Driver
	db *sql.DB

	mu    sync.Mutex
	stmts map[string]*list.Element // of *cachedStmt, most recently used first
	order *list.List
}

type cachedStmt struct {
	query string
	stmt  *sql.Stmt
}

func newCachingDriver(drv *entsql.Driver, db *sql.DB) *cachingDriver {
	return &cachingDriver{Driver: drv, db: db, stmts: map[string]*list.Element{}, order: list.New()}
}

// Query runs a query through its prepared statement.
func (d *cachingDriver) Query(ctx context.Context, query string, args, v any) error {
	vr, ok := v.(*entsql.Rows)
	argv, ok2 := args.([]any)
	if !ok || !ok2 {
		return d.Driver.Query(ctx, query, args, v)
	}
	stmt, err := d.prepared(ctx, query)
	if err != nil {
		return err
	}
	rows, err := stmt.QueryContext(ctx, argv...)
	if err != nil {
		return err
	}
	*vr = entsql.Rows{ColumnScanner: rows}
	return nil
}

// prepared returns the statement of a query, preparing it on first use and closing the least
// recently used one beyond the cache's size (database/sql finalises it once its rows close).
func (d *cachingDriver) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	d.mu.Lock()
	if e, ok := d.stmts[query]; ok {
		d.order.MoveToFront(e)
		d.mu.Unlock()
		return e.Value.(*cachedStmt).stmt, nil
	}
	d.mu.Unlock()
	stmt, err := d.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("preparing query: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.stmts[query]; ok { // prepared meanwhile by another request
		_ = stmt.Close()
		return e.Value.(*cachedStmt).stmt, nil
	}
	d.stmts[query] = d.order.PushFront(&cachedStmt{query: query, stmt: stmt})
	if d.order.Len() > stmtCacheSize {
		oldest := d.order.Remove(d.order.Back()).(*cachedStmt)
		delete(d.stmts, oldest.query)
		_ = oldest.stmt.Close()
	}
	return stmt, nil
}

// Close closes the statements and the database.
func (d *cachingDriver) Close() error {
	d.mu.Lock()
	for _, e := range d.stmts {
		_ = e.Value.(*cachedStmt).stmt.Close()
	}
	d.stmts = map[string]*list.Element{}
	d.order.Init()
	d.mu.Unlock()
	return d.Driver.Close()
}
