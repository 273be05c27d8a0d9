// Package store opens Zirkel's database: the embedded SQLite by default, PostgreSQL when a URL is
// given. It migrates the schema on start (adding, never dropping) and installs the write rules.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver (pure Go)

	"zirkel/ent"
	_ "zirkel/ent/runtime"
	"zirkel/server/events"
	"zirkel/server/integrity"
	"zirkel/server/search"
	"zirkel/server/writes"
)

// Options say where the data lives.
type Options struct {
	// DatabaseURL selects PostgreSQL (postgres://...). Empty means the embedded SQLite.
	DatabaseURL string
	// DataDir is the directory of the embedded database.
	DataDir string
	// WrapDriver, if set, wraps the database driver (tests use it to count statements).
	WrapDriver func(dialect.Driver) dialect.Driver
	// Logger receives the event pipeline's errors; nil discards them.
	Logger *slog.Logger
}

// Store is an open database.
type Store struct {
	Client  *ent.Client
	DB      *sql.DB
	Dialect string
	Search  *search.Index
	// Events is the pipeline every committed change passes; consumers register with it.
	Events *events.Pipeline
	// Writes moves on after every write that has become visible (see server/writes).
	Writes *writes.Generation
}

// Open opens and migrates the database.
func Open(ctx context.Context, opts Options) (*Store, error) {
	var (
		db  *sql.DB
		err error
		d   string
	)
	if opts.DatabaseURL != "" {
		d = dialect.Postgres
		db, err = openPostgres(opts.DatabaseURL)
	} else {
		d = dialect.SQLite
		db, err = openSQLite(opts.DataDir)
	}
	if err != nil {
		return nil, err
	}
	base := entsql.OpenDB(d, db)
	var drv dialect.Driver = base
	if d == dialect.SQLite {
		drv = newCachingDriver(base, db)
	}
	generation := writes.New()
	drv = writes.Driver(drv, generation)
	if opts.WrapDriver != nil {
		drv = opts.WrapDriver(drv)
	}
	client := ent.NewClient(ent.Driver(drv))
	s := &Store{Client: client, DB: db, Dialect: d, Events: events.New(opts.Logger), Writes: generation}
	if err := s.migrate(ctx); err != nil {
		_ = client.Close()
		return nil, err
	}
	if err := s.analyse(ctx); err != nil {
		_ = client.Close()
		return nil, err
	}
	s.Events.Install(client) // first: it records only what the rules below let through
	integrity.Install(client, d)
	if s.Search, err = search.Open(ctx, db, client, d); err != nil {
		_ = client.Close()
		return nil, err
	}
	// The index is part of the data: its consumer is registered with the pipeline here, where
	// both are made, so that every client of the store keeps it current.
	s.Events.InTx("search", s.Search.Consume)
	return s, nil
}

// analyse gathers statistics for SQLite's query planner (ANALYZE) where a table has never
// been analysed or has grown or shrunk 25-fold since, as SQLite recommends: without them it
// takes an index on a column of three values (practices' status) for a selective one and reads
// and sorts every practice before taking a page of 50. It runs at start, before any request:
// run when a connection opens, ANALYZE needs the write lock, and a request whose transaction
// holds it while opening another connection would wait for itself until SQLITE_BUSY.
// PostgreSQL's autovacuum keeps its statistics up to date itself.
//
// Only the averages (sqlite_stat1) are kept, not the samples of index values (sqlite_stat4):
// with samples, SQLite compiles a statement again whenever a value is bound to a parameter
// that an indexed column is compared with, so a prepared statement is compiled on every run
// (a page of practices spent half of its SQLite time compiling its five statements). The
// averages are enough for the plans TestPracticePagePlans checks. Connections opened before
// keep the samples they loaded, so the idle ones are closed.
func (s *Store) analyse(ctx context.Context) error {
	if s.Dialect != dialect.SQLite {
		return nil
	}
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("analysing the database: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		return fmt.Errorf("analysing the database: %w", err)
	}
	var samples int
	err = conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'").Scan(&samples)
	if err == nil && samples > 0 {
		err = conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_stat4").Scan(&samples)
	}
	if err != nil {
		return fmt.Errorf("reading the planner's samples: %w", err)
	}
	if samples == 0 {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "DELETE FROM sqlite_stat4"); err != nil {
		return fmt.Errorf("dropping the planner's samples: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "ANALYZE sqlite_schema"); err != nil { // reloads the statistics
		return fmt.Errorf("reloading the planner's statistics: %w", err)
	}
	s.DB.SetMaxIdleConns(0) // closes the idle connections, with the samples they loaded
	sizePool(s.DB, sqlitePoolSize)
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.Client.Close() }

// Ping tells whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

func openSQLite(dir string) (*sql.DB, error) {
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, "zirkel.db"))
	if err != nil {
		return nil, fmt.Errorf("resolving data directory: %w", err)
	}
	// WAL lets readers run beside the writer; BEGIN IMMEDIATE takes the write lock at the start
	// of a transaction, so concurrent writers wait (busy_timeout) instead of failing with
	// "database is locked" when a read lock would have to be upgraded.
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Deleted and overwritten content is zeroed in the file, not only marked free: an erased
	// account's data must not stay readable in the database's bytes (server/privacy).
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening sqlite: %w", err)
	}
	sizePool(db, sqlitePoolSize)
	return db, nil
}

func openPostgres(databaseURL string) (*sql.DB, error) {
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		return nil, fmt.Errorf("opening postgres: DATABASE_URL must start with postgres://")
	}
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("opening postgres: %w", err)
	}
	sizePool(db, postgresPoolSize)
	return db, nil
}

// Pool sizes: enough connections for the request concurrency two cores can serve; SQLite
// readers run beside its one writer (WAL), PostgreSQL's default max_connections is 100 and
// several replicas share it.
const (
	sqlitePoolSize   = 8
	postgresPoolSize = 20
)

// sizePool keeps every connection of the pool open between requests: database/sql keeps only
// 2 idle connections by default, so under load it would open and close one per request.
func sizePool(db *sql.DB, size int) {
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	db.SetConnMaxIdleTime(5 * time.Minute)
}

// migrationLock is the PostgreSQL advisory lock that keeps replicas from migrating at once.
const migrationLock = 0x5a69726b656c // "Zirkel"

// migrateMu serialises migrations within a process: ent's migration writes to the generated
// package-level table descriptions.
var migrateMu sync.Mutex

// migrate creates missing tables, columns and indexes. It never drops anything.
func (s *Store) migrate(ctx context.Context) error {
	migrateMu.Lock()
	defer migrateMu.Unlock()
	if s.Dialect == dialect.Postgres {
		conn, err := s.DB.Conn(ctx)
		if err != nil {
			return fmt.Errorf("connecting to postgres: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
			return fmt.Errorf("taking the migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock) //nolint:errcheck
	}
	if err := s.Client.Schema.Create(ctx, schema.WithHooks(indexLinksBothWays)); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return nil
}

// indexLinksBothWays gives every link table of a many-to-many edge (practice_authors,
// practice_topics, ...) an index in the other direction: its primary key (practice_id,
// member_id) finds a practice's authors, the index (member_id, practice_id) a member's
// practices, as the visibility rule of practices does for every logged-in request. ent
// generates no schema for these tables, so the indexes are added here (a migration hook).
func indexLinksBothWays(next schema.Creator) schema.Creator {
	return schema.CreateFunc(func(ctx context.Context, tables ...*schema.Table) error {
		for _, t := range tables {
			if idx := reverseLinkIndex(t); idx != nil {
				if _, ok := t.Index(idx.Name); !ok { // the tables are ent's package-level ones
					t.Indexes = append(t.Indexes, idx)
				}
			}
		}
		return next.Create(ctx, tables...)
	})
}

// reverseLinkIndex is the index a link table lacks, or nil for other tables. A link table
// has two columns, both in its primary key and each a foreign key.
func reverseLinkIndex(t *schema.Table) *schema.Index {
	if len(t.Columns) != 2 || len(t.PrimaryKey) != 2 || len(t.ForeignKeys) != 2 {
		return nil
	}
	first, second := t.PrimaryKey[0], t.PrimaryKey[1]
	return &schema.Index{
		Name:    t.Name + "_" + second.Name + "_" + first.Name,
		Unique:  true,
		Columns: []*schema.Column{second, first},
	}
}
