package auth_test

import (
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/auth/ldaptest"
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

func (l *latencies) report(b *testing.B) {
	slices.Sort(l.d)
	if len(l.d) == 0 {
		return
	}
	at := func(q float64) float64 { return float64(l.d[int(q*float64(len(l.d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// runConcurrently runs op b.N times on c goroutines.
func runConcurrently(b *testing.B, c int, op func()) {
	var l latencies
	var next sync.WaitGroup
	work := make(chan struct{})
	b.ResetTimer()
	for range c {
		next.Add(1)
		go func() {
			defer next.Done()
			for range work {
				l.time(op)
			}
		}()
	}
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	next.Wait()
	b.StopTimer()
	l.report(b)
}

// BenchmarkLogin measures the whole login mutation through the HTTP handler (service bind,
// search, user bind, group search, provisioning, session) against a local slapd.
func BenchmarkLogin(b *testing.B) {
	srv := ldaptest.Start(b, ldaptest.MusterhausenFixture())
	env := apitest.Start(b, "sqlite", nil, app.WithDirectories(directoryConfig(srv, "musterhausen", musterhausenAGS, false)))
	q := `mutation { login(input: {directory: "musterhausen", username: "anna", password: "Geheim-anna-1"}) { token } }`
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			runConcurrently(b, c, func() {
				if res := env.Post(b, q, nil); len(res.Errors) > 0 {
					b.Error(res.Errors)
				}
			})
		})
	}
}

// BenchmarkRawBind is the floor: dial, StartTLS and one bind with go-ldap, the least a
// directory login can cost.
func BenchmarkRawBind(b *testing.B) {
	srv := ldaptest.Start(b, ldaptest.MusterhausenFixture())
	tlsConfig := srv.TLSConfig()
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			runConcurrently(b, c, func() {
				conn, err := ldap.DialURL(srv.URL, ldap.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}))
				if err != nil {
					b.Error(err)
					return
				}
				defer conn.Close()
				if err := conn.StartTLS(tlsConfig); err != nil {
					b.Error(err)
					return
				}
				if err := conn.Bind(srv.UserDN("anna"), "Geheim-anna-1"); err != nil {
					b.Error(err)
				}
			})
		})
	}
}
