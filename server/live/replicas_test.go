package live_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"zirkel/server/apitest"
)

// natsURL is the NATS the replica tests use; they fail when it is missing, never skip.
func natsURL() string {
	if u := os.Getenv("ZIRKEL_TEST_NATS_URL"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// replica is a zirkel server process.
type replica struct {
	url string
	cmd *exec.Cmd
}

// buildServer compiles the server once per test binary.
var buildServer = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "zirkel-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "zirkel")
	out, err := exec.Command("go", "build", "-o", bin, "zirkel/server").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building the server: %v\n%s", err, out)
	}
	return bin, nil
})

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startReplica runs a server process on PostgreSQL and NATS and waits until it is ready.
func startReplica(t *testing.T, databaseURL string, demo bool) *replica {
	t.Helper()
	bin, err := buildServer()
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(bin, "-addr", fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("-demo=%v", demo), "-log-level", "warn", "-data", t.TempDir())
	cmd.Env = append(os.Environ(), "DATABASE_URL="+databaseURL, "ZIRKEL_BROKER_URL="+natsURL(), "ZIRKEL_DEMO_PASSWORD="+apitest.Password,
		"ZIRKEL_SURVEY_SECRET=replicas-share-one-survey-secret")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	t.Cleanup(func() { r.stop() })
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(r.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return r
			}
		}
	}
	t.Fatalf("replica on port %d did not become ready", port)
	return nil
}

// stop sends SIGTERM and waits for a graceful exit.
func (r *replica) stop() {
	if r.cmd.ProcessState != nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = r.cmd.Process.Kill()
	}
}

// TestAcrossReplicas: two server processes on one PostgreSQL and NATS. A message posted
// through replica A reaches a subscriber on replica B; a subscriber that switches replicas
// mid-stream (B shuts down) resumes from its cursor on A without loss.
func TestAcrossReplicas(t *testing.T) {
	db := apitest.FreshPostgres(t)
	a := startReplica(t, db, true)
	b := startReplica(t, db, false)
	envA, envB := apitest.Remote(a.url), apitest.Remote(b.url)
	admin := envA.Login(t, "local", "admin@zirkel.test", apitest.Password)
	poster := envA.WithToken(admin.Token)
	d := startDiscussion(t, poster, nil)
	reader := envB.WithToken(admin.Token) // sessions live in the shared database

	ws := reader.DialWS(t, apitest.TransportWS)
	_ = ws.Subscribe("1", addedQuery, map[string]any{"d": d, "after": 0})
	time.Sleep(200 * time.Millisecond)
	post(t, poster, d, "über Replika A")
	if ev := decodeAdded(t, ws.Next("1")); ev.Data.MessageAdded.Message.Body != "über Replika A" {
		t.Fatalf("replica B got %+v", ev)
	}

	const total = 40
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		for i := range total {
			if ctx.Err() != nil {
				return
			}
			post(t, poster, d, fmt.Sprintf("Beitrag %d", i))
			time.Sleep(10 * time.Millisecond)
		}
	}()
	last := 1
	for last < 10 {
		ev := decodeAdded(t, ws.Next("1"))
		if ev.Data.MessageAdded.Cursor != last+1 {
			t.Fatalf("on B: got %d after %d", ev.Data.MessageAdded.Cursor, last)
		}
		last = ev.Data.MessageAdded.Cursor
	}
	b.stop() // B goes away mid-stream
	if code, reason := ws.CloseCode(10 * time.Second); code != 1001 {
		t.Fatalf("B must say going away, closed with %d %q", code, reason)
	}
	ws = envA.WithToken(admin.Token).DialWS(t, apitest.TransportWS)
	_ = ws.Subscribe("1", addedQuery, map[string]any{"d": d, "after": last})
	<-posted
	for last < total+1 {
		ev := decodeAdded(t, ws.Next("1"))
		if ev.Data.MessageAdded.Cursor != last+1 {
			t.Fatalf("on A after switching: got %d after %d", ev.Data.MessageAdded.Cursor, last)
		}
		last = ev.Data.MessageAdded.Cursor
	}
}
