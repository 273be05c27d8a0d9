package graph_test

import (
	"testing"

	"zirkel/server/apitest"
)

func TestPracticeLifecycle(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		s := newSeed(t, env)
		vars := map[string]any{"org": s.OrgID, "a": s.MemberID, "t": s.TopicID, "c": s.CircleID}
		var created struct {
			P struct {
				ID, Status  string
				PublishedAt *string
			} `json:"createPractice"`
		}
		s.Anna.MustPost(t, `mutation($org: ID!, $t: ID!) { createPractice(input: {
			title: "Low-Code-Plattform für Fachverfahren", organisationID: $org, topicIDs: [$t],
			maturity: PILOT, softwareUsed: ["Budibase"], effortPersonDays: 40 }) { id status publishedAt } }`, vars, &created)
		p := created.P
		if p.Status != "DRAFT" || p.PublishedAt != nil {
			t.Fatalf("a new practice must be a draft: %+v", p)
		}
		vars["id"] = p.ID

		res := s.Anna.Post(t, `mutation($id: ID!) { publishPractice(id: $id) { id } }`, vars)
		wantError(t, res, "BAD_USER_INPUT", "summary")

		s.Anna.MustPost(t, `mutation($id: ID!) { updatePractice(id: $id, input: {summary: "S", problem: "P", approach: "A", outcome: "O",
			lessonsLearned: "Die erste Schnittstelle scheiterte am Datenschutz."}) { id } }`, vars, nil)
		var pub struct {
			P struct {
				Status       string
				PublishedAt  *string
				Organisation struct{ Name string }
				Authors      struct{ TotalCount int }
				Topics       struct{ TotalCount int }
				SoftwareUsed []string
			} `json:"publishPractice"`
		}
		s.Anna.MustPost(t, `mutation($id: ID!) { publishPractice(id: $id) { status publishedAt organisation { name }
			authors(first: 5) { totalCount } topics(first: 5) { totalCount } softwareUsed } }`, vars, &pub)
		if pub.P.Status != "PUBLISHED" || pub.P.PublishedAt == nil || pub.P.Authors.TotalCount != 1 ||
			pub.P.Topics.TotalCount != 1 || len(pub.P.SoftwareUsed) != 1 {
			t.Fatalf("got %+v", pub.P)
		}
		var arch struct {
			P struct{ Status string } `json:"archivePractice"`
		}
		s.Anna.MustPost(t, `mutation($id: ID!) { archivePractice(id: $id) { status } }`, vars, &arch)
		if arch.P.Status != "ARCHIVED" {
			t.Fatalf("got %+v", arch.P)
		}

		t.Run("someone else's draft cannot be archived and is not found", func(t *testing.T) {
			var draft struct{ CreatePractice struct{ ID string } }
			s.Anna.MustPost(t, `mutation($o: ID!) { createPractice(input: {title: "Entwurf", organisationID: $o, summary: "S", problem: "P",
				approach: "A", outcome: "O"}) { id } }`, map[string]any{"o": s.OrgID}, &draft)
			res := s.Jonas.Post(t, `mutation($id: ID!) { archivePractice(id: $id) { id } }`, map[string]any{"id": draft.CreatePractice.ID})
			wantError(t, res, "NOT_FOUND", "id")
		})

		t.Run("circle visibility needs a circle", func(t *testing.T) {
			res := s.Anna.Post(t, `mutation($id: ID!) { updatePractice(id: $id, input: {visibility: CIRCLE}) { id } }`, vars)
			wantError(t, res, "BAD_USER_INPUT", "circleID")
			res = s.Anna.Post(t, `mutation($id: ID!, $c: ID!) { updatePractice(id: $id, input: {visibility: CIRCLE, circleID: $c}) { id } }`, vars)
			wantError(t, res, "FORBIDDEN", "") // not a member of that circle yet
			s.Admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`,
				map[string]any{"c": s.CircleID, "m": s.MemberID}, nil)
			s.Anna.MustPost(t, `mutation($id: ID!, $c: ID!) { updatePractice(id: $id, input: {visibility: CIRCLE, circleID: $c}) { id } }`, vars, nil)
			res = s.Anna.Post(t, `mutation($id: ID!) { updatePractice(id: $id, input: {clearCircle: true}) { id } }`, vars)
			wantError(t, res, "BAD_USER_INPUT", "circleID")
		})

		t.Run("references of the wrong type", func(t *testing.T) {
			res := s.Anna.Post(t, `mutation($a: ID!) { createPractice(input: {title: "X", organisationID: $a}) { id } }`, vars)
			wantError(t, res, "BAD_USER_INPUT", "organisationID")
			res = s.Anna.Post(t, `mutation($org: ID!) { createPractice(input: {title: "X", organisationID: $org, authorIDs: [$org]}) { id } }`, vars)
			wantError(t, res, "BAD_USER_INPUT", "authorIDs")
		})

		t.Run("malformed id", func(t *testing.T) {
			res := s.Anna.Post(t, `mutation { publishPractice(id: "1") { id } }`, nil)
			wantError(t, res, "BAD_USER_INPUT", "id")
		})
	})
}

// TestMutationIsAtomic: when any part of a mutation fails, nothing of it is written.
func TestMutationIsAtomic(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: "ADMIN"})
		res := admin.Post(t, `mutation {
			a: createTopic(input: {slug: "cloud", name: "Cloud"}) { id }
			b: createTopic(input: {slug: "BAD SLUG", name: "Bad"}) { id }
		}`, nil)
		wantError(t, res, "BAD_USER_INPUT", "slug")
		var out struct {
			Topics struct{ TotalCount int }
		}
		env.MustPost(t, `{ topics(first: 10) { totalCount } }`, nil, &out)
		if out.Topics.TotalCount != 0 {
			t.Fatalf("a failed mutation left %d topics behind", out.Topics.TotalCount)
		}
	})
}
