package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"zirkel/server/auth"
	"zirkel/server/store"
)

// password is every generated member's password.
const password = "Readpath-Benchmark-1"

// target is a database filled with the workload.
type target struct {
	db      string // sqlite or postgres
	dataDir string // the server's data directory (the SQLite file, the survey key)
	url     string // PostgreSQL URL with the benchmark's schema, empty for SQLite
	store   *store.Store
}

// prepare writes the workload into a fresh SQLite directory or PostgreSQL schema. cleanup
// closes the store and removes the data unless asked to keep it.
func prepare(ctx context.Context, db, dir string, o options) (*target, func(), error) {
	t := &target{db: db, dataDir: filepath.Join(dir, db)}
	drop := func() {}
	if db == "postgres" {
		schemaURL, dropSchema, err := freshSchema(ctx, o.postgresURL)
		if err != nil {
			return nil, nil, err
		}
		t.url, drop = schemaURL, dropSchema
	}
	if o.keep {
		drop = func() {}
		log.Printf("%s: keeping the data in %s %s", db, t.dataDir, t.url)
	}
	st, err := store.Open(ctx, store.Options{DatabaseURL: t.url, DataDir: t.dataDir})
	if err != nil {
		drop()
		return nil, nil, err
	}
	t.store = st
	cleanup := func() { _ = st.Close(); drop() }
	hash, err := auth.HashPassword(password)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	start := time.Now()
	g := newGenerator(hash)
	if err := g.write(ctx, st.Client); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("%s: writing the workload: %w", db, err)
	}
	if db == "postgres" {
		// What autovacuum does a little after bulk inserts: statistics for the planner, and
		// the visibility map that lets index-only scans skip the table.
		if _, err := st.DB.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("analyzing: %w", err)
		}
	}
	c := g.counts
	log.Printf("%s: %d organisations, %d topics, %d members, %d practices (%d public), %d author and %d topic links in %s",
		db, c.orgs, c.topics, c.members, c.practices, c.public, c.authorLinks, c.topicLinks, time.Since(start).Round(time.Millisecond))
	return t, cleanup, nil
}

// freshSchema creates an empty schema and returns a URL that uses it, and how to drop it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, fmt.Errorf("opening postgres: %w", err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := "readpath_" + hex.EncodeToString(b[:])
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
	q.Set("application_name", schema) // to find the server's connections in pg_stat_activity
	u.RawQuery = q.Encode()
	drop := func() {
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = db.Close()
	}
	return u.String(), drop, nil
}

// server is the running server process.
type server struct {
	cmd  *exec.Cmd
	base string
}

// startServer starts the server on a free port over the target's data.
func startServer(bin string, t *target, debugAddr string, answerCache bool) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"-addr", "127.0.0.1:" + strconv.Itoa(port), "-data", t.dataDir, "-log-level", "error"}
	if debugAddr != "" {
		args = append(args, "-debug-addr", debugAddr)
	}
	if !answerCache {
		args = append(args, "-answer-cache-mb", "0")
	}
	cmd := exec.Command(bin, args...)
	// Only what the server needs: no DATABASE_URL or ZIRKEL_* of the caller's shell.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if t.url != "" {
		cmd.Env = append(cmd.Env, "DATABASE_URL="+t.url)
	}
	// The server's log goes to a file: wrk ends with requests in flight, which the server logs.
	logFile, err := os.Create(filepath.Join(filepath.Dir(bin), t.db+"-server.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	s := &server{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *server) waitReady() error {
	for range 600 {
		if res, err := http.Get(s.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the server did not become ready within a minute")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// cpu is the user plus system time the server has used.
func (s *server) cpu() (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100, nil // clock ticks of 1/100 s
}

// post sends a GraphQL request and returns the raw answer, which must be 200 without errors.
func (s *server) post(token, query string, vars map[string]any) ([]byte, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(res.Body); err != nil {
		return nil, err
	}
	var out struct{ Errors []any }
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil || res.StatusCode != http.StatusOK || len(out.Errors) > 0 {
		return nil, fmt.Errorf("status %d, errors %v (%v)", res.StatusCode, out.Errors, err)
	}
	return buf.Bytes(), nil
}

// login logs the reader in and returns the session's token.
func (s *server) login() (string, error) {
	raw, err := s.post("", `mutation($u: String!, $p: String!) { login(input: {directory: "local", username: $u, password: $p}) { token } }`,
		map[string]any{"u": readerEmail, "p": password})
	if err != nil {
		return "", fmt.Errorf("logging in: %w", err)
	}
	var out struct {
		Data struct{ Login struct{ Token string } }
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Data.Login.Token == "" {
		return "", fmt.Errorf("logging in: no token in %s", raw)
	}
	return out.Data.Login.Token, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
