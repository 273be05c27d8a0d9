package graph

import (
	"context"
	"maps"
	"slices"
	"strings"

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
	readCtx, aggregateOnly := ctx, !policy.MayReadSoftwareUsages(viewer.FromContext(ctx))
	if aggregateOnly {
		readCtx = policy.System(ctx)
	}
	usages, err := c.SoftwareUsage.Query().Where(where...).WithProduct().WithOrganisation().All(readCtx)
	if err != nil {
		return nil, err
	}
	out := make([]*model.SoftwareUsageSummary, 0)
	for _, t := range tallyUsages(usages) {
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

// usageTally gathers one product's usages.
type usageTally struct {
	product                      *ent.SoftwareProduct
	orgs, ratedBy                map[gid.ID]bool
	topics                       map[gid.ID]map[gid.ID]bool
	rated, ratingSum, asked, rec int
}

// tallyUsages groups usages (loaded with product and organisation) by product.
func tallyUsages(usages []*ent.SoftwareUsage) map[gid.ID]*usageTally {
	byProduct := map[gid.ID]*usageTally{}
	for _, u := range usages {
		p, org := u.Edges.Product, u.Edges.Organisation.ID
		t := byProduct[p.ID]
		if t == nil {
			t = &usageTally{product: p, orgs: map[gid.ID]bool{}, ratedBy: map[gid.ID]bool{}, topics: map[gid.ID]map[gid.ID]bool{}}
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

// landscape is a product's aggregate over all organisations that use it, for everyone who
// sees the product (vendors included): nil below anonymity.K organisations, topics and the
// mean satisfaction only where they stand for at least anonymity.K (see anonymity.Hide).
func landscape(ctx context.Context, c *ent.Client, p *ent.SoftwareProduct) (*model.SoftwareLandscape, error) {
	if viewer.FromContext(ctx) == nil {
		return nil, nil
	}
	usages, err := c.SoftwareUsage.Query().Where(softwareusage.HasProductWith(softwareproduct.ID(p.ID))).
		WithProduct().WithOrganisation().WithTopic().All(policy.System(ctx))
	if err != nil {
		return nil, err
	}
	t := tallyUsages(usages)[p.ID]
	if t == nil || !anonymity.Enough(len(t.orgs)) {
		return nil, nil
	}
	out := &model.SoftwareLandscape{Organisations: len(t.orgs), Topics: []*model.SoftwareTopicCount{}}
	if anonymity.Enough(len(t.ratedBy)) {
		out.AverageSatisfaction = t.averageSatisfaction()
	}
	topicIDs := slices.Sorted(maps.Keys(t.topics))
	counts := make([]int, len(topicIDs))
	for i, id := range topicIDs {
		counts[i] = len(t.topics[id])
	}
	hidden := anonymity.Hide(counts)
	var shown []gid.ID
	for i, id := range topicIDs {
		if !hidden[i] {
			shown = append(shown, id)
		}
	}
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
