package graph

import (
	"context"
	"slices"

	"zirkel/ent"
	"zirkel/ent/indicator"
	"zirkel/ent/measurement"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
	"zirkel/graph/model"
	"zirkel/server/anonymity"
	"zirkel/server/apperr"
	"zirkel/server/policy"
)

// benchmark places the viewer's organisation among its peers (peersLike). Values of others
// are read by policy.MeasurementsForBenchmark and leave only as median and quartiles, and only when at least
// anonymity.K peers reported.
func benchmark(ctx context.Context, c *ent.Client, indicatorID gid.ID, period string) (*model.Benchmark, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if v.OrganisationID == "" {
		return nil, apperr.Invalid("indicatorID", "the viewer belongs to no organisation")
	}
	ind, err := c.Indicator.Get(ctx, indicatorID)
	if err != nil {
		return nil, notFoundAs("indicatorID", err)
	}
	own, err := c.Organisation.Get(ctx, v.OrganisationID)
	if err != nil {
		return nil, err
	}
	peers := append(peersLike(own), organisation.IDNEQ(own.ID))
	ms, err := policy.MeasurementsForBenchmark(ctx, c,
		measurement.HasIndicatorWith(indicator.ID(ind.ID)), measurement.Period(period),
		measurement.HasOrganisationWith(peers...))
	if err != nil {
		return nil, err
	}
	out := &model.Benchmark{Indicator: ind, Period: period, PracticesToLearnFrom: []*ent.Practice{}}
	mine, err := c.Measurement.Query().Where(measurement.HasIndicatorWith(indicator.ID(ind.ID)), measurement.Period(period),
		measurement.HasOrganisationWith(organisation.ID(own.ID))).Only(ctx) // the viewer's own organisation's
	if err == nil {
		out.OwnValue = &mine.Value
	} else if !ent.IsNotFound(err) {
		return nil, err
	}
	if !anonymity.Enough(len(ms)) { // fewer peers could be pointed at
		out.Suppressed = true
		return out, nil
	}
	values := make([]float64, len(ms))
	for i, m := range ms {
		values[i] = m.Value
	}
	slices.Sort(values)
	out.PeerCount = len(values)
	out.Median, out.LowerQuartile, out.UpperQuartile = quantile(values, 0.5), quantile(values, 0.25), quantile(values, 0.75)
	if out.OwnValue != nil {
		if out.PracticesToLearnFrom, err = learnFrom(ctx, c, ind, ms, *out.OwnValue, [3]float64{*out.LowerQuartile, *out.Median, *out.UpperQuartile}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// learnFrom offers the published practices, visible to the viewer, that peers who did better
// linked to their measurements of this indicator. "Better" is a better quartile than the own
// value's against the published quartiles (see anonymity.Quartile), never a comparison of
// exact values: the viewer sets the own value at will and could bisect a peer's value.
func learnFrom(ctx context.Context, c *ent.Client, ind *ent.Indicator, peers []*ent.Measurement, own float64, quartiles [3]float64) ([]*ent.Practice, error) {
	quartile := func(v float64) int { return anonymity.Quartile(v, quartiles[0], quartiles[1], quartiles[2]) }
	mine := quartile(own)
	var better []gid.ID
	for _, m := range peers {
		if q := quartile(m.Value); (ind.Direction == indicator.DirectionHIGHER_IS_BETTER && q > mine) ||
			(ind.Direction == indicator.DirectionLOWER_IS_BETTER && q < mine) {
			better = append(better, m.ID)
		}
	}
	if len(better) == 0 {
		return []*ent.Practice{}, nil
	}
	return c.Practice.Query(). // with the viewer's rights: only what they may read
					Where(practice.StatusEQ(practice.StatusPUBLISHED), practice.HasMeasurementsAfterWith(measurement.IDIn(better...))).
					Order(ent.Desc(practice.FieldPublishedAt)).Limit(10).All(ctx)
}

// quantile interpolates linearly between the closest ranks of sorted values.
func quantile(sorted []float64, q float64) *float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(pos)
	hi := min(lo+1, len(sorted)-1)
	v := sorted[lo] + (pos-float64(lo))*(sorted[hi]-sorted[lo])
	return &v
}

// recordMeasurement sets the viewer's organisation's value for an indicator and period.
func recordMeasurement(ctx context.Context, c *ent.Client, indicatorID gid.ID, period string, value float64, note *string) (*ent.Measurement, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if v.OrganisationID == "" {
		return nil, apperr.Invalid("indicatorID", "the viewer belongs to no organisation")
	}
	if _, err := c.Indicator.Get(ctx, indicatorID); err != nil {
		return nil, notFoundAs("indicatorID", err)
	}
	existing, err := c.Measurement.Query().Where(measurement.HasIndicatorWith(indicator.ID(indicatorID)),
		measurement.HasOrganisationWith(organisation.ID(v.OrganisationID)), measurement.Period(period)).Only(ctx)
	switch {
	case err == nil:
		return c.Measurement.UpdateOne(existing).SetValue(value).SetNote(deref(note)).Save(ctx)
	case !ent.IsNotFound(err):
		return nil, err
	}
	return c.Measurement.Create().SetIndicatorID(indicatorID).SetOrganisationID(v.OrganisationID).
		SetPeriod(period).SetValue(value).SetNote(deref(note)).Save(ctx)
}

// linkPracticeMeasurements links a practice (its authors may change it) to measurements of
// its own organisation (server/integrity/practice.go).
func linkPracticeMeasurements(ctx context.Context, c *ent.Client, practiceID gid.ID, before, after []gid.ID) (*ent.Practice, error) {
	p, err := c.Practice.Get(ctx, practiceID)
	if err != nil {
		return nil, notFoundAs("practiceID", err)
	}
	return c.Practice.UpdateOne(p).AddMeasurementsBeforeIDs(before...).AddMeasurementsAfterIDs(after...).Save(ctx)
}
