package graph

import (
	"context"
	"strconv"
	"time"

	"entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/indicator"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/ent/softwareproduct"
	"zirkel/ent/softwareusage"
	"zirkel/ent/topic"
	"zirkel/graph/model"
	"zirkel/server/apperr"
	"zirkel/server/search"
)

// Candidates are read from the index in batches until a page is full; one request examines
// at most maxScanned of them (a viewer who may see few of very many hits pages on).
const (
	candidateBatch = 200
	maxScanned     = 2000
)

// search ranks the index's candidates, keeps those the viewer may see (loaded through the
// privacy policies, one query per type and batch) and pages through them. The cursor is the
// position in the ranked candidates where the next page starts.
func (r *Resolver) search(ctx context.Context, query string, filter search.Filter, first int, after *string) (*model.SearchResults, error) {
	if len(query) > 200 {
		return nil, apperr.Invalid("query", "at most 200 characters")
	}
	if first < 1 || first > 100 {
		return nil, apperr.Invalid("first", "must be between 1 and 100")
	}
	pos := 0
	if after != nil {
		n, err := strconv.Atoi(*after)
		if err != nil || n < 0 || n > 1_000_000 {
			return nil, apperr.Invalid("after", "is not a cursor of this search")
		}
		pos = n
	}
	if filter.From != nil && filter.To != nil && !filter.From.Before(*filter.To) {
		return nil, apperr.Invalid("to", "must be after from")
	}
	out := &model.SearchResults{Hits: []*model.SearchHit{}, Query: query, Filter: filter}
	for scanned := 0; scanned < maxScanned; {
		hits, err := r.searchIndex.Search(ctx, r.client, query, filter, pos, candidateBatch)
		if err != nil {
			return nil, err
		}
		nodes, err := r.visibleNodes(ctx, hits)
		if err != nil {
			return nil, err
		}
		for i, h := range hits {
			n, ok := nodes[h.ID]
			if !ok {
				continue
			}
			if len(out.Hits) == first { // one more exists: the next page starts here
				out.HasNextPage = true
				pos += i
				return withCursor(out, pos), nil
			}
			out.Hits = append(out.Hits, &model.SearchHit{Node: n, Type: model.SearchType(h.Kind), Score: h.Score,
				Snippet: search.Snippet(query, h.Title, h.Body)})
		}
		pos, scanned = pos+len(hits), scanned+len(hits)
		if len(hits) < candidateBatch { // no more candidates
			return withCursor(out, pos), nil
		}
	}
	out.HasNextPage = true // not all candidates were examined: the next page goes on from here
	return withCursor(out, pos), nil
}

func withCursor(out *model.SearchResults, pos int) *model.SearchResults {
	end := strconv.Itoa(pos)
	out.EndCursor = &end
	return out
}

// visibleNodes loads the hits the viewer may see, by type.
func (r *Resolver) visibleNodes(ctx context.Context, hits []search.Hit) (map[gid.ID]ent.Noder, error) {
	byKind := map[string][]gid.ID{}
	for _, h := range hits {
		byKind[h.Kind] = append(byKind[h.Kind], h.ID)
	}
	out := map[gid.ID]ent.Noder{}
	add := func(n ent.Noder, id gid.ID) { out[id] = n }
	c := r.client
	for kind, ids := range byKind {
		var err error
		switch kind {
		case "PRACTICE":
			err = collect(c.Practice.Query().Where(practice.IDIn(ids...)).All(ctx))(func(v *ent.Practice) { add(v, v.ID) })
		case "DISCUSSION":
			err = collect(c.Discussion.Query().Where(discussion.IDIn(ids...)).All(ctx))(func(v *ent.Discussion) { add(v, v.ID) })
		case "MESSAGE":
			err = collect(c.Message.Query().Where(message.IDIn(ids...)).All(ctx))(func(v *ent.Message) { add(v, v.ID) })
		case "MEMBER":
			err = collect(c.Member.Query().Where(member.IDIn(ids...)).All(ctx))(func(v *ent.Member) { add(v, v.ID) })
		case "ORGANISATION":
			err = collect(c.Organisation.Query().Where(organisation.IDIn(ids...)).All(ctx))(func(v *ent.Organisation) { add(v, v.ID) })
		case "EVENT":
			err = collect(c.Event.Query().Where(event.IDIn(ids...)).All(ctx))(func(v *ent.Event) { add(v, v.ID) })
		case "SOFTWARE_USAGE":
			err = collect(c.SoftwareUsage.Query().Where(softwareusage.IDIn(ids...)).All(ctx))(func(v *ent.SoftwareUsage) { add(v, v.ID) })
		case "SOFTWARE":
			err = collect(c.SoftwareProduct.Query().Where(softwareproduct.IDIn(ids...)).All(ctx))(func(v *ent.SoftwareProduct) { add(v, v.ID) })
		case "TOPIC":
			err = collect(c.Topic.Query().Where(topic.IDIn(ids...)).All(ctx))(func(v *ent.Topic) { add(v, v.ID) })
		case "INDICATOR":
			err = collect(c.Indicator.Query().Where(indicator.IDIn(ids...)).All(ctx))(func(v *ent.Indicator) { add(v, v.ID) })
		case "CIRCLE":
			err = collect(c.Circle.Query().Where(circle.IDIn(ids...)).All(ctx))(func(v *ent.Circle) { add(v, v.ID) })
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// searchFilter is a search's filter from the query's arguments.
func searchFilter(types []model.SearchType, topicID, organisationID *gid.ID, from, to *time.Time) search.Filter {
	f := search.Filter{From: from, To: to}
	for _, t := range types {
		f.Kinds = append(f.Kinds, string(t))
	}
	if topicID != nil {
		f.Topic = *topicID
	}
	if organisationID != nil {
		f.Organisation = *organisationID
	}
	return f
}

// searchTotal counts the hits of a search that the viewer may see: one count per type,
// through the type's privacy rules, of the rows whose id the index matches.
func (r *Resolver) searchTotal(ctx context.Context, res *model.SearchResults) (int, error) {
	kinds := res.Filter.Kinds
	if len(kinds) == 0 {
		for _, t := range model.AllSearchType {
			kinds = append(kinds, string(t))
		}
	}
	c := r.client
	total := 0
	for _, kind := range kinds {
		match := r.searchIndex.Matching(res.Query, kind, res.Filter)
		where := func(s *sql.Selector) { match(s, "id") }
		var n int
		var err error
		switch kind {
		case "PRACTICE":
			n, err = c.Practice.Query().Where(predicate.Practice(where)).Count(ctx)
		case "DISCUSSION":
			n, err = c.Discussion.Query().Where(predicate.Discussion(where)).Count(ctx)
		case "MESSAGE":
			n, err = c.Message.Query().Where(predicate.Message(where)).Count(ctx)
		case "MEMBER":
			n, err = c.Member.Query().Where(predicate.Member(where)).Count(ctx)
		case "ORGANISATION":
			n, err = c.Organisation.Query().Where(predicate.Organisation(where)).Count(ctx)
		case "EVENT":
			n, err = c.Event.Query().Where(predicate.Event(where)).Count(ctx)
		case "SOFTWARE":
			n, err = c.SoftwareProduct.Query().Where(predicate.SoftwareProduct(where)).Count(ctx)
		case "SOFTWARE_USAGE":
			n, err = c.SoftwareUsage.Query().Where(predicate.SoftwareUsage(where)).Count(ctx)
		case "TOPIC":
			n, err = c.Topic.Query().Where(predicate.Topic(where)).Count(ctx)
		case "INDICATOR":
			n, err = c.Indicator.Query().Where(predicate.Indicator(where)).Count(ctx)
		case "CIRCLE":
			n, err = c.Circle.Query().Where(predicate.Circle(where)).Count(ctx)
		}
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// collect applies f to each loaded value, or passes the query's error on.
func collect[T any](values []T, err error) func(func(T)) error {
	return func(f func(T)) error {
		if err != nil {
			return err
		}
		for _, v := range values {
			f(v)
		}
		return nil
	}
}
