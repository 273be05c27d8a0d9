package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/auth/ldaptest"
	"zirkel/server/policy"
)

var concurrencies = []int{1, 4, 16}

// latencies collects per-operation durations across goroutines and reports p50/p99.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) time(f func()) {
	start := time.Now()
	f()
	d := time.Since(start)
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B, unit string) {
	slices.Sort(l.d)
	if len(l.d) == 0 {
		return
	}
	at := func(q float64) float64 { return float64(l.d[int(q*float64(len(l.d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
}

// cpuTime is the processor time used so far by this process and by slapd.
func cpuTime(b *testing.B, srv *ldaptest.Server) (self, slapd time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	slapd, err := srv.CPUTime()
	if err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), slapd
}

// runConcurrently runs op b.N times on c goroutines and reports the rate in unit per second,
// p50, p99, the number of failed operations and the processor time per operation of this
// process (server and client) and of slapd: unlike the rate, these hardly depend on what
// else the machine runs. Figures of a run with failures mean nothing: it ends with b.Fatal
// then (after logging the first error).
func runConcurrently(b *testing.B, srv *ldaptest.Server, c int, unit string, op func() error) {
	var (
		l        latencies
		next     sync.WaitGroup
		failures atomic.Int64
		firstErr atomic.Pointer[error]
	)
	work := make(chan struct{})
	self0, slapd0 := cpuTime(b, srv)
	b.ResetTimer()
	for range c {
		next.Add(1)
		go func() {
			defer next.Done()
			for range work {
				var err error
				l.time(func() { err = op() })
				if err != nil && failures.Add(1) == 1 {
					firstErr.Store(&err)
				}
			}
		}()
	}
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	next.Wait()
	b.StopTimer()
	self1, slapd1 := cpuTime(b, srv)
	perOp := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(perOp(self1-self0), "go-cpu-ms/op")
	b.ReportMetric(perOp(slapd1-slapd0), "slapd-cpu-ms/op")
	l.report(b, unit)
	b.ReportMetric(float64(failures.Load()), "failed")
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d %s failed; first: %v", n, b.N, unit, *firstErr.Load())
	}
}

// BenchmarkLogin measures the whole login mutation through the HTTP handler (user search,
// user bind, group search, provisioning, session) against a local slapd. Like a load
// generator, the client keeps its HTTP connections alive (Go's default client keeps only two
// idle per host, and would open a connection per login beyond that).
func BenchmarkLogin(b *testing.B) {
	srv := ldaptest.Start(b, ldaptest.MusterhausenFixture())
	env := apitest.Start(b, "sqlite", nil, app.WithDirectories(directoryConfig(srv, "musterhausen", musterhausenAGS, false)))
	env.App.Store.Client.Organisation.Create().SetName("Landkreis Musterhausen").SetKind("LANDKREIS").SetAgs(musterhausenAGS).
		SaveX(policy.System(context.Background()))
	body, _ := json.Marshal(map[string]string{"query": `mutation { login(input: {directory: "musterhausen", username: "anna", password: "Geheim-anna-1"}) { token } }`})
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}}
			defer client.CloseIdleConnections()
			runConcurrently(b, srv, c, "logins", func() error { return login(client, env.URL, body) })
		})
	}
}

// login posts the login mutation and fails unless it answers a token.
func login(client *http.Client, url string, body []byte) error {
	res, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var out struct {
		Data struct {
			Login struct{ Token string }
		}
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK || len(out.Errors) > 0 || out.Data.Login.Token == "" {
		return fmt.Errorf("status %d, errors %s, decoding: %v", res.StatusCode, out.Errors, err)
	}
	return nil
}

// BenchmarkRawBind is the floor: dial, StartTLS and one bind with go-ldap, the least a
// directory login can cost.
func BenchmarkRawBind(b *testing.B) {
	srv := ldaptest.Start(b, ldaptest.MusterhausenFixture())
	tlsConfig := srv.TLSConfig()
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			runConcurrently(b, srv, c, "binds", func() error {
				conn, err := ldap.DialURL(srv.URL, ldap.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}))
				if err != nil {
					return err
				}
				defer conn.Close()
				if err := conn.StartTLS(tlsConfig); err != nil {
					return err
				}
				return conn.Bind(srv.UserDN("anna"), "Geheim-anna-1")
			})
		})
	}
}
