package graph

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"zirkel/ent"
	"zirkel/ent/organisation"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/ent/softwareproduct"
	"zirkel/ent/softwareusage"
	"zirkel/ent/topic"
	"zirkel/graph/model"
	"zirkel/server/anonymity"
	"zirkel/server/apperr"
	"zirkel/server/policy"
	"zirkel/server/viewer"
)

// maxSummaries caps the products one landscape query returns.
const maxSummaries = 100

// softwareForTopic summarises the usages of a topic, optionally among some organisations
// only: organisations per product, mean satisfaction, share who would recommend it. Viewers
// who may not read single usages (vendors) get the summary computed by the server, with only
// the products, means and shares that stand for at least anonymity.K organisations.
func softwareForTopic(ctx context.Context, c *ent.Client, topicID gid.ID, first int, among ...predicate.Organisation) ([]*model.SoftwareUsageSummary, error) {
	if first < 1 || first > maxSummaries {
		return nil, apperr.Invalid("first", "must be between 1 and 100")
	}
	if _, err := c.Topic.Get(ctx, topicID); err != nil {
		return nil, notFoundAs("topicID", err)
	}
	where := []predicate.SoftwareUsage{softwareusage.HasTopicWith(topic.ID(topicID))}
	if len(among) > 0 {
		where = append(where, softwareusage.HasOrganisationWith(among...))
	}
	aggregateOnly := !policy.MayReadSoftwareUsages(viewer.FromContext(ctx))
	var usages []*ent.SoftwareUsage
	var err error
	if aggregateOnly {
		usages, err = policy.UsagesForAggregates(ctx, c, where...)
	} else {
		usages, err = c.SoftwareUsage.Query().Where(where...).WithProduct().WithOrganisation().All(ctx)
	}
	if err != nil {
		return nil, err
	}
	tallies := tallyUsages(usages)
	if aggregateOnly {
		if tallies, err = publishedOnTopic(ctx, c, topicID, tallies, len(among) > 0); err != nil {
			return nil, err
		}
	}
	out := make([]*model.SoftwareUsageSummary, 0)
	for _, t := range tallies {
		if s := t.summary(aggregateOnly); s != nil {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *model.SoftwareUsageSummary) int {
		if a.Organisations != b.Organisations {
			return b.Organisations - a.Organisations
		}
		return strings.Compare(a.Product.Name, b.Product.Name)
	})
	return out[:min(first, len(out))], nil
}

// publishedOnTopic keeps of the tallies on one topic (for viewers who may only see
// aggregates) the products whose landscape shows the topic: the same decision as
// SoftwareProduct.landscape, so that a count the landscape hides (or one it hides to protect
// another) cannot be read here instead. Among a subset of the organisations (subset), the
// subset's count is shown only where its complement on the topic (the others) may be shown too,
// or the landscape's count minus it would name a small group.
func publishedOnTopic(ctx context.Context, c *ent.Client, topicID gid.ID, tallies map[gid.ID]*usageTally, subset bool) (map[gid.ID]*usageTally, error) {
	if len(tallies) == 0 {
		return tallies, nil
	}
	all, err := policy.UsagesForAggregates(ctx, c, softwareusage.HasProductWith(softwareproduct.IDIn(slices.Collect(maps.Keys(tallies))...)))
	if err != nil {
		return nil, err
	}
	whole := tallyUsages(all)
	out := map[gid.ID]*usageTally{}
	for id, t := range tallies {
		w := whole[id]
		if w == nil || !w.shownTopics()[topicID] {
			continue
		}
		if subset && anonymity.Hide([]int{len(t.orgs), len(w.topics[topicID]) - len(t.orgs)})[0] {
			continue
		}
		out[id] = t
	}
	return out, nil
}

// usageTally gathers one product's usages.
type usageTally struct {
	product                      *ent.SoftwareProduct
	orgs, ratedBy                map[gid.ID]bool
	topics                       map[gid.ID]map[gid.ID]bool
	ratings                      map[gid.ID]*orgRatings
	rated, ratingSum, asked, rec int
}

// orgRatings are one organisation's ratings of a product and when it first rated it.
type orgRatings struct {
	first  time.Time
	sum, n int
}

// tallyUsages groups usages (loaded with product and organisation) by product.
func tallyUsages(usages []*ent.SoftwareUsage) map[gid.ID]*usageTally {
	byProduct := map[gid.ID]*usageTally{}
	for _, u := range usages {
		p, org := u.Edges.Product, u.Edges.Organisation.ID
		t := byProduct[p.ID]
		if t == nil {
			t = &usageTally{product: p, orgs: map[gid.ID]bool{}, ratedBy: map[gid.ID]bool{}, topics: map[gid.ID]map[gid.ID]bool{}, ratings: map[gid.ID]*orgRatings{}}
			byProduct[p.ID] = t
		}
		t.orgs[org] = true
		if u.Edges.Topic != nil {
			if t.topics[u.Edges.Topic.ID] == nil {
				t.topics[u.Edges.Topic.ID] = map[gid.ID]bool{}
			}
			t.topics[u.Edges.Topic.ID][org] = true
		}
		if u.Satisfaction != nil {
			t.rated++
			t.ratingSum += *u.Satisfaction
			t.ratedBy[org] = true
			r := t.ratings[org]
			if r == nil {
				r = &orgRatings{first: u.CreatedAt}
				t.ratings[org] = r
			}
			r.first = minTime(r.first, u.CreatedAt)
			r.sum += *u.Satisfaction
			r.n++
		}
		if u.WouldRecommend != nil {
			t.asked++
			if *u.WouldRecommend {
				t.rec++
			}
		}
	}
	return byProduct
}

// summary is the tally as a summary. With aggregateOnly it is nil below anonymity.K
// organisations and has no means: a product's mean over one topic beside its mean over all
// (SoftwareProduct.landscape) would give away the ratings of the few who use it otherwise.
func (t *usageTally) summary(aggregateOnly bool) *model.SoftwareUsageSummary {
	if aggregateOnly && !anonymity.Enough(len(t.orgs)) {
		return nil
	}
	s := &model.SoftwareUsageSummary{Product: t.product, Organisations: len(t.orgs)}
	if aggregateOnly {
		return s
	}
	s.AverageSatisfaction = t.averageSatisfaction()
	if t.asked > 0 {
		share := float64(t.rec) / float64(t.asked)
		s.RecommendShare = &share
	}
	return s
}

// averageSatisfaction is the mean rating, or nil when no usage rated the product.
func (t *usageTally) averageSatisfaction() *float64 {
	if t.rated == 0 {
		return nil
	}
	avg := float64(t.ratingSum) / float64(t.rated)
	return &avg
}

// steppedSatisfaction is the mean rating for viewers who may only see aggregates: over the
// organisations that rated the product first, as many of them as the last multiple of
// anonymity.K (nil below anonymity.K). So the mean changes only when K more organisations have
// rated, and the difference between two readings is the sum of at least K organisations'
// ratings, never one newcomer's rating. (Rounding the mean instead would not do: the step in
// which a rounded mean moves still tells whether the newcomer rated high or low.)
func (t *usageTally) steppedSatisfaction() *float64 {
	m := len(t.ratings) / anonymity.K * anonymity.K
	if m == 0 {
		return nil
	}
	orgs := slices.SortedFunc(maps.Keys(t.ratings), func(a, b gid.ID) int {
		if c := t.ratings[a].first.Compare(t.ratings[b].first); c != 0 {
			return c
		}
		return strings.Compare(string(a), string(b))
	})
	sum, n := 0, 0
	for _, org := range orgs[:m] {
		sum, n = sum+t.ratings[org].sum, n+t.ratings[org].n
	}
	avg := float64(sum) / float64(n)
	return &avg
}

// minTime is the earlier of two times.
func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// shownTopics is the one decision which of the product's topics its aggregates show: those
// anonymity.Hide leaves shown in the table of organisations per topic.
func (t *usageTally) shownTopics() map[gid.ID]bool {
	topicIDs := slices.Sorted(maps.Keys(t.topics))
	counts := make([]int, len(topicIDs))
	for i, id := range topicIDs {
		counts[i] = len(t.topics[id])
	}
	hidden := anonymity.Hide(counts)
	shown := map[gid.ID]bool{}
	for i, id := range topicIDs {
		if !hidden[i] {
			shown[id] = true
		}
	}
	return shown
}

// landscape is a product's aggregate over all organisations that use it, for everyone who
// sees the product (vendors included): nil below anonymity.K organisations, topics and the
// mean satisfaction only where they stand for at least anonymity.K (see anonymity.Hide); for
// viewers who may only see aggregates the mean moves in steps of anonymity.K organisations
// (see steppedSatisfaction).
func landscape(ctx context.Context, c *ent.Client, p *ent.SoftwareProduct) (*model.SoftwareLandscape, error) {
	if viewer.FromContext(ctx) == nil {
		return nil, nil
	}
	usages, err := policy.UsagesForAggregates(ctx, c, softwareusage.HasProductWith(softwareproduct.ID(p.ID)))
	if err != nil {
		return nil, err
	}
	t := tallyUsages(usages)[p.ID]
	if t == nil || !anonymity.Enough(len(t.orgs)) {
		return nil, nil
	}
	out := &model.SoftwareLandscape{Organisations: len(t.orgs), Topics: []*model.SoftwareTopicCount{}}
	switch {
	case !policy.MayReadSoftwareUsages(viewer.FromContext(ctx)):
		out.AverageSatisfaction = t.steppedSatisfaction()
	case anonymity.Enough(len(t.ratedBy)):
		out.AverageSatisfaction = t.averageSatisfaction()
	}
	shown := slices.Collect(maps.Keys(t.shownTopics()))
	topics, err := c.Topic.Query().Where(topic.IDIn(shown...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, tp := range topics {
		out.Topics = append(out.Topics, &model.SoftwareTopicCount{Topic: tp, Count: len(t.topics[tp.ID])})
	}
	slices.SortFunc(out.Topics, func(a, b *model.SoftwareTopicCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Topic.Name, b.Topic.Name)
	})
	return out, nil
}

// peersOf matches organisations like the viewer's (see peersLike).
func peersOf(ctx context.Context, c *ent.Client) ([]predicate.Organisation, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if v.OrganisationID == "" {
		return nil, apperr.Invalid("topicID", "the viewer belongs to no organisation")
	}
	own, err := c.Organisation.Get(ctx, v.OrganisationID)
	if err != nil {
		return nil, err
	}
	return peersLike(own), nil
}

// peersLike matches organisations like own, own included: same kind and, where the
// population is known, half to twice of it. Benchmarks and the software landscape share it.
func peersLike(own *ent.Organisation) []predicate.Organisation {
	peers := []predicate.Organisation{organisation.KindEQ(own.Kind)}
	if own.Population != nil {
		peers = append(peers, organisation.PopulationGTE(*own.Population/2), organisation.PopulationLTE(*own.Population*2))
	}
	return peers
}
