package graph_test

import (
	"testing"

	"zirkel/server/apitest"
)

// BenchmarkPracticePage measures a page of 50 practices with organisation, topics and authors
// through the HTTP handler, on each backend.
func BenchmarkPracticePage(b *testing.B) {
	q := `{ practices(first: 50) { totalCount edges { node { title organisation { name }
		topics(first: 10) { edges { node { slug } } } authors(first: 10) { edges { node { displayName } } } } } } }`
	for _, backend := range apitest.Backends {
		b.Run(backend, func(b *testing.B) {
			env := apitest.Start(b, backend, nil)
			reader := seedPractices(b, env, 50)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if res := reader.Post(b, q, nil); len(res.Errors) > 0 {
					b.Fatal(res.Errors)
				}
			}
		})
	}
}
