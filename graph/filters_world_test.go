package graph_test

import (
	"context"
	"testing"
	"time"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circlemembership"
	"zirkel/ent/competency"
	"zirkel/ent/event"
	"zirkel/ent/indicator"
	"zirkel/ent/member"
	"zirkel/ent/organisation"
	"zirkel/ent/practice"
	"zirkel/ent/registration"
	"zirkel/ent/schema/gid"
	"zirkel/ent/surveyquestion"
	"zirkel/server/apitest"
	"zirkel/server/policy"
)

// filterWorld is a community with something for every rule: a closed circle with members,
// a discussion, a practice, an event and a survey; an open circle; drafts; members with
// biographies, job titles, expertise, platform roles and distinct last logins; software
// usages with satisfaction, notes and contacts; competency ratings findable and not; events
// with registrations; measurements.
type filterWorld struct {
	as map[string]*apitest.Session
}

// day is a fixed day in the past, so that last logins and other times differ from today's.
var day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func newFilterWorld(t *testing.T, env *apitest.Env) *filterWorld {
	t.Helper()
	ctx := policy.System(context.Background())
	c := env.App.Store.Client
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	org := func(name string, kind organisation.Kind, pop int) *ent.Organisation {
		o, err := c.Organisation.Create().SetName(name).SetKind(kind).SetPopulation(pop).Save(ctx)
		must(err)
		return o
	}
	kreis, stadt, firma := org("Landkreis Nordheim", organisation.KindLANDKREIS, 120000), org("Stadt Südheim", organisation.KindKREISFREIE_STADT, 80000), org("Verwaltungssoftware GmbH", organisation.KindVENDOR, 0)
	tech, err := c.Topic.Create().SetSlug("technik").SetName("Technik").Save(ctx)
	must(err)
	lowCode, err := c.Topic.Create().SetSlug("low-code").SetName("Low Code").SetParent(tech).Save(ctx)
	must(err)

	w := &filterWorld{as: map[string]*apitest.Session{"anonymous": env.Anonymous()}}
	specs := map[string]apitest.Spec{
		"admin":           {Name: "Ada Admin", Email: "ada@nordheim.example", PlatformRole: member.PlatformRoleADMIN, CommunityRole: member.CommunityRoleSTAFF, OrganisationID: string(kreis.ID)},
		"moderator":       {Name: "Moritz Moderator", Email: "moritz@nordheim.example", PlatformRole: member.PlatformRoleMODERATOR, OrganisationID: string(kreis.ID)},
		"member":          {Name: "Mia Mitglied", Email: "mia@suedheim.example", OrganisationID: string(stadt.ID)},
		"circleMember":    {Name: "Carla Zirkel", Email: "carla@nordheim.example", CommunityRole: member.CommunityRoleCIO, OrganisationID: string(kreis.ID)},
		"circleModerator": {Name: "Conrad Leitung", Email: "conrad@suedheim.example", CommunityRole: member.CommunityRoleDIGITAL_PILOT, OrganisationID: string(stadt.ID)},
		"vendor":          {Name: "Vera Vertrieb", Email: "vera@software.example", CommunityRole: member.CommunityRoleVENDOR, OrganisationID: string(firma.ID)},
	}
	ids := map[string]gid.ID{}
	for role, spec := range specs {
		w.as[role] = env.NewMember(t, spec)
		ids[role] = gid.ID(w.as[role].MemberID)
	}
	// Thomas never logs in here: his last login, biography and circle are what filters probe.
	thomas, err := c.Member.Create().SetDisplayName("Thomas Becker").SetEmail("thomas.becker@nordheim.example").
		SetCommunityRole(member.CommunityRoleCDO).SetPlatformRole(member.PlatformRoleADMIN).
		SetJobTitle("Leiter Geheimprojekt").SetBio("Arbeitet an der geheimen Reform").
		SetLastLoginAt(day).SetOrganisation(kreis).AddExpertise(lowCode).Save(ctx)
	must(err)
	must(c.Member.UpdateOneID(ids["member"]).SetBio("Öffentliche Biografie").AddExpertise(tech).Exec(ctx))

	closed, err := c.Circle.Create().SetName("Geschlossener Zirkel").SetSlug("geschlossen").SetDescription("Vertraulich").SetVisibility(circle.VisibilityCLOSED).Save(ctx)
	must(err)
	open, err := c.Circle.Create().SetName("Offener Zirkel").SetSlug("offen").SetVisibility(circle.VisibilityOPEN).Save(ctx)
	must(err)
	join := func(ci *ent.Circle, m gid.ID, role circlemembership.Role) {
		must(c.CircleMembership.Create().SetCircle(ci).SetMemberID(m).SetRole(role).Exec(ctx))
	}
	join(closed, ids["circleMember"], circlemembership.RoleMEMBER)
	join(closed, ids["circleModerator"], circlemembership.RoleMODERATOR)
	join(closed, thomas.ID, circlemembership.RoleMEMBER)
	join(open, ids["member"], circlemembership.RoleMEMBER)

	// Practices of every visibility and state.
	practiceOf := func(title string, vis practice.Visibility, status practice.Status, author gid.ID, ci *ent.Circle, effort int) *ent.Practice {
		p := c.Practice.Create().SetTitle(title).SetSummary("Zusammenfassung " + title).SetProblem("P").SetApproach("A").SetOutcome("O").
			SetVisibility(vis).SetStatus(status).SetOrganisation(kreis).AddAuthorIDs(author).AddTopics(lowCode).
			SetEffortPersonDays(effort).SetMaturity(practice.MaturityPILOT)
		if status != practice.StatusDRAFT {
			p.SetPublishedAt(day.Add(time.Duration(effort) * time.Hour))
		}
		if ci != nil {
			p.SetCircle(ci)
		}
		out, err := p.Save(ctx)
		must(err)
		return out
	}
	practiceOf("Öffentliches Beispiel", practice.VisibilityPUBLIC, practice.StatusPUBLISHED, ids["member"], nil, 10)
	practiceOf("Für Mitglieder", practice.VisibilityMEMBERS, practice.StatusPUBLISHED, ids["circleMember"], nil, 20)
	practiceOf("Geheimer Entwurf", practice.VisibilityMEMBERS, practice.StatusDRAFT, thomas.ID, nil, 30)
	practiceOf("Im geschlossenen Zirkel", practice.VisibilityCIRCLE, practice.StatusPUBLISHED, thomas.ID, closed, 40)
	practiceOf("Archiviert", practice.VisibilityPUBLIC, practice.StatusARCHIVED, ids["member"], nil, 50)

	// Discussions and messages, inside and outside circles.
	discussion := func(title string, ci *ent.Circle, author gid.ID, bodies ...string) {
		d := c.Discussion.Create().SetTitle(title).SetAuthorID(author).AddTopics(lowCode).SetMessageCount(len(bodies)).SetLastMessageAt(day)
		if ci != nil {
			d.SetCircle(ci)
		}
		dis, err := d.Save(ctx)
		must(err)
		var parent *ent.Message
		for i, b := range bodies {
			m := c.Message.Create().SetBody(b).SetPosition(i + 1).SetDiscussion(dis).SetAuthorID(author)
			if parent != nil {
				m.SetParent(parent)
			}
			msg, err := m.Save(ctx)
			must(err)
			parent = msg
		}
	}
	discussion("Offene Frage", nil, ids["member"], "Wer nutzt Low Code?", "Wir!")
	discussion("Vertrauliche Frage", closed, thomas.ID, "Das Projekt ist gescheitert", "Leider")
	discussion("Im offenen Zirkel", open, ids["member"], "Hallo")

	// Events with registrations.
	eventOf := func(title string, ci *ent.Circle, organiser gid.ID, starts time.Time) *ent.Event {
		e := c.Event.Create().SetTitle(title).SetKind(event.KindWORKSHOP).SetStartsAt(starts).SetEndsAt(starts.Add(2 * time.Hour)).
			SetCapacity(10).AddOrganiserIDs(organiser)
		if ci != nil {
			e.SetCircle(ci)
		}
		out, err := e.Save(ctx)
		must(err)
		return out
	}
	public := eventOf("Offener Workshop", nil, ids["moderator"], day.Add(24*time.Hour))
	secret := eventOf("Zirkeltreffen", closed, ids["circleModerator"], day.Add(48*time.Hour))
	register := func(e *ent.Event, m gid.ID, status registration.Status, at time.Time) {
		must(c.Registration.Create().SetEvent(e).SetMemberID(m).SetStatus(status).SetRegisteredAt(at).Exec(ctx))
	}
	register(public, ids["member"], registration.StatusREGISTERED, day.Add(3*time.Hour))
	register(public, thomas.ID, registration.StatusWAITLISTED, day.Add(4*time.Hour))
	register(secret, thomas.ID, registration.StatusATTENDED, day.Add(5*time.Hour))

	// Software: usages with satisfaction, notes and contacts.
	product, err := c.SoftwareProduct.Create().SetName("Formularserver").SetCategory("Formulare").SetVendor(firma).Save(ctx)
	must(err)
	rival, err := c.SoftwareProduct.Create().SetName("Antragsportal").SetCategory("Portale").SetOpenSource(true).Save(ctx)
	must(err)
	must(c.SoftwareUsage.Create().SetOrganisation(kreis).SetProduct(product).SetTopic(lowCode).SetSatisfaction(2).
		SetWouldRecommend(false).SetNotes("Teuer und langsam").SetContact(thomas).SetSince(day).SetTask("Anträge").Exec(ctx))
	must(c.SoftwareUsage.Create().SetOrganisation(stadt).SetProduct(rival).SetSatisfaction(5).SetWouldRecommend(true).
		SetNotes("Sehr gut").SetContactID(ids["member"]).Exec(ctx))

	// Competencies: one rating findable, one not.
	comp, err := c.Competency.Create().SetName("Vergaberecht").SetSide(competency.SideAUTHORITY).SetTopic(lowCode).Save(ctx)
	must(err)
	must(c.CompetencyRating.Create().SetCompetency(comp).SetMember(thomas).SetLevel(4).SetFindable(false).Exec(ctx))
	must(c.CompetencyRating.Create().SetCompetency(comp).SetMemberID(ids["member"]).SetLevel(3).SetFindable(true).Exec(ctx))
	must(c.Member.UpdateOneID(ids["member"]).SetFindableAsExpert(true).Exec(ctx)) // and findable as an expert (privacy setting)

	// Surveys for everyone and for the closed circle.
	survey := func(title string, ci *ent.Circle, owner gid.ID) {
		s := c.Survey.Create().SetTitle(title).SetOpensAt(day).SetClosesAt(day.Add(30 * 24 * time.Hour)).SetOwnerID(owner)
		if ci != nil {
			s.SetCircle(ci)
		}
		sv, err := s.Save(ctx)
		must(err)
		must(c.SurveyQuestion.Create().SetSurvey(sv).SetPosition(0).SetKind(surveyquestion.KindTEXT).SetText("Was fehlt? " + title).Exec(ctx))
	}
	survey("Umfrage für alle", nil, ids["moderator"])
	survey("Geheime Zirkelumfrage", closed, ids["circleModerator"])

	// Indicators and measurements.
	ind, err := c.Indicator.Create().SetName("Online-Anteil").SetDefinition("Anteil online gestellter Anträge").SetUnit("%").
		SetTargetGroup(indicator.TargetGroupCITIZENS).SetDirection(indicator.DirectionHIGHER_IS_BETTER).AddTopics(lowCode).Save(ctx)
	must(err)
	must(c.Measurement.Create().SetIndicator(ind).SetOrganisation(kreis).SetPeriod("2025").SetValue(42).SetNote("geheim").Exec(ctx))

	// Sessions carry the circles of their login: log the circle members in again.
	for _, role := range []string{"member", "circleMember", "circleModerator"} {
		w.as[role] = env.Login(t, "local", specs[role].Email, apitest.Password)
	}
	return w
}
