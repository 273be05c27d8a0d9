package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/practice"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
)

// loadKnowledge writes what the community knows and plans beyond practices and discussions:
// events with registrations, the KPI catalogue with benchmark values, the software landscape
// and the competency inventory. The tables are in knowledge_data.go.
func (l *loader) loadKnowledge(ctx context.Context) error {
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"events", l.loadEvents},
		{"indicators", l.loadIndicators},
		{"measurements", l.loadMeasurements},
		{"software", l.loadSoftware},
		{"competencies", l.loadCompetencies},
		{"survey", l.loadSurvey},
	}
	for _, s := range steps {
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("creating %s: %w", s.name, err)
		}
	}
	return nil
}

// daysAhead returns a moment the given number of days after the load, at the given hour (UTC).
func (l *loader) daysAhead(days, atHour int) time.Time { return l.daysAgo(-days, atHour) }

// practiceIDs returns the ids of the practices with the given titles (unique in the demo).
func (l *loader) practiceIDs(ctx context.Context, titles ...string) ([]gid.ID, error) {
	out := make([]gid.ID, 0, len(titles))
	for _, t := range titles {
		id, err := l.client.Practice.Query().Where(practice.Title(t)).OnlyID(ctx)
		if err != nil {
			return nil, fmt.Errorf("finding practice %q: %w", t, err)
		}
		out = append(out, id)
	}
	return out, nil
}

func (l *loader) loadEvents(ctx context.Context) error {
	for _, e := range events {
		if err := checkEvent(e); err != nil {
			return fmt.Errorf("event %q: %w", e.title, err)
		}
		if err := l.createEvent(ctx, e); err != nil {
			return fmt.Errorf("creating event %q: %w", e.title, err)
		}
		l.counts.events++
		l.counts.registrations += len(e.registrations)
	}
	return nil
}

// registrationCounts returns an event's counters as the registration rows give them: registered
// counts REGISTERED and ATTENDED, the waitlist WAITLISTED; cancelled registrations count for
// neither.
func registrationCounts(regs []registrationSpec) (registered, waitlisted int) {
	for _, r := range regs {
		switch r.status {
		case registration.StatusREGISTERED, registration.StatusATTENDED:
			registered++
		case registration.StatusWAITLISTED:
			waitlisted++
		}
	}
	return registered, waitlisted
}

// checkEvent checks what the database does not: the waitlist is used only when the event is
// full, registrations happened after the event was announced and before the load, and only
// members of a circle take part in its events.
func checkEvent(e eventSpec) error {
	registered, waitlisted := registrationCounts(e.registrations)
	if e.capacity > 0 && (registered > e.capacity || waitlisted > 0 && registered < e.capacity) ||
		e.capacity == 0 && waitlisted > 0 {
		return fmt.Errorf("%d registered and %d waitlisted for capacity %d", registered, waitlisted, e.capacity)
	}
	if e.deadlineInDays > e.inDays {
		return fmt.Errorf("registration closes after the start")
	}
	var inCircle map[string]bool
	if e.circle != "" {
		inCircle = circleMemberKeys(e.circle)
	}
	for _, r := range e.registrations {
		if r.daysAgo < 1 || r.daysAgo >= e.createdDaysAgo {
			return fmt.Errorf("%s registered %d days ago, the event was announced %d days ago", r.member, r.daysAgo, e.createdDaysAgo)
		}
		if inCircle != nil && !inCircle[r.member] {
			return fmt.Errorf("%s is not a member of circle %s", r.member, e.circle)
		}
	}
	return nil
}

// circleMemberKeys returns the keys of a circle's moderators and members.
func circleMemberKeys(slug string) map[string]bool {
	out := map[string]bool{}
	for _, c := range circles {
		if c.slug == slug {
			for _, k := range append(append([]string{}, c.moderators...), c.members...) {
				out[k] = true
			}
		}
	}
	return out
}

func (l *loader) createEvent(ctx context.Context, e eventSpec) error {
	organisers, err := lookup("member", l.members, e.organisers...)
	if err != nil {
		return err
	}
	registered, waitlisted := registrationCounts(e.registrations)
	starts := l.daysAhead(e.inDays, e.atHour)
	announced := l.daysAgo(e.createdDaysAgo, 9)
	c := l.client.Event.Create().SetTitle(e.title).SetDescription(e.description).SetKind(e.kind).
		SetStartsAt(starts).SetEndsAt(starts.Add(time.Duration(e.hours) * time.Hour)).
		AddOrganiserIDs(organisers...).SetRegisteredCount(registered).SetWaitlistCount(waitlisted).
		SetCreatedAt(announced).SetUpdatedAt(announced)
	if e.place != "" {
		c.SetPlace(e.place)
	}
	if e.onlineURL != "" {
		c.SetOnlineURL(e.onlineURL)
	}
	if e.capacity > 0 {
		c.SetCapacity(e.capacity)
	}
	if e.deadlineInDays > 0 {
		c.SetRegistrationDeadline(l.daysAhead(e.deadlineInDays, 22))
	}
	if e.circle != "" {
		circleID, err := lookupOne("circle", l.circles, e.circle)
		if err != nil {
			return err
		}
		c.SetCircleID(circleID)
	}
	created, err := c.Save(ctx)
	if err != nil {
		return err
	}
	return l.createRegistrations(ctx, created.ID, e.registrations)
}

// createRegistrations writes an event's registrations; those of one day are a few minutes
// apart, in the order of the table, which is the order of the waitlist.
func (l *loader) createRegistrations(ctx context.Context, eventID gid.ID, regs []registrationSpec) error {
	builders := make([]*ent.RegistrationCreate, len(regs))
	for i, r := range regs {
		memberID, err := lookupOne("member", l.members, r.member)
		if err != nil {
			return err
		}
		at := l.daysAgo(r.daysAgo, 8).Add(time.Duration(i*23) * time.Minute)
		builders[i] = l.client.Registration.Create().SetEventID(eventID).SetMemberID(memberID).
			SetStatus(r.status).SetRegisteredAt(at).SetCreatedAt(at).SetUpdatedAt(at)
	}
	return l.client.Registration.CreateBulk(builders...).Exec(ctx)
}

func (l *loader) loadIndicators(ctx context.Context) error {
	for _, ind := range indicators {
		topicIDs, err := lookup("topic", l.topics, ind.topics...)
		if err != nil {
			return err
		}
		created, err := l.client.Indicator.Create().SetName(ind.name).SetDefinition(ind.definition).
			SetUnit(ind.unit).SetTargetGroup(ind.group).SetDirection(ind.direction).
			SetSourceReference(ind.source).AddTopicIDs(topicIDs...).Save(ctx)
		if err != nil {
			return fmt.Errorf("creating indicator %s: %w", ind.key, err)
		}
		l.indicators[ind.key] = created.ID
	}
	return nil
}

// benchmarkMeasurements returns the generated values of the benchmark period: every benchmark
// district reports every indicator except a few gaps, with a value spread over the indicator's
// range by a fixed formula on the district's and the indicator's index. Values that the
// hand-written measurements give are left out.
func benchmarkMeasurements(given map[string]bool) []measurementSpec {
	var out []measurementSpec
	for j, ind := range indicators {
		for i, org := range benchmarkDistricts {
			if (i+2*j)%9 == 8 || given[measurementKey(ind.key, org, benchmarkPeriod)] {
				continue
			}
			t := float64((i*7+j*5+3)%13) / 12
			v := math.Round((ind.low+(ind.high-ind.low)*t)*10) / 10
			out = append(out, measurementSpec{indicator: ind.key, org: org, period: benchmarkPeriod, value: v})
		}
	}
	return out
}

// measurementKey identifies a measurement as the database's unique key does.
func measurementKey(indicator, org, period string) string {
	return indicator + "/" + org + "/" + period
}

func (l *loader) loadMeasurements(ctx context.Context) error {
	given := map[string]bool{}
	for _, m := range practiceMeasurements {
		given[measurementKey(m.indicator, m.org, m.period)] = true
	}
	all := append(append([]measurementSpec{}, practiceMeasurements...), benchmarkMeasurements(given)...)
	for start := 0; start < len(all); start += bulkSize {
		batch := all[start:min(start+bulkSize, len(all))]
		builders := make([]*ent.MeasurementCreate, len(batch))
		for i, m := range batch {
			c, err := l.measurementCreate(ctx, m)
			if err != nil {
				return err
			}
			builders[i] = c
		}
		if err := l.client.Measurement.CreateBulk(builders...).Exec(ctx); err != nil {
			return err
		}
	}
	l.counts.measurements += len(all)
	return nil
}

// measurementCreate returns the builder of a measurement, linked to the practices it documents.
func (l *loader) measurementCreate(ctx context.Context, m measurementSpec) (*ent.MeasurementCreate, error) {
	indicatorID, err := lookupOne("indicator", l.indicators, m.indicator)
	if err != nil {
		return nil, err
	}
	org, err := lookupOne("organisation", l.orgs, m.org)
	if err != nil {
		return nil, err
	}
	c := l.client.Measurement.Create().SetIndicatorID(indicatorID).SetOrganisationID(org).
		SetPeriod(m.period).SetValue(m.value)
	if m.note != "" {
		c.SetNote(m.note)
	}
	for _, link := range []struct {
		title string
		add   func(...gid.ID) *ent.MeasurementCreate
	}{{m.before, c.AddPracticesBeforeIDs}, {m.after, c.AddPracticesAfterIDs}} {
		if link.title == "" {
			continue
		}
		ids, err := l.practiceIDs(ctx, link.title)
		if err != nil {
			return nil, err
		}
		link.add(ids...)
	}
	return c, nil
}

func (l *loader) loadSoftware(ctx context.Context) error {
	for _, p := range products {
		c := l.client.SoftwareProduct.Create().SetName(p.name).SetCategory(p.category).
			SetOpenSource(p.openSource).SetEfa(p.efa).SetWebsite(p.website)
		if p.vendor != "" {
			vendor, err := lookupOne("organisation", l.orgs, p.vendor)
			if err != nil {
				return err
			}
			c.SetVendorID(vendor)
		}
		practiceIDs, err := l.practiceIDs(ctx, p.practices...)
		if err != nil {
			return err
		}
		created, err := c.AddPracticeIDs(practiceIDs...).Save(ctx)
		if err != nil {
			return fmt.Errorf("creating product %s: %w", p.name, err)
		}
		l.products[p.key] = created.ID
	}
	for i, u := range usages {
		if err := l.createUsage(ctx, u); err != nil {
			return fmt.Errorf("creating usage %d (%s at %s): %w", i+1, u.product, u.org, err)
		}
	}
	l.counts.usages += len(usages)
	return nil
}

func (l *loader) createUsage(ctx context.Context, u usageSpec) error {
	product, err := lookupOne("product", l.products, u.product)
	if err != nil {
		return err
	}
	org, err := lookupOne("organisation", l.orgs, u.org)
	if err != nil {
		return err
	}
	topic, err := lookupOne("topic", l.topics, u.topic)
	if err != nil {
		return err
	}
	c := l.client.SoftwareUsage.Create().SetProductID(product).SetOrganisationID(org).SetTopicID(topic).
		SetTask(u.task).SetSince(u.since)
	if u.notes != "" {
		c.SetNotes(u.notes)
	}
	if u.satisfaction > 0 {
		c.SetSatisfaction(u.satisfaction)
	}
	if u.recommend != noAnswer {
		c.SetWouldRecommend(u.recommend == recommends)
	}
	if u.contact != "" {
		if !memberOf(u.contact, u.org) {
			return fmt.Errorf("contact %s does not work at %s", u.contact, u.org)
		}
		contact, err := lookupOne("member", l.members, u.contact)
		if err != nil {
			return err
		}
		c.SetContactID(contact)
	}
	return c.Exec(ctx)
}

// memberOf reports whether the member with the given key is an active member of the
// organisation with the given key.
func memberOf(memberKey, orgKey string) bool {
	for _, m := range members {
		if m.key == memberKey {
			return m.org == orgKey && !m.inactive
		}
	}
	return false
}

func (l *loader) loadCompetencies(ctx context.Context) error {
	ids := map[string]gid.ID{}
	for _, c := range competencies {
		b := l.client.Competency.Create().SetName(c.name).SetSide(c.side).SetDescription(c.description)
		if c.topic != "" {
			topic, err := lookupOne("topic", l.topics, c.topic)
			if err != nil {
				return err
			}
			b.SetTopicID(topic)
		}
		created, err := b.Save(ctx)
		if err != nil {
			return fmt.Errorf("creating competency %s: %w", c.key, err)
		}
		ids[c.key] = created.ID
	}
	builders := make([]*ent.CompetencyRatingCreate, len(ratings))
	var experts []gid.ID // members with a findable rating agreed to be findable as experts
	for i, r := range ratings {
		competencyID, err := lookupOne("competency", ids, r.competency)
		if err != nil {
			return err
		}
		memberID, err := lookupOne("member", l.members, r.member)
		if err != nil {
			return err
		}
		builders[i] = l.client.CompetencyRating.Create().SetCompetencyID(competencyID).
			SetMemberID(memberID).SetLevel(r.level).SetFindable(r.findable)
		if r.findable {
			experts = append(experts, memberID)
		}
	}
	l.counts.competencies += len(competencies)
	if err := l.client.Member.Update().Where(member.IDIn(experts...)).SetFindableAsExpert(true).Exec(ctx); err != nil {
		return err
	}
	return l.client.CompetencyRating.CreateBulk(builders...).Exec(ctx)
}
