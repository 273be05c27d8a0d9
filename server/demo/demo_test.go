package demo_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"zirkel/ent"
	"zirkel/ent/authorshipinvitation"
	"zirkel/ent/circle"
	"zirkel/ent/circlejoinrequest"
	"zirkel/ent/circlemembership"
	"zirkel/ent/competency"
	"zirkel/ent/competencyrating"
	"zirkel/ent/discussion"
	"zirkel/ent/event"
	"zirkel/ent/measurement"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/registration"
	"zirkel/server/demo"
	"zirkel/server/policy"
	"zirkel/server/store"
)

func openClient(t *testing.T) *ent.Client {
	t.Helper()
	s, err := store.Open(policy.System(context.Background()), store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s.Client
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// loadDemo opens a fresh database and loads the demo into it.
func loadDemo(t *testing.T) *ent.Client {
	t.Helper()
	client := openClient(t)
	loaded, err := demo.Load(policy.System(context.Background()), client, quietLogger(), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !loaded {
		t.Fatal("Load on an empty database returned loaded=false")
	}
	return client
}

// counter is any ent query.
type counter interface {
	Count(context.Context) (int, error)
}

func count(t *testing.T, what string, q counter) int {
	t.Helper()
	n, err := q.Count(policy.System(context.Background()))
	if err != nil {
		t.Fatalf("counting %s: %v", what, err)
	}
	return n
}

func TestLoadOrganisations(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)

	districts, err := client.Organisation.Query().
		Where(organisation.KindIn(organisation.KindLANDKREIS, organisation.KindKREISFREIE_STADT)).
		WithParent().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(districts) != 400 {
		t.Errorf("got %d districts, want 400", len(districts))
	}
	ags8 := regexp.MustCompile(`^[0-9]{5}000$`)
	for _, d := range districts {
		if d.Ags == nil || !ags8.MatchString(*d.Ags) || d.State == nil || d.Population == nil {
			t.Errorf("district %s: ags %v, state %v, population %v", d.Name, d.Ags, d.State, d.Population)
			continue
		}
		if p := d.Edges.Parent; p == nil || p.Kind != organisation.KindLAND || p.State == nil || *p.State != *d.State {
			t.Errorf("district %s is not under the Land of its state", d.Name)
		}
	}
	laender := count(t, "Länder", client.Organisation.Query().Where(organisation.KindEQ(organisation.KindLAND), organisation.StateNotNil()))
	if laender != 16 {
		t.Errorf("got %d Länder with a state, want 16", laender)
	}
	for _, kind := range []organisation.Kind{organisation.KindBUND, organisation.KindVENDOR, organisation.KindRESEARCH, organisation.KindASSOCIATION, organisation.KindGEMEINDE} {
		if n := count(t, string(kind), client.Organisation.Query().Where(organisation.KindEQ(kind))); n == 0 {
			t.Errorf("no organisation of kind %s", kind)
		}
	}
}

func TestLoadDerivesStateFromAGS(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	muc, err := client.Organisation.Query().Where(organisation.Ags("09162000")).WithParent().Only(ctx)
	if err != nil {
		t.Fatalf("finding München: %v", err)
	}
	if muc.Name != "München" || muc.Kind != organisation.KindKREISFREIE_STADT {
		t.Errorf("09162000 is %q (%s), want München (KREISFREIE_STADT)", muc.Name, muc.Kind)
	}
	if muc.State == nil || *muc.State != organisation.StateBY {
		t.Errorf("München has state %v, want BY", muc.State)
	}
	if muc.Edges.Parent == nil || muc.Edges.Parent.Name != "Freistaat Bayern" {
		t.Errorf("München's parent is %v, want Freistaat Bayern", muc.Edges.Parent)
	}
	// The municipalities sit under the district their key belongs to.
	gemeinden, err := client.Organisation.Query().Where(organisation.KindEQ(organisation.KindGEMEINDE)).WithParent().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gemeinden {
		p := g.Edges.Parent
		if g.Ags == nil || p == nil || p.Ags == nil || (*g.Ags)[:5] != (*p.Ags)[:5] || g.State == nil {
			t.Errorf("municipality %s (ags %v) is not under its district", g.Name, g.Ags)
		}
	}
}

func TestLoadMembers(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	admin, err := client.Member.Query().Where(member.Email(demo.AdminEmail)).Only(ctx)
	if err != nil {
		t.Fatalf("finding the admin: %v", err)
	}
	if admin.PlatformRole != member.PlatformRoleADMIN || admin.DisplayName != "Zirkel Admin" || admin.Status != member.StatusACTIVE {
		t.Errorf("admin is %q with role %s, status %s", admin.DisplayName, admin.PlatformRole, admin.Status)
	}
	all, err := client.Member.Query().WithOrganisation().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 25 {
		t.Errorf("got %d members, want about 30", len(all))
	}
	roles := map[member.CommunityRole]bool{}
	for _, m := range all {
		roles[m.CommunityRole] = true
		if m.Email != strings.ToLower(m.Email) || m.Edges.Organisation == nil {
			t.Errorf("member %s: email %q, organisation %v", m.DisplayName, m.Email, m.Edges.Organisation)
			continue
		}
		org := m.Edges.Organisation.Kind
		if (m.CommunityRole == member.CommunityRoleVENDOR) != (org == organisation.KindVENDOR) ||
			(m.CommunityRole == member.CommunityRoleRESEARCHER) != (org == organisation.KindRESEARCH) {
			t.Errorf("member %s (%s) belongs to a %s organisation", m.DisplayName, m.CommunityRole, org)
		}
	}
	for _, r := range []member.CommunityRole{member.CommunityRoleCDO, member.CommunityRoleCIO, member.CommunityRoleDIGITAL_PILOT,
		member.CommunityRoleSTAFF, member.CommunityRoleVENDOR, member.CommunityRoleRESEARCHER} {
		if !roles[r] {
			t.Errorf("no member with community role %s", r)
		}
	}
}

func TestLoadPractices(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	practices, err := client.Practice.Query().WithCircle().WithAuthors().WithTopics().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[practice.Status]int{}
	circlePractices := 0
	for _, p := range practices {
		statuses[p.Status]++
		if p.Visibility == practice.VisibilityCIRCLE {
			circlePractices++
			if p.Edges.Circle == nil || p.Edges.Circle.Visibility != circle.VisibilityCLOSED {
				t.Errorf("practice %q is visible to a circle but has no closed circle", p.Title)
			}
		}
		if (p.Status == practice.StatusDRAFT) != (p.PublishedAt == nil) {
			t.Errorf("practice %q has status %s and published_at %v", p.Title, p.Status, p.PublishedAt)
		}
		if len(p.Edges.Authors) == 0 || len(p.Edges.Topics) == 0 || p.LessonsLearned == "" {
			t.Errorf("practice %q lacks authors, topics or lessons learned", p.Title)
		}
	}
	if len(practices) < 18 || circlePractices != 2 {
		t.Errorf("got %d practices, %d for circles; want about 20 and 2", len(practices), circlePractices)
	}
	if statuses[practice.StatusDRAFT] < 2 || statuses[practice.StatusARCHIVED] != 1 {
		t.Errorf("practices by status: %v; want at least 2 drafts and 1 archived", statuses)
	}
}

func TestLoadCircleMemberships(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	circles, err := client.Circle.Query().WithMemberships().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(circles) < 3 {
		t.Fatalf("got %d circles, want 3-4", len(circles))
	}
	for _, c := range circles {
		moderators := count(t, "moderators", c.QueryMemberships().Where(circlemembership.RoleEQ(circlemembership.RoleMODERATOR)))
		if moderators == 0 || len(c.Edges.Memberships) < 4 {
			t.Errorf("circle %s has %d memberships, %d moderators", c.Name, len(c.Edges.Memberships), moderators)
		}
	}
}

func TestLoadDiscussions(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	discussions, err := client.Discussion.Query().WithCircle().
		WithMessages(func(q *ent.MessageQuery) { q.Order(ent.Asc(message.FieldPosition)).WithAuthor() }).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(discussions) < 6 {
		t.Errorf("got %d discussions, want about 8", len(discussions))
	}
	for _, d := range discussions {
		checkDiscussion(t, ctx, d)
	}
	pinned := count(t, "pinned", client.Discussion.Query().Where(discussion.Pinned(true)))
	locked := count(t, "locked", client.Discussion.Query().Where(discussion.StatusEQ(discussion.StatusLOCKED)))
	deleted := count(t, "deleted", client.Message.Query().Where(message.DeletedAtNotNil(), message.Body("")))
	edited := count(t, "edited", client.Message.Query().Where(message.EditedAtNotNil()))
	replies := count(t, "replies", client.Message.Query().Where(message.HasParent()))
	if pinned != 1 || locked != 1 || deleted != 1 || edited != 1 || replies == 0 {
		t.Errorf("pinned %d, locked %d, deleted %d, edited %d, replies %d; want 1, 1, 1, 1, some",
			pinned, locked, deleted, edited, replies)
	}
}

// checkDiscussion checks the counters, positions and times of a discussion's messages, and
// that only members of its circle write in it.
func checkDiscussion(t *testing.T, ctx context.Context, d *ent.Discussion) {
	t.Helper()
	msgs := d.Edges.Messages
	if d.MessageCount != len(msgs) || len(msgs) < 3 || len(msgs) > 10 {
		t.Errorf("%q: message_count %d, %d messages (want 3-10)", d.Title, d.MessageCount, len(msgs))
		return
	}
	for i, m := range msgs {
		if m.Position != i+1 {
			t.Errorf("%q: message %d has position %d", d.Title, i+1, m.Position)
		}
		if i > 0 && !m.CreatedAt.After(msgs[i-1].CreatedAt) {
			t.Errorf("%q: message %d is not later than the one before", d.Title, i+1)
		}
		if d.Edges.Circle != nil {
			isMember, err := d.Edges.Circle.QueryMemberships().
				Where(circlemembership.HasMemberWith(member.ID(m.Edges.Author.ID))).Exist(ctx)
			if err != nil || !isMember {
				t.Errorf("%q: %s writes in circle %s without being a member (%v)", d.Title, m.Edges.Author.DisplayName, d.Edges.Circle.Name, err)
			}
		}
	}
	last := msgs[len(msgs)-1].CreatedAt
	if d.LastMessageAt == nil || !d.LastMessageAt.Equal(last) || last.After(time.Now()) {
		t.Errorf("%q: last_message_at %v, last message at %v", d.Title, d.LastMessageAt, last)
	}
}

func TestLoadEvents(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	events, err := client.Event.Query().WithCircle().WithOrganisers().WithRegistrations().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 3 {
		t.Errorf("got %d events, want 3-4", len(events))
	}
	circleEvents := 0
	for _, e := range events {
		if e.Edges.Circle != nil {
			circleEvents++
			if e.Edges.Circle.Visibility != circle.VisibilityCLOSED {
				t.Errorf("event %q belongs to circle %s, which is not closed", e.Title, e.Edges.Circle.Name)
			}
		}
		checkEvent(t, e)
	}
	if circleEvents == 0 {
		t.Error("no event of a circle")
	}
	if n := count(t, "waitlisted", client.Registration.Query().Where(registration.StatusEQ(registration.StatusWAITLISTED))); n == 0 {
		t.Error("no waitlisted registration")
	}
	online := count(t, "online sessions", client.Event.Query().Where(event.KindEQ(event.KindONLINE_SESSION), event.OnlineURLNEQ("")))
	deadlines := count(t, "deadlines", client.Event.Query().Where(event.RegistrationDeadlineNotNil()))
	if online == 0 || deadlines == 0 {
		t.Errorf("%d online sessions with a URL, %d events with a registration deadline; want some of each", online, deadlines)
	}
}

// checkEvent checks an event's times and organisers, and that its counters agree with its
// registrations.
func checkEvent(t *testing.T, e *ent.Event) {
	t.Helper()
	if !e.StartsAt.After(time.Now()) || !e.EndsAt.After(e.StartsAt) || len(e.Edges.Organisers) == 0 {
		t.Errorf("event %q: starts %v, ends %v, %d organisers", e.Title, e.StartsAt, e.EndsAt, len(e.Edges.Organisers))
	}
	registered, waitlisted := 0, 0
	for _, r := range e.Edges.Registrations {
		switch r.Status {
		case registration.StatusREGISTERED, registration.StatusATTENDED:
			registered++
		case registration.StatusWAITLISTED:
			waitlisted++
		}
		if r.RegisteredAt.After(time.Now()) {
			t.Errorf("event %q: a registration lies in the future", e.Title)
		}
	}
	if e.RegisteredCount != registered || e.WaitlistCount != waitlisted {
		t.Errorf("event %q: registered_count %d, waitlist_count %d; the registrations give %d and %d",
			e.Title, e.RegisteredCount, e.WaitlistCount, registered, waitlisted)
	}
	if e.Capacity != nil && (registered > *e.Capacity || waitlisted > 0 && registered < *e.Capacity) {
		t.Errorf("event %q: %d registered, %d waitlisted for %d places", e.Title, registered, waitlisted, *e.Capacity)
	}
}

func TestLoadIndicators(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	indicators, err := client.Indicator.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(indicators) < 5 {
		t.Errorf("got %d indicators, want about 6", len(indicators))
	}
	best := 0
	for _, ind := range indicators {
		n := count(t, "measurements", ind.QueryMeasurements().Where(measurement.Period("2025"),
			measurement.HasOrganisationWith(organisation.KindEQ(organisation.KindLANDKREIS))))
		best = max(best, n)
	}
	if best < 6 {
		t.Errorf("at most %d Landkreise report an indicator for 2025; want at least 6 (one and 5 peers)", best)
	}
	linked := count(t, "practices with results", client.Practice.Query().Where(
		practice.StatusEQ(practice.StatusPUBLISHED), practice.HasMeasurementsAfter()))
	if linked == 0 {
		t.Error("no published practice is linked to measurements after it")
	}
}

func TestLoadSoftwareLandscape(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	products := count(t, "products", client.SoftwareProduct.Query())
	usages, err := client.SoftwareUsage.Query().WithOrganisation().WithContact(func(q *ent.MemberQuery) { q.WithOrganisation() }).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if products < 5 || len(usages) < 20 {
		t.Errorf("got %d products and %d usages, want about 8 and 25", products, len(usages))
	}
	for _, u := range usages {
		if c := u.Edges.Contact; c != nil && c.Edges.Organisation.ID != u.Edges.Organisation.ID {
			t.Errorf("usage %q at %s names a contact of %s", u.Task, u.Edges.Organisation.Name, c.Edges.Organisation.Name)
		}
	}
	if n := count(t, "practices with software", client.Practice.Query().Where(practice.HasSoftware())); n < 2 {
		t.Errorf("%d practices are linked to products, want 2-3", n)
	}
}

func TestLoadCompetencies(t *testing.T) {
	client := loadDemo(t)
	authority := count(t, "authority competencies", client.Competency.Query().Where(competency.SideEQ(competency.SideAUTHORITY)))
	vendor := count(t, "vendor competencies", client.Competency.Query().Where(competency.SideEQ(competency.SideVENDOR)))
	if authority+vendor < 5 || authority == 0 || vendor == 0 {
		t.Errorf("got %d authority and %d vendor competencies, want about 8 of both sides", authority, vendor)
	}
	ratings := count(t, "ratings", client.CompetencyRating.Query())
	findable := count(t, "findable ratings", client.CompetencyRating.Query().Where(competencyrating.Findable(true)))
	if ratings < 10 || findable == 0 || findable == ratings {
		t.Errorf("got %d ratings, %d findable; want about 15, some findable", ratings, findable)
	}
}

func TestLoadConsent(t *testing.T) {
	client := loadDemo(t)
	pending := count(t, "open invitations", client.AuthorshipInvitation.Query().Where(authorshipinvitation.StatusEQ(authorshipinvitation.StatusPENDING)))
	if pending != 1 {
		t.Errorf("%d open invitations, want 1", pending)
	}
	open := count(t, "open join requests", client.CircleJoinRequest.Query().Where(circlejoinrequest.StatusEQ(circlejoinrequest.StatusPENDING)))
	declined := count(t, "declined join requests", client.CircleJoinRequest.Query().Where(
		circlejoinrequest.StatusEQ(circlejoinrequest.StatusDECLINED), circlejoinrequest.HasDecidedBy(), circlejoinrequest.DecidedAtNotNil()))
	if open != 1 || declined != 1 {
		t.Errorf("%d open and %d decided join requests, want 1 and 1", open, declined)
	}
}

func TestLoadTwiceChangesNothing(t *testing.T) {
	ctx := policy.System(context.Background())
	client := loadDemo(t)
	orgs := count(t, "organisations", client.Organisation.Query())
	msgs := count(t, "messages", client.Message.Query())
	loaded, err := demo.Load(ctx, client, quietLogger(), "")
	if err != nil || loaded {
		t.Fatalf("second Load: loaded %v, err %v; want false, nil", loaded, err)
	}
	if n := count(t, "organisations", client.Organisation.Query()); n != orgs {
		t.Errorf("organisations: %d after the second Load, %d before", n, orgs)
	}
	if n := count(t, "messages", client.Message.Query()); n != msgs {
		t.Errorf("messages: %d after the second Load, %d before", n, msgs)
	}
}

func TestLoadLeavesNonEmptyDatabaseAlone(t *testing.T) {
	ctx := policy.System(context.Background())
	client := openClient(t)
	client.Organisation.Create().SetName("Bestehende Organisation").SetKind(organisation.KindOTHER).ExecX(ctx)
	loaded, err := demo.Load(ctx, client, nil, "")
	if err != nil || loaded {
		t.Fatalf("Load: loaded %v, err %v; want false, nil", loaded, err)
	}
	if n := count(t, "organisations", client.Organisation.Query()); n != 1 {
		t.Errorf("got %d organisations, want the 1 that was there", n)
	}
}

// A failure half-way through must roll everything back: here the admin's e-mail address is
// already taken by a member created beforehand (the database has no organisation, so Load runs).
func TestLoadRollsBackOnError(t *testing.T) {
	ctx := policy.System(context.Background())
	client := openClient(t)
	client.Member.Create().SetDisplayName("Vorhanden").SetEmail(strings.ToUpper(demo.AdminEmail)).
		SetCommunityRole(member.CommunityRoleSTAFF).ExecX(ctx)
	loaded, err := demo.Load(ctx, client, quietLogger(), "")
	if err == nil || loaded {
		t.Fatalf("Load: loaded %v, err %v; want an error", loaded, err)
	}
	if n := count(t, "organisations", client.Organisation.Query()); n != 0 {
		t.Errorf("got %d organisations after a failed Load, want 0", n)
	}
	if n := count(t, "members", client.Member.Query()); n != 1 {
		t.Errorf("got %d members after a failed Load, want 1", n)
	}
}

func TestDistricts(t *testing.T) {
	districts, err := demo.Districts()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[organisation.Kind]int{}
	for _, d := range districts {
		kinds[d.Kind]++
	}
	if kinds[organisation.KindLANDKREIS] != 294 || kinds[organisation.KindKREISFREIE_STADT] != 106 {
		t.Errorf("districts by kind: %v; want 294 Landkreise and 106 kreisfreie Städte", kinds)
	}
}
