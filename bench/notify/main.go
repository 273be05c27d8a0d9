// Command notify measures notification fan-out (issue 12): how long the commit of a new
// discussion takes when its topic has N followers, against the same commit with none. The
// notify consumer runs inside that commit (server/events InTx), so the difference is the time
// from commit to stored notifications: finding the followers, checking that each may read the
// discussion, grouping and writing them. It runs the real app (app.New, all consumers) on a
// fresh SQLite data directory or PostgreSQL schema, checks that every follower got exactly one
// notification, and prints one markdown table row per database and follower count.
//
//	go run ./bench/notify -db sqlite,postgres -followers 5000 -rounds 5
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	_ "github.com/jackc/pgx/v5/stdlib"

	"zirkel/ent"
	"zirkel/ent/follow"
	"zirkel/ent/member"
	"zirkel/ent/notification"
	"zirkel/ent/schema/gid"
	"zirkel/server/app"
	"zirkel/server/config"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

func main() {
	log.SetFlags(0)
	dbs := flag.String("db", "sqlite,postgres", "databases: sqlite, postgres or both")
	n := flag.Int("followers", 5000, "followers of the topic")
	rounds := flag.Int("rounds", 5, "discussions started per case (the median is reported)")
	pgURL := flag.String("postgres-url", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server for -db postgres")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the measured rounds to this file")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		cpuProfile = f
	}
	fmt.Printf("%s, %d cores, Go %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.Version())
	fmt.Println("| database | followers | commit, no followers (median) | commit with followers (median) | commit to stored notifications | statements | notifications stored per round |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, db := range strings.Split(*dbs, ",") {
		if err := run(db, *n, *rounds, *pgURL); err != nil {
			log.Fatalf("%s: %v", db, err)
		}
	}
}

func run(db string, followers, rounds int, pgURL string) error {
	ctx := context.Background()
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "zirkel-notify-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DataDir = dir
	if db == "postgres" {
		u, drop, err := freshSchema(ctx, pgURL)
		if err != nil {
			return err
		}
		defer drop()
		cfg.DatabaseURL = u
	}
	var statements atomic.Int64
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.WithDriverWrapper(func(d dialect.Driver) dialect.Driver {
		return &counting{Driver: d, n: &statements}
	}))
	if err != nil {
		return err
	}
	defer a.Close()
	c := a.Store.Client
	sys := policy.System(ctx)
	author, err := c.Member.Create().SetDisplayName("Anna Becker").SetEmail("anna@bench.example").SetCommunityRole(member.CommunityRoleCDO).Save(sys)
	if err != nil {
		return err
	}
	quiet, err := c.Topic.Create().SetSlug("ohne").SetName("Ohne Folgende").Save(sys)
	if err != nil {
		return err
	}
	busy, err := c.Topic.Create().SetSlug("mit").SetName("Mit Folgenden").Save(sys)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := seedFollowers(sys, c, busy.ID, followers); err != nil {
		return err
	}
	log.Printf("%s: %d followers written in %s", db, followers, time.Since(start).Round(time.Millisecond))
	as := viewer.NewContext(ctx, &viewer.Viewer{MemberID: author.ID, PlatformRole: "MEMBER", CommunityRole: "CDO", Circles: map[gid.ID]string{}})
	var base, full []time.Duration
	var stmts int64
	if cpuProfile != nil {
		if err := pprof.StartCPUProfile(cpuProfile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for r := range rounds {
		d, _, err := startIn(as, c, quiet.ID, r)
		if err != nil {
			return err
		}
		base = append(base, d)
		before := statements.Load()
		d, id, err := startIn(as, c, busy.ID, r)
		if err != nil {
			return err
		}
		stmts = statements.Load() - before
		full = append(full, d)
		stored, err := c.Notification.Query().Where(notification.SubjectID(id)).Count(sys)
		if err != nil {
			return err
		}
		if stored != followers {
			return fmt.Errorf("round %d: %d notifications stored, want %d", r, stored, followers)
		}
	}
	mb, mf := median(base), median(full)
	fmt.Printf("| %s | %d | %s | %s | %s | %d | %d |\n", db, followers, ms(mb), ms(mf), ms(mf-mb), stmts, followers)
	return nil
}

// cpuProfile, if set, receives a CPU profile of the measured rounds (-cpuprofile).
var cpuProfile *os.File

// startIn starts a discussion in the topic as the viewer of ctx and times its commit.
func startIn(ctx context.Context, c *ent.Client, topic gid.ID, round int) (time.Duration, gid.ID, error) {
	tx, err := c.Tx(ctx)
	if err != nil {
		return 0, "", err
	}
	v := viewer.FromContext(ctx)
	d, err := tx.Discussion.Create().SetTitle(fmt.Sprintf("Frage %d", round)).SetAuthorID(v.MemberID).AddTopicIDs(topic).Save(ctx)
	if err != nil {
		_ = tx.Rollback()
		return 0, "", err
	}
	start := time.Now()
	if err := tx.Commit(); err != nil {
		return 0, "", err
	}
	return time.Since(start), d.ID, nil
}

// seedFollowers writes n members following the topic (in batches, outside the measurement).
func seedFollowers(ctx context.Context, c *ent.Client, topic gid.ID, n int) error {
	const batch = 500
	for start := 0; start < n; start += batch {
		var ms []*ent.MemberCreate
		for i := start; i < min(start+batch, n); i++ {
			ms = append(ms, c.Member.Create().SetDisplayName(fmt.Sprintf("Mitglied %d", i)).
				SetEmail(fmt.Sprintf("m%d@bench.example", i)).SetCommunityRole(member.CommunityRoleCDO))
		}
		members, err := c.Member.CreateBulk(ms...).Save(ctx)
		if err != nil {
			return err
		}
		var fs []*ent.FollowCreate
		for _, m := range members {
			fs = append(fs, c.Follow.Create().SetMemberID(m.ID).SetTargetType(follow.TargetTypeTOPIC).SetTargetID(topic))
		}
		if err := c.Follow.CreateBulk(fs...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// freshSchema creates an empty schema and returns a URL that uses it, and how to drop it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := "notifybench_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = db.Close()
		return "", nil, fmt.Errorf("PostgreSQL at %s (-postgres-url): %w", base, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		_ = db.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = db.Close()
	}, nil
}

// counting counts the statements sent (transactions included).
type counting struct {
	dialect.Driver
	n *atomic.Int64
}

func (d *counting) Exec(ctx context.Context, q string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Exec(ctx, q, args, v)
}

func (d *counting) Query(ctx context.Context, q string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Query(ctx, q, args, v)
}

func (d *counting) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, n: d.n}, nil
}

type countingTx struct {
	dialect.Tx
	n *atomic.Int64
}

func (t *countingTx) Exec(ctx context.Context, q string, args, v any) error {
	t.n.Add(1)
	return t.Tx.Exec(ctx, q, args, v)
}

func (t *countingTx) Query(ctx context.Context, q string, args, v any) error {
	t.n.Add(1)
	return t.Tx.Query(ctx, q, args, v)
}

type queryContexter interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

type execContexter interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

func (d *counting) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	d.n.Add(1)
	return d.Driver.(queryContexter).QueryContext(ctx, q, args...)
}

func (d *counting) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	d.n.Add(1)
	return d.Driver.(execContexter).ExecContext(ctx, q, args...)
}

func (t *countingTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.n.Add(1)
	return t.Tx.(queryContexter).QueryContext(ctx, q, args...)
}

func (t *countingTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.n.Add(1)
	return t.Tx.(execContexter).ExecContext(ctx, q, args...)
}
