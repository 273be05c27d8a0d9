package graph_test

import (
	"syscall"
	"testing"
	"time"

	"zirkel/server/apitest"
)

// BenchmarkPracticePage measures the practices page of the read-path workload (issue 13; the
// load test is `go run ./bench/readpath`): 50 practices with title, summary, organisation,
// topics and authors, through the HTTP handler, on each backend, as a member and anonymously
// (half of the practices are public).
func BenchmarkPracticePage(b *testing.B) {
	q := `{ practices(first: 50) { edges { node { id title summary organisation { name kind }
		topics(first: 10) { edges { node { slug name } } } authors(first: 10) { edges { node { displayName } } } } } } }`
	for _, backend := range apitest.Backends {
		b.Run(backend, func(b *testing.B) {
			env := apitest.Start(b, backend, nil)
			member := seedPractices(b, env, 50)
			likeTheCommunity(b, env.App.Store.Client)
			for _, who := range []struct {
				name    string
				session *apitest.Session
			}{{"member", member}, {"anonymous", env.Anonymous()}} {
				b.Run(who.name, func(b *testing.B) {
					b.ReportAllocs()
					start := processCPU(b)
					for b.Loop() {
						if res := who.session.Post(b, q, nil); len(res.Errors) > 0 {
							b.Fatal(res.Errors)
						}
					}
					// The process's CPU (server and client) per page: unlike ns/op it does
					// not grow when other work shares the machine.
					b.ReportMetric(float64(processCPU(b)-start)/float64(b.N)/1e3, "cpu-µs/op")
				})
			}
		})
	}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
