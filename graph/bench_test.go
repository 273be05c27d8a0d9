package graph_test

import (
	"testing"

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
					for b.Loop() {
						if res := who.session.Post(b, q, nil); len(res.Errors) > 0 {
							b.Fatal(res.Errors)
						}
					}
				})
			}
		})
	}
}
