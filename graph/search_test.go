package graph_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/policy"
)

type searchResult struct {
	Search struct {
		Hits []struct {
			Type    string
			Snippet string
			Node    struct{ ID string }
		}
		HasNextPage bool
		EndCursor   string
	}
}

func searchFor(t *testing.T, as *apitest.Session, query string, types ...string) searchResult {
	t.Helper()
	var out searchResult
	vars := map[string]any{"q": query}
	if len(types) > 0 {
		vars["t"] = types
	}
	as.MustPost(t, `query($q: String!, $t: [SearchType!]) { search(query: $q, types: $t, first: 10) { hits { type snippet node { id } } hasNextPage endCursor } }`, vars, &out)
	return out
}

func hitIDs(r searchResult) map[string]string {
	out := map[string]string{}
	for _, h := range r.Search.Hits {
		out[h.Node.ID] = h.Snippet
	}
	return out
}

// TestGermanSearch: stems, prefixes, umlauts and ß; only what the viewer may see; kept
// current on every write.
func TestGermanSearch(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		practice := func(title, summary, visibility string, publish bool) string {
			var out struct{ CreatePractice struct{ ID string } }
			s.Anna.MustPost(t, `mutation($o: ID!, $t: String!, $s: String!, $v: PracticeVisibility) { createPractice(input: {title: $t, organisationID: $o,
				summary: $s, problem: "P", approach: "A", outcome: "O", visibility: $v}) { id } }`,
				map[string]any{"o": s.OrgID, "t": title, "s": summary, "v": visibility}, &out)
			if publish {
				s.Anna.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, map[string]any{"id": out.CreatePractice.ID}, nil)
			}
			return out.CreatePractice.ID
		}
		published := practice("Prozessmanagement mit BPMN", "Wir haben alle Prozesse der Straßenverkehrsbehörde modelliert.", "PUBLIC", true)
		draft := practice("Prozesslandkarte (Entwurf)", "Noch nicht fertig", "MEMBERS", false)
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
		var d struct{ CreateDiscussion struct{ ID string } }
		s.Anna.MustPost(t, `mutation($c: ID!) { createDiscussion(input: {title: "Vertraulich", circleID: $c}) { id } }`, map[string]any{"c": s.CircleID}, &d)
		secret := post(t, s.Anna, d.CreateDiscussion.ID, "Unsere Prozesse sind gescheitert", nil)

		jonas := hitIDs(searchFor(t, s.Jonas, "Prozesse"))
		if _, ok := jonas[published]; !ok || len(jonas) != 1 {
			t.Fatalf("Jonas must find only the published practice: %v", jonas)
		}
		if !strings.Contains(jonas[published], "<mark>Prozesse</mark>") {
			t.Fatalf("snippet: %q", jonas[published])
		}
		anna := hitIDs(searchFor(t, s.Anna, "prozess"))
		for _, id := range []string{published, draft, secret.ID} {
			if _, ok := anna[id]; !ok {
				t.Fatalf("Anna must find her draft and her circle's message too: %v", anna)
			}
		}
		if hits := hitIDs(searchFor(t, s.Jonas, "strasse")); len(hits) != 1 {
			t.Fatalf("ß must match ss: %v", hits)
		}
		if hits := hitIDs(searchFor(t, s.Jonas, "Musterhausen", "ORGANISATION")); len(hits) != 1 {
			t.Fatalf("organisations by name, filtered by type: %v", hits)
		}
		if hits := hitIDs(searchFor(t, env.Anonymous(), "BPMN")); len(hits) != 1 {
			t.Fatalf("anonymous visitors find public practices: %v", hits)
		}

		s.Anna.MustPost(t, `mutation($id: ID!) { editMessage(id: $id, body: "Heute klappt die Digitalisierung") { id } }`, map[string]any{"id": secret.ID}, nil)
		if hits := hitIDs(searchFor(t, s.Anna, "gescheitert")); len(hits) != 0 {
			t.Fatalf("the old text must be gone from the index: %v", hits)
		}
		if hits := hitIDs(searchFor(t, s.Anna, "Digitalisierungen")); len(hits) != 1 {
			t.Fatalf("the new text must be found: %v", hits)
		}
		s.Anna.MustPost(t, `mutation($id: ID!) { deleteMessage(id: $id) { id } }`, map[string]any{"id": secret.ID}, nil)
		if hits := hitIDs(searchFor(t, s.Anna, "Digitalisierung")); len(hits) != 0 {
			t.Fatalf("a deleted message must leave the index: %v", hits)
		}
	})
}

// TestSearchPagesPastHiddenHits: a viewer finds every hit they may see, however many better
// ranked ones they may not (600 in a closed circle here), page by page.
func TestSearchPagesPastHiddenHits(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
		var closed, open struct{ CreateDiscussion struct{ ID string } }
		s.Anna.MustPost(t, `mutation($c: ID!) { createDiscussion(input: {title: "Intern", circleID: $c}) { id } }`, map[string]any{"c": s.CircleID}, &closed)
		s.Anna.MustPost(t, `mutation { createDiscussion(input: {title: "Offen"}) { id } }`, nil, &open)
		ctx := policy.System(context.Background())
		c := env.App.Store.Client
		builders := make([]*ent.MessageCreate, 600)
		for i := range builders {
			builders[i] = c.Message.Create().SetDiscussionID(gid.ID(closed.CreateDiscussion.ID)).SetAuthorID(gid.ID(s.MemberID)).
				SetBody("Bürgerportal Bürgerportal Bürgerportal").SetPosition(i + 1)
		}
		c.Message.CreateBulk(builders...).ExecX(ctx)
		filler := strings.Repeat("Wir berichten hier ausführlich über den Stand der Dinge im Landkreis. ", 8)
		want := map[string]bool{}
		for i := range 5 {
			want[post(t, s.Anna, open.CreateDiscussion.ID, fmt.Sprintf("%d: das neue Bürgerportal. %s", i, filler), nil).ID] = true
		}
		got := map[string]bool{}
		var after any
		for page := 0; ; page++ {
			var out searchResult
			s.Jonas.MustPost(t, `query($a: String) { search(query: "Bürgerportal", types: [MESSAGE], first: 2, after: $a) { hits { node { id } } hasNextPage endCursor } }`,
				map[string]any{"a": after}, &out)
			for _, h := range out.Search.Hits {
				if !want[h.Node.ID] || got[h.Node.ID] {
					t.Fatalf("page %d: hit %s is hidden or repeated", page, h.Node.ID)
				}
				got[h.Node.ID] = true
			}
			if !out.Search.HasNextPage {
				break
			}
			if page > 5 {
				t.Fatal("too many pages")
			}
			after = out.Search.EndCursor
		}
		if len(got) != len(want) {
			t.Fatalf("found %d of the %d visible messages", len(got), len(want))
		}
	})
}

// publicPractice creates and publishes a public practice of the seed's organisation.
func publicPractice(t *testing.T, s seed, title, summary string) string {
	t.Helper()
	var out struct{ CreatePractice struct{ ID string } }
	s.Anna.MustPost(t, `mutation($o: ID!, $t: String!, $s: String!) { createPractice(input: {title: $t, organisationID: $o,
		summary: $s, problem: "P", approach: "A", outcome: "O", visibility: PUBLIC}) { id } }`,
		map[string]any{"o": s.OrgID, "t": title, "s": summary}, &out)
	s.Anna.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, map[string]any{"id": out.CreatePractice.ID}, nil)
	return out.CreatePractice.ID
}

// TestSearchSpellingVariants: ue/oe/ae and ss spellings, umlauts and ß, inflections and case
// all find the same documents, on both databases.
func TestSearchSpellingVariants(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		for _, row := range []struct {
			name, title, summary string
			queries              []string
		}{
			{"umlauts typed as ue", "Das neue Bürgerbüro", "Termine im Bürgerbüro Nord", []string{"Bürgerbüro", "Buergerbuero", "bürgerbüros", "BUERGERBUEROS", "bürgerbüro"}},
			{"umlauts in the text typed as ue", "Buergerbuero Sued", "Oeffnungszeiten", []string{"Bürgerbüro Süd", "Öffnungszeiten", "buergerbueros sued"}},
			{"ß typed as ss", "Straßenverkehrsbehörde", "Zulassung", []string{"Straßenverkehrsbehörde", "Strassenverkehrsbehoerde", "straßenverkehrsbehörden"}},
			{"ae for ä", "Anträge online", "Wohngeld", []string{"Anträge", "Antraege", "Antrag"}},
		} {
			t.Run(row.name, func(t *testing.T) {
				id := publicPractice(t, s, row.title, row.summary)
				var first map[string]string
				for _, q := range row.queries {
					hits := hitIDs(searchFor(t, s.Jonas, q, "PRACTICE"))
					if _, ok := hits[id]; !ok {
						t.Fatalf("%q must find %q: %v", q, row.title, hits)
					}
					if first == nil {
						first = hits
					} else if len(hits) != len(first) {
						t.Fatalf("%q finds %d documents, %q %d", q, len(hits), row.queries[0], len(first))
					}
				}
			})
		}
	})
}

// TestSearchPrefixOnlyForTheTypedWord: every word matches by its stem, only the last word
// (the one still being typed, 3 letters or more) also as the start of a written word; a
// stem never matches unrelated words that merely start with it.
func TestSearchPrefixOnlyForTheTypedWord(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		for _, row := range []struct {
			name, query string
			find, miss  []string
		}{
			{"a stem is not a prefix", "Bürger", []string{"Sprechstunde der Bürger", "Bürgersprechstunde"}, []string{"Sprechstunde im Burgenlandkreis"}},
			{"the typed word is a prefix", "Prozess", []string{"Prozesslandschaft", "Prozesse"}, nil},
			{"a finished word is no prefix", "Landschaften Prozess", []string{"Landschaft der Prozesse"}, []string{"Landschaftsplanung der Prozesse"}},
			{"two letters are no prefix", "Ak", nil, []string{"Akte"}},
		} {
			t.Run(row.name, func(t *testing.T) {
				ids := map[string]string{}
				for _, title := range append(slices.Clone(row.find), row.miss...) {
					ids[title] = publicPractice(t, s, title, "Zusammenfassung")
				}
				hits := hitIDs(searchFor(t, s.Jonas, row.query, "PRACTICE"))
				for _, title := range row.find {
					if _, ok := hits[ids[title]]; !ok {
						t.Errorf("%q must find %q", row.query, title)
					}
				}
				for _, title := range row.miss {
					if _, ok := hits[ids[title]]; ok {
						t.Errorf("%q must not find %q", row.query, title)
					}
				}
			})
		}
		t.Run("highlights only what matches", func(t *testing.T) {
			id := publicPractice(t, s, "Beteiligung", "Die Bürger aus dem Burgenlandkreis")
			snippet := hitIDs(searchFor(t, s.Jonas, "Bürger", "PRACTICE"))[id]
			if !strings.Contains(snippet, "<mark>Bürger</mark>") || strings.Contains(snippet, "<mark>Burgenlandkreis</mark>") {
				t.Fatalf("snippet: %q", snippet)
			}
		})
	})
}

// TestSearchFindsTopicsIndicatorsAndCircles: topics, indicators and circles are found by
// name and description, under their read rules (circles only by members), kept current on
// every change.
func TestSearchFindsTopicsIndicatorsAndCircles(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		for _, row := range []struct {
			name, create, kind, query string
			anonymous                 bool // whether anonymous visitors find it
		}{
			{"a topic by name", `mutation { x: createTopic(input: {slug: "buergerservice", name: "Bürgerservice"}) { id } }`, "TOPIC", "Bürgerservice", true},
			{"a topic by description", `mutation { x: createTopic(input: {slug: "ozg", name: "OZG", description: "Onlinezugang für Anträge"}) { id } }`, "TOPIC", "Onlinezugang Antraege", true},
			{"an indicator", `mutation { x: createIndicator(input: {name: "Wartezeit im Bürgerbüro", definition: "Minuten bis zum Termin",
				unit: "Minuten", targetGroup: CITIZENS, direction: LOWER_IS_BETTER}) { id } }`, "INDICATOR", "Wartezeiten buergerbuero", true},
			{"a closed circle, for members only", `mutation { x: createCircle(input: {name: "Kreis der Kämmerer", slug: "kaemmerer", description: "Haushalt", visibility: CLOSED}) { id } }`, "CIRCLE", "Kaemmerer", false},
		} {
			t.Run(row.name, func(t *testing.T) {
				var out struct{ X struct{ ID string } }
				s.Admin.MustPost(t, row.create, nil, &out)
				if _, ok := hitIDs(searchFor(t, s.Jonas, row.query, row.kind))[out.X.ID]; !ok {
					t.Fatalf("a member must find it by %q", row.query)
				}
				if _, ok := hitIDs(searchFor(t, s.Jonas, row.query))[out.X.ID]; !ok {
					t.Fatalf("a member must find it among all types by %q", row.query)
				}
				if _, ok := hitIDs(searchFor(t, env.Anonymous(), row.query, row.kind))[out.X.ID]; ok != row.anonymous {
					t.Fatalf("anonymous visitors find it: %v, want %v", ok, row.anonymous)
				}
			})
		}
		t.Run("a renamed topic by its new name only", func(t *testing.T) {
			var out struct{ X struct{ ID string } }
			s.Admin.MustPost(t, `mutation { x: createTopic(input: {slug: "e-akte", name: "Elektronische Akte"}) { id } }`, nil, &out)
			s.Admin.MustPost(t, `mutation($id: ID!) { updateTopic(id: $id, input: {name: "Aktenführung"}) { id } }`, map[string]any{"id": out.X.ID}, nil)
			if _, ok := hitIDs(searchFor(t, s.Jonas, "Elektronische", "TOPIC"))[out.X.ID]; ok {
				t.Fatal("the old name must be gone from the index")
			}
			if _, ok := hitIDs(searchFor(t, s.Jonas, "Aktenfuehrung", "TOPIC"))[out.X.ID]; !ok {
				t.Fatal("the new name must be found")
			}
		})
	})
}
