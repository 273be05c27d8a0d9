package demo

import (
	"context"
	"fmt"

	"zirkel/ent"
	"zirkel/ent/circle"
	"zirkel/ent/circlemembership"
	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
)

// topicSpec is a topic; children follow their parent in the table.
type topicSpec struct {
	slug, name, description string
	parent                  string // slug; empty at the top level
}

// topics is the topic tree: seven fields of work with their sub-topics.
var topics = []topicSpec{
	{slug: "organisation", name: "Organisation", description: "Aufbau- und Ablauforganisation, Steuerung und Zusammenarbeit in der Verwaltung."},
	{slug: "prozessmanagement", name: "Prozessmanagement", parent: "organisation", description: "Prozesse erheben, modellieren, optimieren und digitalisieren."},
	{slug: "change-management", name: "Change-Management", parent: "organisation", description: "Veränderungen begleiten: Kommunikation, Beteiligung, Führung."},
	{slug: "technologie", name: "Technologie", description: "Plattformen, Infrastruktur und Werkzeuge der digitalen Verwaltung."},
	{slug: "low-code", name: "Low Code", parent: "technologie", description: "Fachanwendungen mit Low-Code-Plattformen selbst bauen – mit Governance."},
	{slug: "cloud", name: "Cloud", parent: "technologie", description: "Cloud-Dienste, souveräne Arbeitsplätze und Rechenzentrumsstrategie."},
	{slug: "it-sicherheit", name: "IT-Sicherheit", parent: "technologie", description: "Informationssicherheit, BSI-IT-Grundschutz, Notfallmanagement."},
	{slug: "ki", name: "KI", parent: "technologie", description: "Künstliche Intelligenz in Verwaltungsabläufen: Chancen, Grenzen, Regeln."},
	{slug: "e-akte", name: "E-Akte & Dokumentenmanagement", parent: "technologie", description: "Elektronische Aktenführung, Scannen, Posteingang und Archivierung."},
	{slug: "recht", name: "Recht", description: "Rechtliche Rahmenbedingungen der Verwaltungsdigitalisierung."},
	{slug: "ozg-umsetzung", name: "OZG-Umsetzung", parent: "recht", description: "Onlinezugangsgesetz: Leistungen online anbieten, EfA-Lösungen nachnutzen."},
	{slug: "dsgvo", name: "DSGVO", parent: "recht", description: "Datenschutz: Zweckbindung, Verarbeitungsverzeichnis, Betroffenenrechte."},
	{slug: "personal-kultur", name: "Personal & Kultur", description: "Menschen, Kompetenzen und Arbeitskultur in der digitalen Verwaltung."},
	{slug: "digitalkompetenz", name: "Digitalkompetenz", parent: "personal-kultur", description: "Qualifizierung von Beschäftigten und Führungskräften, Multiplikatoren."},
	{slug: "recruiting", name: "Recruiting", parent: "personal-kultur", description: "IT- und Digitalfachkräfte gewinnen und halten."},
	{slug: "finanzen", name: "Finanzen", description: "Budgets, Wirtschaftlichkeit und Finanzierung von Digitalprojekten."},
	{slug: "foerdermittel", name: "Fördermittel", parent: "finanzen", description: "Förderprogramme von Bund, Ländern und EU finden und nutzen."},
	{slug: "buergerservice", name: "Bürgerservice", description: "Leistungen für Bürgerinnen, Bürger und Unternehmen."},
	{slug: "online-dienste", name: "Online-Dienste", parent: "buergerservice", description: "Anträge und Leistungen digital von Ende zu Ende."},
	{slug: "terminvergabe", name: "Terminvergabe", parent: "buergerservice", description: "Online-Termine, Warteschlangen und Bürgerbüro-Organisation."},
	{slug: "daten", name: "Daten", description: "Daten als Grundlage von Steuerung, Transparenz und neuen Diensten."},
	{slug: "open-data", name: "Open Data", parent: "daten", description: "Offene Verwaltungsdaten veröffentlichen und nutzbar machen."},
	{slug: "dashboards", name: "Dashboards", parent: "daten", description: "Kennzahlen sichtbar machen für Verwaltungsspitze und Öffentlichkeit."},
	{slug: "kennzahlen", name: "Kennzahlen", parent: "daten", description: "KPI-Katalog: Wirkung und Nutzen für Bürger, Unternehmen und Beschäftigte messen."},
}

func (l *loader) loadTopics(ctx context.Context) error {
	for _, t := range topics {
		c := l.client.Topic.Create().SetSlug(t.slug).SetName(t.name).SetDescription(t.description)
		if t.parent != "" {
			parent, err := lookupOne("topic", l.topics, t.parent)
			if err != nil {
				return err
			}
			c.SetParentID(parent)
		}
		created, err := c.Save(ctx)
		if err != nil {
			return fmt.Errorf("creating topic %s: %w", t.slug, err)
		}
		l.topics[t.slug] = created.ID
	}
	return nil
}

// memberSpec is a member of the community; all people are fictional.
type memberSpec struct {
	key      string // how practices, circles and discussions refer to the member
	name     string
	email    string
	role     member.CommunityRole
	platform member.PlatformRole // empty for MEMBER
	job      string
	org      string // organisation key
	topics   []string
	bio      string
	inactive bool
}

// AdminEmail is the e-mail address of the demo's administrator account.
const AdminEmail = "admin@zirkel.test"

var members = []memberSpec{
	{key: "admin", name: "Zirkel Admin", email: AdminEmail, role: member.CommunityRoleSTAFF, platform: member.PlatformRoleADMIN,
		job: "Plattformbetrieb", org: "netzwerk", bio: "Technischer Betrieb der Plattform. Fragen zu Konten und Rechten bitte hierher."},
	{key: "dietrich", name: "Ralf Dietrich", email: "ralf.dietrich@netzwerk-digitale-kommune.example", role: member.CommunityRoleSTAFF, platform: member.PlatformRoleMODERATOR,
		job: "Geschäftsführer", org: "netzwerk", topics: []string{"change-management", "kennzahlen"},
		bio: "Koordiniert das Netzwerk und die Jahrestagung. Früher Hauptamtsleiter in einer Kreisverwaltung."},
	{key: "hartmann", name: "Sabine Hartmann", email: "sabine.hartmann@lk-boeblingen.example", role: member.CommunityRoleCDO, platform: member.PlatformRoleMODERATOR,
		job: "Chief Digital Officer", org: "08115", topics: []string{"e-akte", "change-management", "kennzahlen"},
		bio: "CDO des Landkreises seit 2019, Sprecherin des CDO-Zirkels. Schwerpunkt: E-Akte und Wirkungsmessung."},
	{key: "berger", name: "Thomas Berger", email: "thomas.berger@stadt-muenchen.example", role: member.CommunityRoleCDO,
		job: "Chief Digital Officer", org: "09162", topics: []string{"open-data", "ki", "dashboards"},
		bio: "Verantwortet die Digitalstrategie der Stadt. Überzeugt, dass offene Daten die Verwaltung selbst am meisten entlasten."},
	{key: "vogel", name: "Katrin Vogel", email: "katrin.vogel@hochtaunuskreis.example", role: member.CommunityRoleCDO,
		job: "Digitalisierungsbeauftragte", org: "06434", topics: []string{"prozessmanagement", "ozg-umsetzung"},
		bio: "Baut die Stabsstelle Digitalisierung auf. Vorher zehn Jahre Organisationsberaterin im Landratsamt."},
	{key: "petersen", name: "Jens Petersen", email: "jens.petersen@kreis-segeberg.example", role: member.CommunityRoleCDO,
		job: "Chief Digital Officer", org: "01060", topics: []string{"ki", "e-akte", "it-sicherheit"},
		bio: "Moderiert den Zirkel KI in der Verwaltung. Mag Pilotprojekte mit klarer Abbruchbedingung."},
	{key: "schulze", name: "Andrea Schulze", email: "andrea.schulze@stadt-leipzig.example", role: member.CommunityRoleCDO,
		job: "Chief Digital Officer", org: "14713", topics: []string{"ki", "online-dienste"},
		bio: "Leitet das Referat Digitale Stadt. Interessiert an Chatbots, die ehrlich sagen, was sie nicht wissen."},
	{key: "brandt", name: "Dr. Julia Brandt", email: "julia.brandt@hessen-digital.example", role: member.CommunityRoleCDO,
		job: "Referatsleiterin Digitale Verwaltung", org: "land-06", topics: []string{"ozg-umsetzung", "foerdermittel"},
		bio: "Koordiniert die OZG-Umsetzung mit den Kommunen des Landes und die Nachnutzung von EfA-Diensten."},
	{key: "koch", name: "Nicole Koch", email: "nicole.koch@kreis-vg.example", role: member.CommunityRoleCDO,
		job: "Digitalisierungsbeauftragte", org: "13075", topics: []string{"foerdermittel", "online-dienste"},
		bio: "Flächenkreis mit langen Wegen: Videoberatung und Fördermittel sind meine Dauerthemen."},
	{key: "schroeder", name: "Birgit Schröder", email: "birgit.schroeder@potsdam-mittelmark.example", role: member.CommunityRoleCDO,
		job: "Chief Digital Officer", org: "12069", topics: []string{"recruiting", "digitalkompetenz"},
		bio: "Personalgewinnung ist für mich die eigentliche Digitalisierungsfrage. Gern Austausch zu Quereinstieg."},
	{key: "krueger", name: "Michael Krüger", email: "michael.krueger@rhein-kreis-neuss.example", role: member.CommunityRoleCIO,
		job: "Fachdienstleitung IT", org: "05162", topics: []string{"low-code", "cloud", "it-sicherheit"},
		bio: "Verantwortet rund 250 Fachverfahren und die Low-Code-Plattform des Kreises. Moderiert die Low-Code-Werkstatt."},
	{key: "wolf", name: "Stefanie Wolf", email: "stefanie.wolf@landkreis-goettingen.example", role: member.CommunityRoleCIO,
		job: "Leiterin IT und Digitalisierung", org: "03159", topics: []string{"digitalkompetenz", "low-code"},
		bio: "Hat das Digitallotsen-Programm im Landkreis mit aufgebaut. Technik ist der leichtere Teil."},
	{key: "neumann", name: "Frank Neumann", email: "frank.neumann@kreis-harz.example", role: member.CommunityRoleCIO,
		job: "Fachbereichsleiter Zentrale Dienste und IT", org: "15085", topics: []string{"ozg-umsetzung", "online-dienste"},
		bio: "Zuständig für IT, Organisation und den digitalen Bauantrag. Lieber nachnutzen als selbst bauen."},
	{key: "schmitt", name: "Oliver Schmitt", email: "oliver.schmitt@norderstedt.example", role: member.CommunityRoleCIO,
		job: "Leiter Fachdienst IT", org: "norderstedt", topics: []string{"cloud", "it-sicherheit"},
		bio: "Testet souveräne Arbeitsplatzlösungen. Mitglied der Low-Code-Werkstatt."},
	{key: "richter", name: "Sebastian Richter", email: "sebastian.richter@stadt-dortmund.example", role: member.CommunityRoleCIO,
		job: "Chief Information Officer", org: "05913", topics: []string{"dashboards", "kennzahlen", "low-code"},
		bio: "Baut mit seinem Team Steuerungsdashboards für den Verwaltungsvorstand."},
	{key: "seidel", name: "Wolfgang Seidel", email: "wolfgang.seidel@stadt-leipzig.example", role: member.CommunityRoleCIO,
		job: "Abteilungsleiter IT (im Ruhestand)", org: "14713", topics: []string{"it-sicherheit"}, inactive: true,
		bio: "Seit 2024 im Ruhestand."},
	{key: "fischer", name: "Lena Fischer", email: "lena.fischer@lk-boeblingen.example", role: member.CommunityRoleDIGITAL_PILOT,
		job: "Digitallotsin", org: "08115", topics: []string{"digitalkompetenz", "e-akte"},
		bio: "Digitallotsin im Amt für Soziales, begleitet die E-Akte-Einführung in den Fachämtern."},
	{key: "meier", name: "Tobias Meier", email: "tobias.meier@stadt-muenchen.example", role: member.CommunityRoleDIGITAL_PILOT,
		job: "Digitallotse im Kreisverwaltungsreferat", org: "09162", topics: []string{"digitalkompetenz", "open-data"},
		bio: "Organisiert die Brown-Bag-Reihe „Digitaler Donnerstag“."},
	{key: "yilmaz", name: "Ayşe Yılmaz", email: "ayse.yilmaz@landkreis-goettingen.example", role: member.CommunityRoleDIGITAL_PILOT,
		job: "Digitallotsin Sozialamt", org: "03159", topics: []string{"digitalkompetenz", "change-management"},
		bio: "Sprecherin des Digitallotsen-Netzwerks. Erklärt gern, warum ein Prozess vor dem Tool kommt."},
	{key: "hoffmann", name: "Jan Hoffmann", email: "jan.hoffmann@kreis-segeberg.example", role: member.CommunityRoleDIGITAL_PILOT,
		job: "Digitallotse", org: "01060", topics: []string{"ki", "e-akte"},
		bio: "Begleitet den KI-Piloten im Posteingang und schult die Kolleginnen und Kollegen."},
	{key: "krause", name: "Anna Krause", email: "anna.krause@stadt-leipzig.example", role: member.CommunityRoleDIGITAL_PILOT,
		job: "Digitallotsin", org: "14713", topics: []string{"ki", "online-dienste"},
		bio: "Testet den Bürger-Chatbot mit echten Anliegen aus dem Bürgerbüro."},
	{key: "schneider", name: "Marie Schneider", email: "marie.schneider@bad-homburg.example", role: member.CommunityRoleSTAFF,
		job: "Sachgebietsleiterin Bürgerbüro", org: "bad-homburg", topics: []string{"terminvergabe"},
		bio: "Hat die Online-Terminvergabe im Bürgerbüro eingeführt."},
	{key: "lange", name: "Peter Lange", email: "peter.lange@gapa.example", role: member.CommunityRoleSTAFF,
		job: "Hauptamtsleiter", org: "garmisch", topics: []string{"dsgvo", "organisation"},
		bio: "In einer kleinen Verwaltung für fast alles zuständig, auch für den Datenschutz."},
	{key: "zimmermann", name: "Claudia Zimmermann", email: "claudia.zimmermann@magstadt.example", role: member.CommunityRoleSTAFF,
		job: "Leiterin Hauptamt", org: "magstadt", topics: []string{"change-management"},
		bio: "Führt gerade eine Kollaborationsplattform in der Gemeindeverwaltung ein."},
	{key: "becker", name: "Hanna Becker", email: "hanna.becker@rhein-kreis-neuss.example", role: member.CommunityRoleSTAFF,
		job: "Prozessmanagerin", org: "05162", topics: []string{"prozessmanagement", "low-code"},
		bio: "Pflegt die Prozesslandkarte des Kreises und moderiert Prozessworkshops."},
	{key: "wagner", name: "Felix Wagner", email: "felix.wagner@lk-boeblingen.example", role: member.CommunityRoleSTAFF,
		job: "Informationssicherheitsbeauftragter", org: "08115", topics: []string{"it-sicherheit", "dsgvo"},
		bio: "ISB des Landkreises. Hilft gern beim Einstieg in den BSI-IT-Grundschutz."},
	{key: "scholz", name: "Martin Scholz", email: "martin.scholz@bmi-bund.example", role: member.CommunityRoleSTAFF,
		job: "Referent OZG-Koordinierung", org: "bund", topics: []string{"ozg-umsetzung"},
		bio: "Ansprechpartner für Fragen zu EfA-Leistungen und zur Nachnutzung über FIT-Connect."},
	{key: "engel", name: "Markus Engel", email: "markus.engel@beispielsoft.example", role: member.CommunityRoleVENDOR,
		job: "Lösungsarchitekt Low Code", org: "beispielsoft", topics: []string{"low-code"},
		bio: "Anbieterseite. Beteiligt sich an der Low-Code-Werkstatt mit Erfahrungen aus Projekten, nicht mit Werbung."},
	{key: "roth", name: "Daniela Roth", email: "daniela.roth@formularwerk.example", role: member.CommunityRoleVENDOR,
		job: "Produktmanagerin Online-Dienste", org: "formularwerk", topics: []string{"online-dienste"},
		bio: "Anbieterseite, Online-Formulare und Antragsassistenten."},
	{key: "hahn", name: "Prof. Dr. Ulrich Hahn", email: "ulrich.hahn@fidv.example", role: member.CommunityRoleRESEARCHER,
		job: "Professor für Verwaltungsinformatik", org: "fidv", topics: []string{"kennzahlen", "change-management"},
		bio: "Begleitet den CDO-Zirkel wissenschaftlich und wertet die Abfragen der Community aus."},
	{key: "kaya", name: "Miriam Kaya", email: "miriam.kaya@fidv.example", role: member.CommunityRoleRESEARCHER,
		job: "Wissenschaftliche Mitarbeiterin", org: "fidv", topics: []string{"ki", "kennzahlen"},
		bio: "Forscht zu KI-Einsatz in Kommunalverwaltungen und zu Wirkungsindikatoren."},
}

func (l *loader) loadMembers(ctx context.Context) error {
	for _, m := range members {
		org, err := lookupOne("organisation", l.orgs, m.org)
		if err != nil {
			return err
		}
		expertise, err := lookup("topic", l.topics, m.topics...)
		if err != nil {
			return err
		}
		c := l.client.Member.Create().SetDisplayName(m.name).SetEmail(m.email).
			SetCommunityRole(m.role).SetJobTitle(m.job).SetBio(m.bio).
			SetOrganisationID(org).AddExpertiseIDs(expertise...)
		if m.platform != "" {
			c.SetPlatformRole(m.platform)
		}
		if m.inactive {
			c.SetStatus(member.StatusDEACTIVATED)
		}
		created, err := c.Save(ctx)
		if err != nil {
			return fmt.Errorf("creating member %s: %w", m.key, err)
		}
		l.members[m.key] = created.ID
	}
	return nil
}

// circleSpec is a circle with its members; moderators are members too.
type circleSpec struct {
	slug, name, description string
	visibility              circle.Visibility
	moderators, members     []string
}

var circles = []circleSpec{
	{slug: "cdo-zirkel", name: "CDO-Zirkel", visibility: circle.VisibilityCLOSED,
		description: "Geschützter Raum der Chief Digital Officers: Erfolge und Misserfolge offen teilen, ohne Ranking.",
		moderators:  []string{"hartmann"},
		members:     []string{"berger", "vogel", "petersen", "schulze", "brandt", "koch", "schroeder", "hahn"}},
	{slug: "low-code-werkstatt", name: "Low-Code-Werkstatt", visibility: circle.VisibilityOPEN,
		description: "Was braucht man für Low Code? Plattformen, Governance, Betrieb – Erfahrungen aus der Praxis.",
		moderators:  []string{"krueger"},
		members:     []string{"becker", "richter", "schmitt", "wolf", "neumann", "fischer", "engel"}},
	{slug: "digitallotsen-netzwerk", name: "Digitallotsen-Netzwerk", visibility: circle.VisibilityOPEN,
		description: "Austausch der Digitallotsinnen und Digitallotsen: Formate, Freistellung, Materialien.",
		moderators:  []string{"yilmaz"},
		members:     []string{"fischer", "meier", "hoffmann", "krause", "schneider", "wolf"}},
	{slug: "ki-in-der-verwaltung", name: "KI in der Verwaltung", visibility: circle.VisibilityCLOSED,
		description: "Pilotprojekte mit KI: was funktioniert, was nicht, und was die KI-Verordnung verlangt.",
		moderators:  []string{"petersen", "kaya"},
		members:     []string{"hoffmann", "schulze", "krause", "berger", "richter", "wagner", "hahn"}},
}

func (l *loader) loadCircles(ctx context.Context) error {
	for _, c := range circles {
		created, err := l.client.Circle.Create().SetSlug(c.slug).SetName(c.name).
			SetDescription(c.description).SetVisibility(c.visibility).Save(ctx)
		if err != nil {
			return fmt.Errorf("creating circle %s: %w", c.slug, err)
		}
		l.circles[c.slug] = created.ID
		if err := l.addMembers(ctx, created.ID, circlemembership.RoleMODERATOR, c.moderators); err != nil {
			return fmt.Errorf("adding moderators to %s: %w", c.slug, err)
		}
		if err := l.addMembers(ctx, created.ID, circlemembership.RoleMEMBER, c.members); err != nil {
			return fmt.Errorf("adding members to %s: %w", c.slug, err)
		}
	}
	return nil
}

// addMembers adds the members to the circle in the given role.
func (l *loader) addMembers(ctx context.Context, circleID gid.ID, role circlemembership.Role, keys []string) error {
	ids, err := lookup("member", l.members, keys...)
	if err != nil {
		return err
	}
	builders := make([]*ent.CircleMembershipCreate, len(ids))
	for i, id := range ids {
		builders[i] = l.client.CircleMembership.Create().SetCircleID(circleID).SetMemberID(id).SetRole(role)
	}
	return l.client.CircleMembership.CreateBulk(builders...).Exec(ctx)
}
