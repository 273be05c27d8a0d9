package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"slices"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/practice"
	"zirkel/server/auth"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// pageQuery is the practices page of the workload.
const pageQuery = `query PracticesPage { practices(first: 50) { edges { node {
  id title summary organisation { name kind }
  topics(first: 10) { edges { node { slug name } } }
  authors(first: 10) { edges { node { displayName } } } } } } }`

// pageSize is what pageQuery asks for.
const pageSize = 50

// loadCase is one viewer's request with the answer every response must equal.
type loadCase struct {
	viewer string // member or anonymous
	token  string
	answer []byte
}

// page is the answer to pageQuery.
type page struct {
	Data struct {
		Practices struct {
			Edges []struct{ Node pageNode }
		}
	}
}

type pageNode struct {
	ID, Title, Summary string
	Organisation       struct{ Name, Kind string }
	Topics             struct {
		Edges []struct{ Node struct{ Slug, Name string } }
	}
	Authors struct {
		Edges []struct{ Node struct{ DisplayName string } }
	}
}

// checkAnswers asks for the page as the reader and anonymously, and checks each answer against
// a direct ent query under the same viewer: the same 50 practices in the same order with the
// same fields. The answers must also be the same on a second request, so that the load can
// compare every response with them byte by byte.
func checkAnswers(ctx context.Context, s *server, t *target) ([]loadCase, error) {
	token, err := s.login()
	if err != nil {
		return nil, err
	}
	m, err := t.store.Client.Member.Query().Where(member.Email(readerEmail)).Only(policy.System(ctx))
	if err != nil {
		return nil, fmt.Errorf("finding the reader: %w", err)
	}
	v, err := auth.LoadViewer(ctx, t.store.Client, m)
	if err != nil {
		return nil, err
	}
	cases := []loadCase{{viewer: "member", token: token}, {viewer: "anonymous"}}
	viewers := []*viewer.Viewer{v, nil}
	for i := range cases {
		c := &cases[i]
		if c.answer, err = s.post(c.token, pageQuery, nil); err != nil {
			return nil, fmt.Errorf("%s: %w", c.viewer, err)
		}
		again, err := s.post(c.token, pageQuery, nil)
		if err != nil || string(again) != string(c.answer) {
			return nil, fmt.Errorf("%s: a second request answered differently (%v)", c.viewer, err)
		}
		want, err := expectedPage(viewer.NewContext(ctx, viewers[i]), t.store.Client)
		if err != nil {
			return nil, err
		}
		var got page
		if err := json.Unmarshal(c.answer, &got); err != nil {
			return nil, err
		}
		if err := samePage(got, want, viewers[i] != nil); err != nil {
			return nil, fmt.Errorf("%s: %w", c.viewer, err)
		}
		log.Printf("%s: %s answer checked: %d practices, %d bytes", t.db, c.viewer, len(want), len(c.answer))
	}
	if string(cases[0].answer) == string(cases[1].answer) {
		return nil, fmt.Errorf("the member and the anonymous visitor see the same page: the workload should tell them apart")
	}
	return cases, nil
}

// expectedPage is the first page by id of the practices the context's viewer may read, with
// their organisation, topics and authors, straight from ent (the privacy rules apply).
func expectedPage(ctx context.Context, client *ent.Client) ([]*ent.Practice, error) {
	ps, err := client.Practice.Query().Order(ent.Asc(practice.FieldID)).Limit(pageSize).
		WithOrganisation().WithTopics().WithAuthors().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("querying the expected page: %w", err)
	}
	return ps, nil
}

// samePage compares the answer with ent's practices; topics and authors as sets. Members see
// 1-3 authors per practice; anonymous visitors see no members, so no authors.
func samePage(got page, want []*ent.Practice, member bool) error {
	edges := got.Data.Practices.Edges
	if len(edges) != pageSize || len(want) != pageSize {
		return fmt.Errorf("%d practices answered, %d expected, want %d", len(edges), len(want), pageSize)
	}
	for i, e := range edges {
		n, w := e.Node, want[i]
		if n.ID != string(w.ID) || n.Title != w.Title || n.Summary != w.Summary || n.Title == "" || n.Summary == "" {
			return fmt.Errorf("practice %d: %q %q, want %s %q %q", i, n.ID, n.Title, w.ID, w.Title, w.Summary)
		}
		o := w.Edges.Organisation
		if n.Organisation.Name != o.Name || n.Organisation.Kind != string(o.Kind) {
			return fmt.Errorf("practice %s: organisation %v, want %s %s", w.ID, n.Organisation, o.Name, o.Kind)
		}
		var gotTopics, wantTopics, gotAuthors, wantAuthors []string
		for _, t := range n.Topics.Edges {
			gotTopics = append(gotTopics, t.Node.Slug+"/"+t.Node.Name)
		}
		for _, t := range w.Edges.Topics {
			wantTopics = append(wantTopics, t.Slug+"/"+t.Name)
		}
		for _, a := range n.Authors.Edges {
			gotAuthors = append(gotAuthors, a.Node.DisplayName)
		}
		for _, a := range w.Edges.Authors {
			wantAuthors = append(wantAuthors, a.DisplayName)
		}
		if !sameSet(gotTopics, wantTopics) || len(wantTopics) < 1 || len(wantTopics) > 3 {
			return fmt.Errorf("practice %s: topics %v, want %v", w.ID, gotTopics, wantTopics)
		}
		if !sameSet(gotAuthors, wantAuthors) || member != (len(wantAuthors) > 0) || len(wantAuthors) > 3 {
			return fmt.Errorf("practice %s: authors %v, want %v", w.ID, gotAuthors, wantAuthors)
		}
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
