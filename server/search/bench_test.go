package search_test

import (
	"bufio"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

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

// wordList is the realistic corpus's word list: Debian's wngerman (/usr/share/dict/ngerman,
// or ZIRKEL_WORDLIST), one word a line.
func wordList(tb testing.TB) []string {
	path := os.Getenv("ZIRKEL_WORDLIST")
	if path == "" {
		path = "/usr/share/dict/ngerman"
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("the realistic corpus needs a German word list: apt-get install wngerman, or set ZIRKEL_WORDLIST (%v)", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.TrimSpace(sc.Text())
		if w != "" && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			out = append(out, w)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// zipfRanks orders a word list for Zipf's law, deterministically: shorter words are more
// frequent (Zipf's law of abbreviation), ties in the order of a hash; the demo vocabulary is
// mixed in at every 40th rank from rank 20 on, so its words are common but not the commonest.
func zipfRanks(list []string) []string {
	h := func(w string) uint64 { x := fnv.New64a(); x.Write([]byte(w)); return x.Sum64() }
	ranked := slices.Clone(list)
	slices.SortStableFunc(ranked, func(a, b string) int {
		if la, lb := len([]rune(a)), len([]rune(b)); la != lb {
			return la - lb
		}
		ha, hb := h(a), h(b)
		if ha < hb {
			return -1
		} else if ha > hb {
			return 1
		}
		return 0
	})
	out := make([]string, 0, len(ranked)+len(vocabulary))
	v := 0
	for i, w := range ranked {
		if i >= 20 && i%40 == 0 && v < len(vocabulary) {
			out = append(out, vocabulary[v])
			v++
		}
		out = append(out, w)
	}
	return out
}

// corpusSpec says how messages are made: uniformly from the demo vocabulary (the worst case:
// every query matches much of the corpus) or Zipf-distributed over a ranked word list.
type corpusSpec struct {
	name  string
	words []string
	zipf  bool
}

// messages generates n message texts, deterministically.
func (c corpusSpec) messages(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	var z *rand.Zipf
	if c.zipf {
		z = rand.NewZipf(r, 1.07, 2, uint64(len(c.words)-1))
	}
	out := make([]string, n)
	for i := range out {
		ws := make([]string, 12+r.IntN(30))
		for j := range ws {
			if z != nil {
				ws[j] = c.words[z.Uint64()]
			} else {
				ws[j] = c.words[r.IntN(len(c.words))]
			}
		}
		out[i] = strings.Join(ws, " ")
	}
	return out
}

// fill writes the texts into the index as messages, 2,000 per transaction.
func fill(tb testing.TB, st *store.Store, texts []string) {
	tb.Helper()
	ctx := policy.System(context.Background())
	for start := 0; start < len(texts); start += 2000 {
		tx, err := st.DB.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		for _, text := range texts[start:min(len(texts), start+2000)] {
			if err := st.Search.PutForBenchmark(ctx, tx, gid.New("msg"), "MESSAGE", "", text); err != nil {
				tb.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
}

// indexCost tells the size of the index and how much of its text the compound parts are.
func indexCost(tb testing.TB, st *store.Store) string {
	size := `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
	if st.Dialect == "postgres" {
		size = `SELECT pg_total_relation_size('search_index')`
	}
	var bytes, parts, rest int64
	if err := st.DB.QueryRow(size).Scan(&bytes); err != nil {
		tb.Fatal(err)
	}
	// PostgreSQL keeps the parts (p:…) among the marks, beside the words (w:…).
	share := `SELECT sum(length(parts)), sum(length(terms)) + sum(length(words)) FROM search_index`
	if st.Dialect == "postgres" {
		share = `SELECT sum(length(t)) FILTER (WHERE t LIKE 'p:%'), sum(length(t)) FILTER (WHERE t NOT LIKE 'p:%') +
			(SELECT sum(length(title_terms) + length(body_terms)) FROM search_index)
			FROM search_index, unnest(string_to_array(marks, ' ')) t`
	}
	if err := st.DB.QueryRow(share).Scan(&parts, &rest); err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("database %.1f MB; compound parts are %.0f%% of the indexed text", float64(bytes)/1e6, 100*float64(parts)/float64(parts+rest))
}

func openStore(tb testing.TB, backend string) *store.Store {
	tb.Helper()
	opts := store.Options{DataDir: tb.TempDir()}
	if backend == "postgres" {
		opts.DatabaseURL = apitest.FreshPostgres(tb)
	}
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// benchQueries are the queries of a corpus: the demo's (also phrases, compound parts and a
// word still being typed), and for the realistic corpus words of the list at ranks from
// common to rare.
func benchQueries(c corpusSpec) []string {
	qs := []string{"Prozesse", "Digitalisierung Verwaltung", "Terminvergabe", "gescheitert Schnittstelle", "Straße", "Prüfungen Kosten",
		`"Digitalisierung Verwaltung"`, "Service", "Termin Kosten", "Proz"}
	if c.zipf {
		w := func(rank int) string { return c.words[min(rank, len(c.words)-1)] }
		for _, rank := range []int{3, 30, 300, 3000, 30000} {
			qs = append(qs, w(rank))
		}
		qs = append(qs, w(5)+" "+w(50), w(100)+" "+w(7))
	}
	return qs
}

// BenchmarkSearch measures searches (the first 200 candidates, as the GraphQL search reads
// them) over two generated corpora of messages (100,000 by default, ZIRKEL_BENCH_CORPUS to
// change) on each database: queries per second, p50 and p99 latency. "worst" draws every word
// uniformly from the demo's 90 words, so each query matches much of the corpus; "zipf" draws
// from Debian's German word list by Zipf's law (see zipfRanks), the demo's words mixed in.
// Run it with bench/search/run.sh.
func BenchmarkSearch(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ZIRKEL_BENCH_CORPUS")); err == nil {
		n = v
	}
	for _, c := range []corpusSpec{{name: "worst", words: vocabulary}, {name: "zipf", zipf: true}} {
		if c.zipf {
			c.words = zipfRanks(wordList(b))
		}
		texts := c.messages(n)
		queries := benchQueries(c)
		for _, backend := range apitest.Backends {
			b.Run(fmt.Sprintf("%s/%s/%d", c.name, backend, n), func(b *testing.B) {
				st := openStore(b, backend)
				start := time.Now()
				fill(b, st, texts)
				b.Logf("indexed %d messages in %s; %s", n, time.Since(start).Round(time.Millisecond), indexCost(b, st))
				var lat []time.Duration
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					start := time.Now()
					if _, err := st.Search.Search(context.Background(), st.Client, queries[i%len(queries)], search.Filter{}, 0, 200); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
				}
				slices.Sort(lat)
				b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "queries/s")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}
