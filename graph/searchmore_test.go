package graph_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"zirkel/server/apitest"
)

type searchPage struct {
	Search struct {
		Hits []struct {
			Type    string
			Snippet string
			Node    struct{ ID string }
		}
		HasNextPage bool
		TotalCount  int
	}
}

// searchWith runs a search with the given arguments (query, types, topicID, organisationID,
// from, to, first) and returns the page with its total.
func searchWith(t *testing.T, as *apitest.Session, vars map[string]any) searchPage {
	t.Helper()
	if _, ok := vars["first"]; !ok {
		vars["first"] = 50
	}
	var out searchPage
	as.MustPost(t, `query($q: String!, $types: [SearchType!], $topic: ID, $org: ID, $from: Time, $to: Time, $first: Int) {
		search(query: $q, types: $types, topicID: $topic, organisationID: $org, from: $from, to: $to, first: $first) {
			hits { type snippet node { id } } hasNextPage totalCount } }`, vars, &out)
	return out
}

func pageIDs(p searchPage) map[string]bool {
	out := map[string]bool{}
	for _, h := range p.Search.Hits {
		out[h.Node.ID] = true
	}
	return out
}

// readable tells which of the ids the viewer may read, asking node(id) for each.
func readable(t *testing.T, as *apitest.Session, ids []string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, id := range ids {
		var res struct{ Node *struct{ ID string } }
		as.MustPost(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &res)
		if res.Node != nil {
			out[id] = true
		}
	}
	return out
}

// TestSearchEveryTypeUnderItsVisibility: an object of every searchable type that mentions the
// word is found by exactly those who may read it (as node(id) answers them): anonymous
// visitors, a member outside the closed circle, a member of it; by all types and by each type
// alone; and the total counts exactly the hits the viewer may see, never the hidden ones.
func TestSearchEveryTypeUnderItsVisibility(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`, map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
		created := map[string]string{} // id -> type
		create := func(as *apitest.Session, kind, mutation string, vars map[string]any) string {
			t.Helper()
			var out struct{ R struct{ ID string } }
			as.MustPost(t, mutation, vars, &out)
			created[out.R.ID] = kind
			return out.R.ID
		}
		word := "Bürgerservice"
		create(s.Admin, "TOPIC", `mutation { r: createTopic(input: {slug: "bs", name: "Bürgerservice"}) { id } }`, nil)
		create(s.Admin, "INDICATOR", `mutation { r: createIndicator(input: {name: "Wartezeit im Bürgerservice", definition: "Minuten",
			unit: "Minuten", targetGroup: CITIZENS, direction: LOWER_IS_BETTER}) { id } }`, nil)
		product := create(s.Anna, "SOFTWARE", `mutation { r: createSoftwareProduct(input: {name: "Bürgerservice-Suite", category: "Portal"}) { id } }`, nil)
		create(s.Anna, "SOFTWARE_USAGE", `mutation($o: ID!, $p: ID!) { r: recordSoftwareUsage(input: {organisationID: $o, productID: $p,
			task: "Terminvergabe im Bürgerservice"}) { id } }`, map[string]any{"o": s.OrgID, "p": product})
		create(s.Admin, "EVENT", `mutation { r: createEvent(input: {title: "Bürgerservice-Tag", kind: MEETUP,
			startsAt: "2030-03-01T10:00:00Z", endsAt: "2030-03-01T12:00:00Z"}) { id } }`, nil)
		create(s.Admin, "EVENT", `mutation($c: ID!) { r: createEvent(input: {title: "Bürgerservice im Kreis", kind: MEETUP,
			startsAt: "2030-03-02T10:00:00Z", endsAt: "2030-03-02T12:00:00Z", circleID: $c}) { id } }`, map[string]any{"c": s.CircleID})
		create(s.Admin, "CIRCLE", `mutation { r: createCircle(input: {name: "Bürgerservice offen", slug: "bs-offen", visibility: OPEN}) { id } }`, nil)
		create(s.Admin, "CIRCLE", `mutation { r: createCircle(input: {name: "Bürgerservice geschlossen", slug: "bs-zu", visibility: CLOSED}) { id } }`, nil)
		create(s.Admin, "ORGANISATION", `mutation { r: createOrganisation(input: {name: "Zweckverband Bürgerservice", kind: LANDKREIS}) { id } }`, nil)
		s.Anna.MustPost(t, `mutation($id: ID!) { updateMember(id: $id, input: {jobTitle: "Leitung Bürgerservice"}) { id } }`, map[string]any{"id": s.MemberID}, nil)
		created[s.MemberID] = "MEMBER"
		created[publicPractice(t, s, "Bürgerservice digital", "Zusammenfassung")] = "PRACTICE"
		create(s.Anna, "PRACTICE", `mutation($o: ID!) { r: createPractice(input: {title: "Bürgerservice (Entwurf)", organisationID: $o,
			summary: "S", problem: "P", approach: "A", outcome: "O", visibility: MEMBERS}) { id } }`, map[string]any{"o": s.OrgID})
		inCircle := create(s.Anna, "PRACTICE", `mutation($o: ID!, $c: ID!) { r: createPractice(input: {title: "Bürgerservice im Kreis", organisationID: $o,
			summary: "S", problem: "P", approach: "A", outcome: "O", visibility: CIRCLE, circleID: $c}) { id } }`, map[string]any{"o": s.OrgID, "c": s.CircleID})
		s.Anna.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, map[string]any{"id": inCircle}, nil)
		open := create(s.Anna, "DISCUSSION", `mutation { r: createDiscussion(input: {title: "Bürgerservice am Samstag?"}) { id } }`, nil)
		closed := create(s.Anna, "DISCUSSION", `mutation($c: ID!) { r: createDiscussion(input: {title: "Bürgerservice intern", circleID: $c}) { id } }`, map[string]any{"c": s.CircleID})
		created[post(t, s.Anna, open, "Der Bürgerservice hat samstags offen.", nil).ID] = "MESSAGE"
		created[post(t, s.Anna, closed, "Der Bürgerservice wird umgebaut.", nil).ID] = "MESSAGE"

		ids := slices.Sorted(maps.Keys(created))
		kinds := map[string]bool{}
		for _, k := range created {
			kinds[k] = true
		}
		for name, as := range map[string]*apitest.Session{"anonymous": env.Anonymous(), "member outside the circle": s.Jonas, "circle member": s.Anna} {
			t.Run(name, func(t *testing.T) {
				want := readable(t, as, ids)
				page := searchWith(t, as, map[string]any{"q": word})
				got := pageIDs(page)
				for _, id := range ids {
					if got[id] != want[id] {
						t.Errorf("%s %s: found %v, may read %v", created[id], id, got[id], want[id])
					}
				}
				if page.Search.TotalCount != len(want) {
					t.Errorf("total %d, but %d are readable", page.Search.TotalCount, len(want))
				}
				for kind := range kinds {
					page := searchWith(t, as, map[string]any{"q": word, "types": []string{kind}})
					n := 0
					for id := range want {
						if created[id] == kind {
							n++
						}
					}
					for _, h := range page.Search.Hits {
						if h.Type != kind || !want[h.Node.ID] {
							t.Errorf("types [%s]: hit %s of type %s", kind, h.Node.ID, h.Type)
						}
					}
					if len(page.Search.Hits) != n || page.Search.TotalCount != n {
						t.Errorf("types [%s]: %d hits, total %d, want %d", kind, len(page.Search.Hits), page.Search.TotalCount, n)
					}
				}
			})
		}
		t.Run("the viewers differ", func(t *testing.T) {
			if len(readable(t, env.Anonymous(), ids)) >= len(readable(t, s.Jonas, ids)) || len(readable(t, s.Jonas, ids)) >= len(readable(t, s.Anna, ids)) {
				t.Fatal("the seed must hide something from each viewer but the circle member")
			}
		})
	})
}

// TestSearchCompoundsAndSpellings: a word finds the compounds it is a part of ("Service"
// finds "Bürgerservice", "Termin" "Terminvergabe", also when not the last word), but not
// unrelated words that merely share its stem's letters ("Bürger" never finds or highlights
// "Burgenlandkreis"); ue/oe/ae/ss spellings and inflections find the same.
func TestSearchCompoundsAndSpellings(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		ids := map[string]string{}
		for _, title := range []string{"Bürgerservice digital", "Terminvergabe online", "Bericht aus dem Burgenlandkreis", "Das Bürgerbüro Nord",
			"Servicekonto für Unternehmen", "Straßenverkehrsbehörde Süd"} {
			ids[title] = publicPractice(t, s, title, "Zusammenfassung")
		}
		for _, row := range []struct {
			query      string
			find, miss []string
		}{
			{"Service", []string{"Bürgerservice digital", "Servicekonto für Unternehmen"}, []string{"Das Bürgerbüro Nord"}},
			{"Services digital", []string{"Bürgerservice digital"}, []string{"Servicekonto für Unternehmen"}},
			{"Termin online", []string{"Terminvergabe online"}, nil},
			{"Vergabe", []string{"Terminvergabe online"}, nil},
			{"Bürger", []string{"Bürgerservice digital", "Das Bürgerbüro Nord"}, []string{"Bericht aus dem Burgenlandkreis"}},
			{"Buerger Nord", []string{"Das Bürgerbüro Nord"}, []string{"Bericht aus dem Burgenlandkreis", "Bürgerservice digital"}},
			{"Verkehrsbehoerde", []string{"Straßenverkehrsbehörde Süd"}, nil},
			{"Strassenverkehr Sued", []string{"Straßenverkehrsbehörde Süd"}, nil},
		} {
			t.Run(row.query, func(t *testing.T) {
				page := searchWith(t, s.Jonas, map[string]any{"q": row.query, "types": []string{"PRACTICE"}})
				got := pageIDs(page)
				for _, title := range row.find {
					if !got[ids[title]] {
						t.Errorf("%q must find %q", row.query, title)
					}
				}
				for _, title := range row.miss {
					if got[ids[title]] {
						t.Errorf("%q must not find %q", row.query, title)
					}
				}
				for _, h := range page.Search.Hits {
					if strings.Contains(h.Snippet, "<mark>Burgenlandkreis</mark>") || !strings.Contains(h.Snippet, "<mark>") {
						t.Errorf("%q highlights %q", row.query, h.Snippet)
					}
				}
			})
		}
		t.Run("spellings find the same", func(t *testing.T) {
			var first map[string]bool
			for _, q := range []string{"Bürgerbüro", "Buergerbuero", "bürgerbüros", "BUERGERBUEROS", "Bürgerbüros Nord"} {
				got := pageIDs(searchWith(t, s.Jonas, map[string]any{"q": q, "types": []string{"PRACTICE"}}))
				if !got[ids["Das Bürgerbüro Nord"]] {
					t.Fatalf("%q must find the Bürgerbüro", q)
				}
				if first == nil {
					first = got
				} else if !maps.Equal(first, got) {
					t.Fatalf("%q finds %v, Bürgerbüro %v", q, got, first)
				}
			}
		})
		t.Run("a highlight in a sentence", func(t *testing.T) {
			id := publicPractice(t, s, "Beteiligung", "Wir bauen den Bürgerservice aus. Die Bürger aus dem Burgenlandkreis kommen!")
			for _, q := range []string{"Bürger", "Service"} {
				var snippet string
				for _, h := range searchWith(t, s.Jonas, map[string]any{"q": q, "types": []string{"PRACTICE"}}).Search.Hits {
					if h.Node.ID == id {
						snippet = h.Snippet
					}
				}
				if !strings.Contains(snippet, "<mark>Bürgerservice</mark> aus.") || strings.Contains(snippet, "<mark>Burgenlandkreis") {
					t.Fatalf("%q: snippet %q", q, snippet)
				}
			}
		})
	})
}

// TestSearchPhrasesFiltersAndTotals: words in double quotes match only next to each other;
// filters by type, topic, organisation and date; a total of what the viewer may see over all
// pages; highlights never end in punctuation.
func TestSearchPhrasesFiltersAndTotals(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		adjacent := publicPractice(t, s, "Die digitale Verwaltung", "Erfahrungen aus drei Jahren.")
		apart := publicPractice(t, s, "Verwaltung, digitale Akten", "Wie die Verwaltung digitale Akten führt; ein Bericht!")
		t.Run("phrases", func(t *testing.T) {
			for _, row := range []struct {
				query string
				want  []string
			}{
				{`"digitale Verwaltung"`, []string{adjacent}},
				{`"digitalen Verwaltungen"`, []string{adjacent}},
				{`digitale Verwaltung`, []string{adjacent, apart}},
				{`"Verwaltung digitale" Akten`, []string{apart}},
				{`"Verwaltung Akten"`, nil},
			} {
				got := pageIDs(searchWith(t, s.Jonas, map[string]any{"q": row.query, "types": []string{"PRACTICE"}}))
				if !maps.Equal(got, setOf(row.want...)) {
					t.Errorf("%s: found %v, want %v", row.query, got, row.want)
				}
			}
		})
		t.Run("highlights end before punctuation", func(t *testing.T) {
			for _, q := range []string{"Verwaltung", "Bericht", "Akten", `"digitale Verwaltung"`, "Jahren"} {
				for _, h := range searchWith(t, s.Jonas, map[string]any{"q": q}).Search.Hits {
					if !strings.Contains(h.Snippet, "<mark>") {
						t.Errorf("%q marks nothing in %q", q, h.Snippet)
					}
					for _, p := range []string{".</mark>", ",</mark>", ";</mark>", ":</mark>", "!</mark>", "?</mark>"} {
						if strings.Contains(h.Snippet, p) {
							t.Errorf("%q: a highlight ends in punctuation: %q", q, h.Snippet)
						}
					}
				}
			}
		})
		t.Run("filters by topic, organisation and date", func(t *testing.T) {
			var other struct{ O struct{ ID string } }
			s.Admin.MustPost(t, `mutation { o: createOrganisation(input: {name: "Stadt Anderswo", kind: KREISFREIE_STADT}) { id } }`, nil, &other)
			var onTopic struct{ R struct{ ID string } }
			s.Anna.MustPost(t, `mutation($o: ID!, $t: ID!) { r: createPractice(input: {title: "Digitale Verwaltung mit Low Code", organisationID: $o,
				summary: "S", problem: "P", approach: "A", outcome: "O", visibility: PUBLIC, topicIDs: [$t]}) { id } }`,
				map[string]any{"o": s.OrgID, "t": s.TopicID}, &onTopic)
			s.Anna.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, map[string]any{"id": onTopic.R.ID}, nil)
			var event struct{ R struct{ ID string } }
			s.Admin.MustPost(t, `mutation { r: createEvent(input: {title: "Verwaltung digital 2030", kind: MEETUP,
				startsAt: "2030-03-01T10:00:00Z", endsAt: "2030-03-01T12:00:00Z"}) { id } }`, nil, &event)
			yesterday, tomorrow := time.Now().Add(-24*time.Hour).Format(time.RFC3339), time.Now().Add(24*time.Hour).Format(time.RFC3339)
			for _, row := range []struct {
				name string
				vars map[string]any
				want []string
			}{
				{"topic", map[string]any{"topic": s.TopicID}, []string{onTopic.R.ID}},
				{"organisation", map[string]any{"org": s.OrgID, "types": []string{"PRACTICE"}}, []string{adjacent, apart, onTopic.R.ID}},
				{"another organisation", map[string]any{"org": other.O.ID}, nil},
				{"published since yesterday", map[string]any{"from": yesterday, "to": tomorrow, "types": []string{"PRACTICE"}}, []string{adjacent, apart, onTopic.R.ID}},
				{"until yesterday", map[string]any{"to": yesterday, "types": []string{"PRACTICE"}}, nil},
				{"events in 2030", map[string]any{"from": "2030-01-01T00:00:00Z", "to": "2031-01-01T00:00:00Z"}, []string{event.R.ID}},
				{"type", map[string]any{"types": []string{"EVENT"}}, []string{event.R.ID}},
			} {
				row.vars["q"] = "Verwaltung"
				page := searchWith(t, s.Jonas, row.vars)
				if got := pageIDs(page); !maps.Equal(got, setOf(row.want...)) || page.Search.TotalCount != len(row.want) {
					t.Errorf("%s: found %v (total %d), want %v", row.name, got, page.Search.TotalCount, row.want)
				}
			}
			wantError(t, s.Jonas.Post(t, `query { search(query: "Verwaltung", from: "2030-01-01T00:00:00Z", to: "2029-01-01T00:00:00Z") { totalCount } }`, nil),
				"BAD_USER_INPUT", "to")
		})
		t.Run("the total spans pages and hides drafts", func(t *testing.T) {
			var draft struct{ R struct{ ID string } }
			s.Anna.MustPost(t, `mutation($o: ID!) { r: createPractice(input: {title: "Verwaltung im Entwurf", organisationID: $o}) { id } }`,
				map[string]any{"o": s.OrgID}, &draft)
			jonas := searchWith(t, s.Jonas, map[string]any{"q": "Verwaltung", "first": 1})
			anna := searchWith(t, s.Anna, map[string]any{"q": "Verwaltung", "first": 1})
			all := searchWith(t, s.Jonas, map[string]any{"q": "Verwaltung"})
			if !jonas.Search.HasNextPage || jonas.Search.TotalCount != len(all.Search.Hits) || len(all.Search.Hits) < 3 {
				t.Fatalf("total %d over pages, %d hits in all", jonas.Search.TotalCount, len(all.Search.Hits))
			}
			if anna.Search.TotalCount != jonas.Search.TotalCount+1 {
				t.Fatalf("the author counts her draft (%d), others do not (%d)", anna.Search.TotalCount, jonas.Search.TotalCount)
			}
		})
	})
}

func setOf(ids ...string) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}
