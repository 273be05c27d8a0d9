package graph_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"zirkel/ent"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/config"
	"zirkel/server/policy"
)

// recordingDriver keeps the queries ent sends while recording is on.
type recordingDriver struct {
	dialect.Driver
	mu      sync.Mutex
	on      bool
	queries []recordedQuery
}

type recordedQuery struct {
	sql  string
	args []any
}

func (d *recordingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.mu.Lock()
	if d.on {
		a, _ := args.([]any)
		d.queries = append(d.queries, recordedQuery{query, a})
	}
	d.mu.Unlock()
	return d.Driver.Query(ctx, query, args, v)
}

// QueryContext and ExecContext serve ent's raw queries (search, migrations) unrecorded.
func (d *recordingDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}).QueryContext(ctx, query, args...)
}

func (d *recordingDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}).ExecContext(ctx, query, args...)
}

// record returns the queries f makes.
func (d *recordingDriver) record(f func()) []recordedQuery {
	d.mu.Lock()
	d.on, d.queries = true, nil
	d.mu.Unlock()
	f()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.on = false
	return d.queries
}

// recordingConfig is a configuration on a fresh database of the backend.
func recordingConfig(t *testing.T, backend string) config.Config {
	t.Helper()
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	if backend == "postgres" {
		cfg.DatabaseURL = apitest.FreshPostgres(t)
	}
	return cfg
}

// startRecording starts a server whose queries can be recorded; stop ends it (and is called
// when the test ends).
func startRecording(t *testing.T, cfg config.Config) (env *apitest.Env, rec *recordingDriver, stop func()) {
	t.Helper()
	rec = &recordingDriver{}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)),
		app.WithDriverWrapper(func(d dialect.Driver) dialect.Driver { rec.Driver = d; return rec }))
	if err != nil {
		t.Fatalf("starting app: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	var once sync.Once
	stop = func() { once.Do(func() { srv.Close(); _ = a.Close() }) }
	t.Cleanup(stop)
	return &apitest.Env{URL: srv.URL, App: a}, rec, stop
}

// plan is the database's plan of a recorded query (see apitest.Plan).
func plan(t *testing.T, db *sql.DB, backend string, q recordedQuery) []string {
	t.Helper()
	return apitest.Plan(t, db, backend, q.sql, q.args...)
}

var (
	// SQLite: a table read from start to end (not in an index's order), an index built for
	// one query (AUTOMATIC), and a sort of all rows found (the sort of each practice's few
	// links by a window function is fine).
	sqliteScan = regexp.MustCompile("^SCAN (\\w+)$")
	sqliteSort = regexp.MustCompile("USE TEMP B-TREE FOR ORDER BY")
	sqlAlias   = regexp.MustCompile("[`\"](\\w+)[`\"] AS [`\"](\\w+)[`\"]")
	sqlCTE     = regexp.MustCompile("[`\"](\\w+)[`\"] AS \\(")
	// PostgreSQL: a table read from start to end although sequential scans are discouraged
	// (no index at all), and an index searched without its first column (no fitting index).
	pgSeqScan   = regexp.MustCompile(`Seq Scan on (\w+)`)
	pgIndexScan = regexp.MustCompile(`(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)`)
	pgIndexCond = regexp.MustCompile(`^\s*Index Cond: (.*)$`)
)

// badPlan says what is wrong with a plan, or "" if nothing is.
func badPlan(t *testing.T, db *sql.DB, backend string, q recordedQuery, lines []string) string {
	t.Helper()
	if backend == "sqlite" {
		return badSQLitePlan(q, lines)
	}
	index := ""
	for _, line := range lines {
		if m := pgSeqScan.FindStringSubmatch(line); m != nil {
			return "no index fits the reading of " + m[1]
		}
		if m := pgIndexScan.FindStringSubmatch(line); m != nil {
			index = m[1]
			continue
		}
		if m := pgIndexCond.FindStringSubmatch(line); m != nil && index != "" {
			var first string
			err := db.QueryRow(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
				WHERE i.indexrelid = to_regclass($1)`, index).Scan(&first)
			if err != nil {
				t.Fatalf("finding the first column of %s: %v", index, err)
			}
			if !regexp.MustCompile(`\b` + first + `\b`).MatchString(m[1]) {
				return fmt.Sprintf("index %s searched without its first column %s", index, first)
			}
		}
	}
	return ""
}

func badSQLitePlan(q recordedQuery, lines []string) string {
	aliases := map[string]string{}
	for _, m := range sqlAlias.FindAllStringSubmatch(q.sql, -1) {
		aliases[m[2]] = m[1]
	}
	ctes := map[string]bool{}
	for _, m := range sqlCTE.FindAllStringSubmatch(q.sql, -1) {
		ctes[m[1]] = true
	}
	for _, line := range lines {
		if sqliteSort.MatchString(line) {
			return "all rows found are sorted"
		}
		if strings.Contains(line, "AUTOMATIC") {
			return "no index fits: SQLite builds one for this query"
		}
		m := sqliteScan.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		table := m[1]
		if real, ok := aliases[table]; ok {
			table = real
		}
		if !ctes[table] {
			return "no index fits the reading of " + table
		}
	}
	return ""
}

// TestPracticePagePlans: the statements of the practices page (as a member and anonymously,
// the session's too) find their rows through fitting indexes, on a server started on a
// database that already holds data (as after a restart): no link table or circle membership
// is read in full, no index is searched without its first column, and no practice is sorted
// before the first 50 are taken (SQLite: the store keeps the planner's statistics).
func TestPracticePagePlans(t *testing.T) {
	q := `{ practices(first: 50) { edges { node { id title summary organisation { name kind }
		topics(first: 10) { edges { node { slug name } } } authors(first: 10) { edges { node { displayName } } } } } } }`
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			cfg := recordingConfig(t, backend)
			first, _, stop := startRecording(t, cfg)
			reader := seedPractices(t, first, 50)
			likeTheCommunity(t, first.App.Store.Client)
			stop()
			env, rec, _ := startRecording(t, cfg)
			for _, who := range []*apitest.Session{env.WithToken(reader.Token), env.Anonymous()} {
				queries := rec.record(func() { who.MustPost(t, q, nil, nil) })
				for _, rq := range queries {
					lines := plan(t, env.App.Store.DB, backend, rq)
					if why := badPlan(t, env.App.Store.DB, backend, rq, lines); why != "" {
						t.Errorf("%s:\n%s\n%v\nplan:\n%s", why, rq.sql, rq.args, strings.Join(lines, "\n"))
					}
				}
			}
		})
	}
}

// likeTheCommunity makes every other practice public, so that anonymous visitors see some,
// and adds organisations without practices and ended sessions, so that the planner's
// statistics (SQLite) show more organisations than a page names and more sessions than one,
// as in the community: reading a table of 50 rows (or one) in full is cheaper than 50
// searches (or one), and would be chosen.
func likeTheCommunity(t testing.TB, client *ent.Client) {
	t.Helper()
	ctx := policy.System(context.Background())
	ids := client.Practice.Query().Order(ent.Asc(practice.FieldID)).IDsX(ctx)
	for i := 0; i < len(ids); i += 2 {
		client.Practice.UpdateOneID(ids[i]).SetVisibility(practice.VisibilityPUBLIC).ExecX(ctx)
	}
	for range 10 {
		orgs := make([]*ent.OrganisationCreate, 100)
		for i := range orgs {
			orgs[i] = client.Organisation.Create().SetName("Gemeinde").SetKind(organisation.KindGEMEINDE)
		}
		client.Organisation.CreateBulk(orgs...).ExecX(ctx)
	}
	members := client.Member.Query().IDsX(ctx)
	for range 10 {
		sessions := make([]*ent.SessionCreate, 100)
		for i := range sessions {
			sessions[i] = client.Session.Create().SetTokenHash(fmt.Sprintf("%064x", rand.Uint64())).
				SetMemberID(members[rand.IntN(len(members))]).SetExpiresAt(time.Now().Add(-time.Hour))
		}
		client.Session.CreateBulk(sessions...).ExecX(ctx)
	}
}
