package graph

import (
	"context"
	"strconv"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/indicator"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
	"zirkel/ent/softwareproduct"
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
func (r *Resolver) search(ctx context.Context, query string, types []model.SearchType, first int, after *string) (*model.SearchResults, error) {
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
	kinds := make([]string, len(types))
	for i, t := range types {
		kinds[i] = string(t)
	}
	out := &model.SearchResults{Hits: []*model.SearchHit{}}
	for scanned := 0; scanned < maxScanned; {
		hits, err := r.searchIndex.Search(ctx, r.client, query, kinds, pos, candidateBatch)
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
