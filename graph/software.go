package graph

import (
	"context"
	"slices"
	"strings"

	"zirkel/ent"
	"zirkel/ent/organisation"
	"zirkel/ent/predicate"
	"zirkel/ent/schema/gid"
	"zirkel/ent/softwareusage"
	"zirkel/ent/topic"
	"zirkel/graph/model"
	"zirkel/server/apperr"
)

// maxSummaries caps the products one landscape query returns.
const maxSummaries = 100

// softwareForTopic summarises the usages of a topic, optionally among some organisations
// only: organisations per product, mean satisfaction, share who would recommend it.
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
	usages, err := c.SoftwareUsage.Query().Where(where...).WithProduct().WithOrganisation().All(ctx)
	if err != nil {
		return nil, err
	}
	type tally struct {
		summary                      *model.SoftwareUsageSummary
		orgs                         map[gid.ID]bool
		rated, ratingSum, asked, rec int
	}
	byProduct := map[gid.ID]*tally{}
	for _, u := range usages {
		p := u.Edges.Product
		t := byProduct[p.ID]
		if t == nil {
			t = &tally{summary: &model.SoftwareUsageSummary{Product: p}, orgs: map[gid.ID]bool{}}
			byProduct[p.ID] = t
		}
		t.orgs[u.Edges.Organisation.ID] = true
		if u.Satisfaction != nil {
			t.rated++
			t.ratingSum += *u.Satisfaction
		}
		if u.WouldRecommend != nil {
			t.asked++
			if *u.WouldRecommend {
				t.rec++
			}
		}
	}
	out := make([]*model.SoftwareUsageSummary, 0, len(byProduct))
	for _, t := range byProduct {
		t.summary.Organisations = len(t.orgs)
		if t.rated > 0 {
			avg := float64(t.ratingSum) / float64(t.rated)
			t.summary.AverageSatisfaction = &avg
		}
		if t.asked > 0 {
			share := float64(t.rec) / float64(t.asked)
			t.summary.RecommendShare = &share
		}
		out = append(out, t.summary)
	}
	slices.SortFunc(out, func(a, b *model.SoftwareUsageSummary) int {
		if a.Organisations != b.Organisations {
			return b.Organisations - a.Organisations
		}
		return strings.Compare(a.Product.Name, b.Product.Name)
	})
	return out[:min(first, len(out))], nil
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
