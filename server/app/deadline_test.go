package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"zirkel/server/apitest"
	"zirkel/server/config"
)

// stallingProxy forwards TCP connections to a database; paused, it stops passing bytes, as a
// database does that no longer answers (a network partition, a stuck server); down, it drops
// every connection and refuses new ones, as a stopped database does.
type stallingProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cond   *sync.Cond
	paused bool
	down   bool
	conns  []net.Conn
}

// stop drops the open connections and refuses new ones (until start).
func (p *stallingProxy) stop(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func startStallingProxy(t *testing.T, target string) *stallingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallingProxy{ln: ln, target: target}
	p.cond = sync.NewCond(&p.mu)
	t.Cleanup(func() { p.pause(false); _ = ln.Close() })
	go p.serve()
	return p
}

func (p *stallingProxy) pause(on bool) {
	p.mu.Lock()
	p.paused = on
	p.mu.Unlock()
	p.cond.Broadcast()
}

func (p *stallingProxy) waitWhilePaused() {
	p.mu.Lock()
	for p.paused {
		p.cond.Wait()
	}
	p.mu.Unlock()
}

func (p *stallingProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			p.waitWhilePaused()
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				_ = client.Close()
				return
			}
			server, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = client.Close()
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			go p.pipe(server, client)
			p.pipe(client, server)
		}()
	}
}

func (p *stallingProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.waitWhilePaused()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestDeadlineWhenTheDatabaseStalls: while PostgreSQL does not answer, every request answers
// within its deadline with a clear code: token-authenticated ones 504 TIMEOUT from the session
// lookup (which used to run outside the deadline and hang for the whole outage), anonymous
// ones with the TIMEOUT code. Afterwards the server works again.
func TestDeadlineWhenTheDatabaseStalls(t *testing.T) {
	var proxy *stallingProxy
	env := apitest.Start(t, "postgres", func(c *config.Config) {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		proxy = startStallingProxy(t, u.Host)
		u.Host = proxy.ln.Addr().String()
		c.DatabaseURL = u.String()
		c.Timeout = time.Second
		// The outage is what is tested: kept answers and sessions would spare the
		// database (and answer while it stalls, for up to their TTL).
		apitest.NothingKept(c)
	})
	member := env.NewMember(t, apitest.Spec{})
	member.MustPost(t, `{ viewer { id } }`, nil, nil)

	proxy.pause(true)
	cases := []struct {
		name   string
		header http.Header
		query  string
		status int
	}{
		{"token-authenticated query", http.Header{"Authorization": {"Bearer " + member.Token}}, `{ viewer { id } }`, http.StatusGatewayTimeout},
		{"anonymous query", http.Header{}, `{ topics(first: 5) { totalCount } }`, http.StatusOK},
		{"anonymous login", http.Header{}, `mutation { login(input: {directory: "local", username: "x@test.example", password: "geheim"}) { token } }`, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code := postWithin(t, env.URL, c.header, c.query, 10*time.Second)
			if status != c.status || code != "TIMEOUT" {
				t.Fatalf("got HTTP %d with code %q, want %d with TIMEOUT", status, code, c.status)
			}
		})
	}
	t.Run("websocket upgrade with a token", func(t *testing.T) {
		d := websocket.Dialer{Subprotocols: []string{apitest.TransportWS}, HandshakeTimeout: 10 * time.Second}
		header := http.Header{"Authorization": {"Bearer " + member.Token}}
		c, res, err := d.Dial("ws"+strings.TrimPrefix(env.URL, "http")+"/graphql", header)
		if err == nil {
			_ = c.Close()
			t.Fatal("the upgrade went through while the session could not be loaded")
		}
		if res == nil || res.StatusCode != http.StatusGatewayTimeout {
			t.Fatalf("got %v (response %v), want HTTP 504 within the deadline", err, res)
		}
	})
	proxy.pause(false)
	member.MustPost(t, `{ viewer { id } }`, nil, nil)

	proxy.stop(true)
	t.Run("token-authenticated query while the database is down", func(t *testing.T) {
		status, code := postWithin(t, env.URL, http.Header{"Authorization": {"Bearer " + member.Token}}, `{ viewer { id } }`, 10*time.Second)
		if status != http.StatusServiceUnavailable || code != "SERVICE_UNAVAILABLE" {
			t.Fatalf("got HTTP %d with code %q, want 503 with SERVICE_UNAVAILABLE", status, code)
		}
	})
	t.Run("anonymous query while the database is down", func(t *testing.T) {
		status, code := postWithin(t, env.URL, http.Header{}, `{ topics(first: 5) { totalCount } }`, 10*time.Second)
		if status != http.StatusOK || code != "SERVICE_UNAVAILABLE" {
			t.Fatalf("got HTTP %d with code %q, want 200 with SERVICE_UNAVAILABLE", status, code)
		}
	})
	proxy.stop(false)
	member.MustPost(t, `{ viewer { id } }`, nil, nil)
}

// postWithin sends a query and returns the status and the first error's code; it fails the
// test if no answer comes within wait (a generous bound, not a measurement).
func postWithin(t *testing.T, base string, header http.Header, query string, wait time.Duration) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: wait}).Do(req)
	if err != nil {
		t.Fatalf("no answer within %s: %v", wait, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out apitest.Response
	_ = json.Unmarshal(raw, &out)
	if len(out.Errors) == 0 {
		return res.StatusCode, ""
	}
	return res.StatusCode, out.Errors[0].Code()
}

// TestDeadlineWhileSQLiteIsLocked: while another process holds SQLite's write lock, a
// mutation answers within its deadline with TIMEOUT instead of waiting out the busy timeout,
// and reads (WAL) go on.
func TestDeadlineWhileSQLiteIsLocked(t *testing.T) {
	var dir string
	env := apitest.Start(t, "sqlite", func(c *config.Config) { c.Timeout = time.Second; dir = c.DataDir })
	member := env.NewMember(t, apitest.Spec{})
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "zirkel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, stmt := range []string{"BEGIN IMMEDIATE", "UPDATE members SET bio = bio"} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	auth := http.Header{"Authorization": {"Bearer " + member.Token}}
	status, code := postWithin(t, env.URL, auth, `mutation { updateMember(id: "`+member.MemberID+`", input: {bio: "Gesperrt"}) { id } }`, 10*time.Second)
	if code != "TIMEOUT" {
		t.Fatalf("mutation: got HTTP %d with code %q, want TIMEOUT", status, code)
	}
	if status, code := postWithin(t, env.URL, auth, `{ viewer { id } }`, 10*time.Second); status != http.StatusOK || code != "" {
		t.Fatalf("a read while the write lock is held: HTTP %d with code %q", status, code)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	member.MustPost(t, `mutation($id: ID!) { updateMember(id: $id, input: {bio: "Frei"}) { id } }`, map[string]any{"id": member.MemberID}, nil)
}
