// Command readpath is the everyday read-path benchmark (issue 13): it writes a deterministic
// community (the 400 districts, 40 topics, 2,000 members with local accounts, 5,000 published
// practices with 1-3 topics and 1-3 authors each) into a fresh SQLite data directory or a fresh
// PostgreSQL schema, starts the real server as a child process, checks that the practices page
// (first 50 with title, summary, organisation, topics and authors) answers what a direct ent
// query under the same viewer returns, and drives it with wrk (closed loop, 2 threads) as a
// logged-in member and anonymously, with the server's answer cache on (its default) and off
// (every request executed). It prints one markdown table row per case: requests/s, p50, p99
// and the server's CPU time (user+sys) per request.
//
//	go run ./bench/readpath -db sqlite,postgres -c 32,64
//
// wrk is the Debian package `wrk` (`apt-get install -y wrk`); the command installs it with
// apt-get when it is missing and it runs as root, or says how.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// options are the command line.
type options struct {
	dbs         []string
	conns       []int
	viewers     []string
	caches      []string // answer cache modes: on, off
	threads     int
	duration    time.Duration
	warmup      time.Duration
	postgresURL string
	debugAddr   string
	profileDir  string
	keep        bool
}

func main() {
	log.SetFlags(0)
	o := parseFlags()
	check(ensureWrk())
	dir, err := os.MkdirTemp("", "zirkel-readpath")
	check(err)
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	server := filepath.Join(dir, "zirkel")
	build(server, "./server")

	fmt.Printf("%s, %d cores (%s), Go %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), cpuModel(), runtime.Version())
	fmt.Println("| database | answer cache | viewer | connections | requests/s | p50 | p99 | server CPU/request | wrong answers | failed requests |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, db := range o.dbs {
		check(runDatabase(context.Background(), db, server, dir, o))
	}
}

// runDatabase fills one database, starts the server on it, checks its answers and measures
// every case, printing a table row for each.
func runDatabase(ctx context.Context, db, server, dir string, o options) error {
	target, cleanup, err := prepare(ctx, db, dir, o)
	if err != nil {
		return err
	}
	defer cleanup()
	for _, cache := range o.caches {
		if err := runServer(ctx, db, cache, server, dir, target, o); err != nil {
			return err
		}
	}
	return nil
}

// runServer starts the server with the answer cache on or off, checks its answers and
// measures every case.
func runServer(ctx context.Context, db, cache, server, dir string, target *target, o options) error {
	srv, err := startServer(server, target, o.debugAddr, cache == "on")
	if err != nil {
		return err
	}
	defer srv.stop()
	cases, err := checkAnswers(ctx, srv, target)
	if err != nil {
		return err
	}
	for _, c := range cases {
		if !slices.Contains(o.viewers, c.viewer) {
			continue
		}
		for _, n := range o.conns {
			r, err := measure(srv, c, n, o, fmt.Sprintf("%s-cache-%s-%s-%d", db, cache, c.viewer, n))
			if err != nil {
				return err
			}
			fmt.Printf("| %s | %s | %s | %d | %.0f | %s | %s | %s | %d | %d |\n", db, cache, c.viewer, n, r.rps,
				ms(r.p50), ms(r.p99), ms(r.cpuPerRequest), r.wrong, r.failed)
		}
	}
	reportServerErrors(filepath.Join(dir, db+"-server.log"))
	return nil
}

// reportServerErrors shows the first errors the server logged, leaving out the requests that
// wrk abandoned when it stopped (context canceled).
func reportServerErrors(path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return
	}
	shown := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" || strings.Contains(line, "context canceled") {
			continue
		}
		if shown++; shown <= 5 {
			log.Printf("server log: %s", line)
		}
	}
}

func parseFlags() options {
	var o options
	dbs := flag.String("db", "sqlite,postgres", "databases: sqlite, postgres or both")
	conns := flag.String("c", "32,64", "wrk connections, one run each")
	viewers := flag.String("viewers", "member,anonymous", "who asks: member (Bearer token), anonymous")
	caches := flag.String("answer-cache", "on,off", "the server's answer cache: on (the default setting, 32 MiB), off, or both")
	flag.IntVar(&o.threads, "threads", 2, "wrk threads")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured load per case")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "load before each measurement, not counted")
	flag.StringVar(&o.postgresURL, "postgres-url", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"PostgreSQL server; the benchmark works in a fresh schema and drops it afterwards")
	flag.StringVar(&o.debugAddr, "debug-addr", "", "serve the server's pprof profiles here (e.g. 127.0.0.1:6060)")
	flag.StringVar(&o.profileDir, "profile", "", "write a CPU profile of the server for each measured case into this directory (needs -debug-addr)")
	flag.BoolVar(&o.keep, "keep", false, "keep the data (SQLite directory, PostgreSQL schema) for a look afterwards")
	flag.Parse()
	o.dbs, o.viewers, o.caches = split(*dbs), split(*viewers), split(*caches)
	for _, c := range o.caches {
		if c != "on" && c != "off" {
			log.Fatalf("-answer-cache: on or off, not %q", c)
		}
	}
	if o.profileDir != "" && o.debugAddr == "" {
		log.Fatal("-profile needs -debug-addr")
	}
	for _, db := range o.dbs {
		if db != "sqlite" && db != "postgres" {
			log.Fatalf("-db: unknown database %q", db)
		}
	}
	for _, c := range split(*conns) {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			log.Fatalf("-c: bad connection count %q", c)
		}
		o.conns = append(o.conns, n)
	}
	return o
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ensureWrk installs wrk with apt-get when it is missing and we are root.
func ensureWrk() error {
	if _, err := exec.LookPath("wrk"); err == nil {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("wrk is missing: install it with `sudo apt-get install -y wrk`")
	}
	log.Print("installing wrk (apt-get install -y wrk)")
	cmd := exec.Command("sh", "-c", "apt-get install -y wrk || (apt-get update && apt-get install -y wrk)")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("installing wrk: %w", err)
	}
	return nil
}

func build(out, pkg string) {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
}

// cpuModel is the processor's name from /proc/cpuinfo.
func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
