package main

import (
	"context"
	"encoding/base32"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"zirkel/ent"
	"zirkel/ent/member"
	"zirkel/ent/practice"
	"zirkel/ent/schema/gid"
	"zirkel/server/demo"
	"zirkel/server/policy"
)

// Sizes of the workload (issue 13).
const (
	membersPerOrganisation = 5
	topicCount             = 40
	practiceCount          = 5000
	seed                   = 13 // the generator's fixed seed: every run writes the same data
	bulk                   = 100
)

// readerEmail is the member the logged-in load runs as.
const readerEmail = "mitglied-0001@kreis-01001.example"

// generator writes the workload's data. Ids come from the seeded generator too (in gid's
// format), so that the first page, ordered by id, is the same on every run and database.
type generator struct {
	rnd          *rand.Rand
	passwordHash string
	orgs         []*ent.Organisation
	topics       []*ent.Topic
	members      [][]gid.ID // by organisation
	counts       struct{ orgs, topics, members, practices, authorLinks, topicLinks, public int }
}

func newGenerator(passwordHash string) *generator {
	return &generator{rnd: rand.New(rand.NewPCG(seed, seed)), passwordHash: passwordHash}
}

// idEncoding is gid's alphabet: lower-case base32 without padding.
var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

func (g *generator) id(prefix string) gid.ID {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.rnd.Uint32())
	}
	return gid.ID(prefix + "_" + idEncoding.EncodeToString(b[:]))
}

// write fills an empty database in one transaction.
func (g *generator) write(ctx context.Context, client *ent.Client) error {
	ctx = policy.System(ctx)
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("starting the transaction: %w", err)
	}
	for _, step := range []func(context.Context, *ent.Client) error{g.organisations, g.topicTree, g.people, g.practices} {
		if err := step(ctx, tx.Client()); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// organisations are the 400 districts of the demo.
func (g *generator) organisations(ctx context.Context, c *ent.Client) error {
	districts, err := demo.Districts()
	if err != nil {
		return err
	}
	for start := 0; start < len(districts); start += bulk {
		var builders []*ent.OrganisationCreate
		for _, d := range districts[start:min(start+bulk, len(districts))] {
			builders = append(builders, c.Organisation.Create().SetID(g.id("org")).SetName(d.Name).
				SetKind(d.Kind).SetAgs(d.AGS()).SetPopulation(d.Population))
		}
		orgs, err := c.Organisation.CreateBulk(builders...).Save(ctx)
		if err != nil {
			return fmt.Errorf("creating organisations: %w", err)
		}
		g.orgs = append(g.orgs, orgs...)
	}
	g.counts.orgs = len(g.orgs)
	return nil
}

var topicWords = []string{
	"E-Akte", "Prozessmanagement", "Change-Management", "Low Code", "Cloud", "IT-Sicherheit", "KI",
	"OZG-Umsetzung", "DSGVO", "Digitalkompetenz", "Recruiting", "Fördermittel", "Bürgerservice",
	"Online-Dienste", "Terminvergabe", "Open Data", "Dashboards", "Kennzahlen", "Posteingang",
	"Scanstrategie", "Videokonferenzen", "Mobiles Arbeiten", "Beschaffung", "Geodaten",
	"Schulträgeraufgaben", "Kfz-Zulassung", "Bauantrag", "Sozialleistungen", "Jugendhilfe",
	"Ausländerbehörde", "Gesundheitsamt", "Katastrophenschutz", "Rechnungseingang",
	"Personalverwaltung", "Informationssicherheit", "Barrierefreiheit", "Bürgerbeteiligung",
	"Gremienarbeit", "Archivierung", "Identitätsmanagement",
}

func (g *generator) topicTree(ctx context.Context, c *ent.Client) error {
	builders := make([]*ent.TopicCreate, topicCount)
	for i := range topicCount {
		name := topicWords[i]
		builders[i] = c.Topic.Create().SetID(g.id("top")).SetName(name).SetSlug(slug(name)).
			SetDescription("Erfahrungen und Beispiele zum Thema " + name + ".")
	}
	topics, err := c.Topic.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return fmt.Errorf("creating topics: %w", err)
	}
	g.topics, g.counts.topics = topics, len(topics)
	return nil
}

func slug(name string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", " ", "-")
	return strings.ToLower(r.Replace(strings.ToLower(name)))
}

var (
	firstNames = []string{"Anna", "Jonas", "Lena", "Lukas", "Marie", "Felix", "Sophie", "Paul", "Laura", "Tim",
		"Julia", "Niklas", "Katrin", "Stefan", "Sabine", "Thomas", "Miriam", "Jan", "Petra", "Ahmet"}
	lastNames = []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
		"Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Yılmaz", "Braun"}
	roles = []member.CommunityRole{member.CommunityRoleCDO, member.CommunityRoleCIO,
		member.CommunityRoleDIGITAL_PILOT, member.CommunityRoleSTAFF, member.CommunityRoleSTAFF}
)

// people are five members per organisation, each with a local account.
func (g *generator) people(ctx context.Context, c *ent.Client) error {
	g.members = make([][]gid.ID, len(g.orgs))
	n := 0
	for start := 0; start < len(g.orgs); start += bulk / membersPerOrganisation {
		var builders []*ent.MemberCreate
		for oi := start; oi < min(start+bulk/membersPerOrganisation, len(g.orgs)); oi++ {
			org := g.orgs[oi]
			for j := range membersPerOrganisation {
				n++
				id := g.id("mem")
				g.members[oi] = append(g.members[oi], id)
				name := firstNames[g.rnd.IntN(len(firstNames))] + " " + lastNames[g.rnd.IntN(len(lastNames))]
				builders = append(builders, c.Member.Create().SetID(id).SetDisplayName(name).
					SetEmail(fmt.Sprintf("mitglied-%04d@kreis-%s.example", n, (*org.Ags)[:5])).
					SetCommunityRole(roles[j]).SetJobTitle("Digitalisierung, "+org.Name).
					SetOrganisationID(org.ID).SetPasswordHash(g.passwordHash))
			}
		}
		if err := c.Member.CreateBulk(builders...).Exec(ctx); err != nil {
			return fmt.Errorf("creating members: %w", err)
		}
	}
	g.counts.members = n
	return nil
}

var (
	actions = []string{"Einführung", "Pilotierung", "Ausbau", "Neuordnung", "Digitalisierung", "Vereinheitlichung"}
	results = []string{
		"Die Bearbeitungszeit sank deutlich, und die Beschäftigten arbeiten mit weniger Medienbrüchen.",
		"Anträge kommen vollständiger an; Rückfragen bei Bürgerinnen und Bürgern wurden seltener.",
		"Nach einem halben Jahr nutzen alle Fachbereiche das Verfahren, weitere Kreise wollen es nachnutzen.",
		"Die Kosten blieben im Plan; wichtig waren frühe Beteiligung des Personalrats und klare Zuständigkeiten.",
	}
)

// practices are published, each in one organisation, with 1-3 topics and 1-3 of its members
// as authors; about half are public, the rest for members.
func (g *generator) practices(ctx context.Context, c *ent.Client) error {
	published := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for start := 0; start < practiceCount; start += bulk {
		var builders []*ent.PracticeCreate
		for i := start; i < min(start+bulk, practiceCount); i++ {
			oi := g.rnd.IntN(len(g.orgs))
			org := g.orgs[oi]
			topics := g.pick(len(g.topics), 1+g.rnd.IntN(3))
			authors := g.pick(membersPerOrganisation, 1+g.rnd.IntN(3))
			first := g.topics[topics[0]].Name
			b := c.Practice.Create().SetID(g.id("prc")).
				SetTitle(fmt.Sprintf("%s: %s im %s", first, actions[g.rnd.IntN(len(actions))], org.Name)).
				SetSummary(fmt.Sprintf("Wie %s das Thema %s angegangen ist (Vorhaben %d). %s",
					org.Name, first, i+1, results[g.rnd.IntN(len(results))])).
				SetOrganisationID(org.ID).SetStatus(practice.StatusPUBLISHED).
				SetPublishedAt(published.Add(time.Duration(i) * time.Hour)).
				SetMaturity(practice.MaturityROLLOUT).SetVisibility(practice.VisibilityMEMBERS)
			if g.rnd.IntN(2) == 0 {
				b.SetVisibility(practice.VisibilityPUBLIC)
				g.counts.public++
			}
			for _, t := range topics {
				b.AddTopicIDs(g.topics[t].ID)
			}
			for _, a := range authors {
				b.AddAuthorIDs(g.members[oi][a])
			}
			g.counts.topicLinks += len(topics)
			g.counts.authorLinks += len(authors)
			builders = append(builders, b)
		}
		if err := c.Practice.CreateBulk(builders...).Exec(ctx); err != nil {
			return fmt.Errorf("creating practices: %w", err)
		}
	}
	g.counts.practices = practiceCount
	return nil
}

// pick returns k distinct numbers below n.
func (g *generator) pick(n, k int) []int {
	return g.rnd.Perm(n)[:k]
}
