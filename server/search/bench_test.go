package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/policy"
	"zirkel/server/search"
	"zirkel/server/store"
)

// vocabulary of the generated corpus: words the community writes about.
var vocabulary = strings.Fields(`Prozess Prozesse Prozessmanagement Verwaltung Verwaltungen Digitalisierung Bürgerservice
	Straßenverkehrsbehörde Onlinezugangsgesetz Fachverfahren Schnittstelle Schnittstellen Low-Code Plattform Plattformen
	Ausschreibung Vergabe Datenschutz Informationssicherheit Rechenzentrum Cloud Souveränität Arbeitsplatz Beschäftigte
	Kommune Landkreis Gemeinde Bürgermeisterin Termin Terminvergabe Antrag Anträge Wohngeld Gewerbeanmeldung E-Akte
	Posteingang Scanner Workflow Formular Formulare Portal Servicekonto Förderung Fördermittel Projekt Projekte Erfahrung
	Fehler gescheitert gelungen eingeführt umgestellt geprüft Prüfung Prüfungen Schulung Schulungen Digitallotsen und
	der die das mit für von im auf wir haben nicht noch sehr gut schnell langsam Kosten Aufwand Nutzen Team`)

// corpus writes n generated messages into the index.
func corpus(b *testing.B, st *store.Store, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	ctx := policy.System(context.Background())
	for start := 0; start < n; start += 2000 {
		tx, err := st.DB.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for i := start; i < min(n, start+2000); i++ {
			words := make([]string, 12+r.IntN(30))
			for j := range words {
				words[j] = vocabulary[r.IntN(len(vocabulary))]
			}
			if err := st.Search.PutForBenchmark(ctx, tx, gid.New("msg"), "MESSAGE", "", strings.Join(words, " ")); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearch measures searches over a generated corpus of messages (100,000 by default,
// ZIRKEL_BENCH_CORPUS to change) on each database: queries per second and p99 latency.
func BenchmarkSearch(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ZIRKEL_BENCH_CORPUS")); err == nil {
		n = v
	}
	queries := []string{"Prozesse", "Digitalisierung Verwaltung", "Terminvergabe", "gescheitert Schnittstelle", "Straße", "Prüfungen Kosten"}
	for _, backend := range apitest.Backends {
		b.Run(fmt.Sprintf("%s/%d", backend, n), func(b *testing.B) {
			opts := store.Options{DataDir: b.TempDir()}
			if backend == "postgres" {
				opts.DatabaseURL = apitest.FreshPostgres(b)
			}
			st, err := store.Open(context.Background(), opts)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			corpus(b, st, n)
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if _, err := st.Search.Search(context.Background(), st.Client, queries[i%len(queries)], search.Filter{}, 0, 500); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "queries/s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
