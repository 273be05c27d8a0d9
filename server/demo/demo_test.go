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
	"zirkel/ent/circle"
	"zirkel/ent/circlemembership"
	"zirkel/ent/discussion"
	"zirkel/ent/member"
	"zirkel/ent/message"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
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
