package demo

import (
	"time"

	"zirkel/ent/competency"
	"zirkel/ent/event"
	"zirkel/ent/indicator"
	"zirkel/ent/registration"
)

// registrationSpec is a member's registration for an event.
type registrationSpec struct {
	member  string // member key
	status  registration.Status
	daysAgo int // registered this many days before the load
}

// eventSpec is an upcoming event. Its counters are derived from its registrations.
type eventSpec struct {
	title, description string
	kind               event.Kind
	inDays, atHour     int // starts this many days after the load, at this hour (UTC)
	hours              int // duration
	place, onlineURL   string
	capacity           int    // 0 for unlimited
	deadlineInDays     int    // registration closes at the end of this day after the load; 0 for none
	circle             string // slug of the circle whose members alone see the event
	createdDaysAgo     int    // announced this many days before the load
	organisers         []string
	registrations      []registrationSpec // in the order of registration
}

// registered returns registrations of the given members, one a day going back from
// fromDaysAgo, all with the same status.
func registered(status registration.Status, fromDaysAgo int, keys ...string) []registrationSpec {
	out := make([]registrationSpec, len(keys))
	for i, k := range keys {
		out[i] = registrationSpec{member: k, status: status, daysAgo: max(1, fromDaysAgo-i)}
	}
	return out
}

var events = []eventSpec{
	{
		title: "Brown Bag: Low Code in der Kreisverwaltung", kind: event.KindONLINE_SESSION,
		description: "Mittagsformat, 45 Minuten Input und Fragen: Michael Krüger und Hanna Becker (Rhein-Kreis Neuss) " +
			"zeigen, wie sie 38 Fachanwendungen auf einer Low-Code-Plattform betreiben – mit Regelwerk, " +
			"Eigentümerschaft und Lizenzkalkulation. Kamera optional, Brötchen mitbringen.",
		inDays: 9, atHour: 11, hours: 1, onlineURL: "https://meet.zirkel.test/brownbag", capacity: 30,
		createdDaysAgo: 14, organisers: []string{"dietrich"},
		registrations: registered(registration.StatusREGISTERED, 12,
			"becker", "schmitt", "wolf", "neumann", "fischer", "meier", "engel", "zimmermann", "lange", "kaya"),
	},
	{
		title: "Messe-Workshop: Prozesse modellieren, bevor man digitalisiert", kind: event.KindWORKSHOP,
		description: "Praxisworkshop am Stand des Netzwerks: Wir nehmen einen echten Antrag (Schwerbehindertenausweis) " +
			"auf, modellieren ihn in BPMN und suchen gemeinsam die Medienbrüche. Begrenzte Plätze, bitte " +
			"nur anmelden, wenn Sie sicher teilnehmen.",
		inDays: 23, atHour: 9, hours: 3, place: "Messe Berlin, Halle 2, Workshop-Raum B", capacity: 12,
		deadlineInDays: 16, createdDaysAgo: 30, organisers: []string{"dietrich", "hartmann"},
		registrations: append(registered(registration.StatusREGISTERED, 27,
			"vogel", "becker", "neumann", "koch", "schroeder", "wolf", "yilmaz", "fischer", "schneider", "lange",
			"zimmermann", "richter"),
			registrationSpec{member: "hoffmann", status: registration.StatusWAITLISTED, daysAgo: 2}),
	},
	{
		title: "Jahrestagung Netzwerk Digitale Kommune", kind: event.KindCONFERENCE,
		description: "Zwei Tage Austausch der Community: Keynote zum KPI-Katalog, Werkstattberichte aus den Zirkeln, " +
			"Verleihung der Digitallotsen-Zertifikate und die Mitgliederversammlung des Vereins.",
		inDays: 41, atHour: 8, hours: 32, place: "Kongress Palais Kassel", capacity: 250,
		deadlineInDays: 30, createdDaysAgo: 60, organisers: []string{"dietrich", "admin"},
		registrations: append(registered(registration.StatusREGISTERED, 55,
			"hartmann", "berger", "vogel", "petersen", "schulze", "brandt", "koch", "krueger", "wolf", "hahn",
			"kaya", "scholz", "roth"),
			registrationSpec{member: "richter", status: registration.StatusCANCELLED, daysAgo: 20}),
	},
	{
		title: "CDO-Zirkel: Kennzahlen vergleichen, ohne zu ranken", kind: event.KindMEETUP,
		description: "Vertrauliche Runde des CDO-Zirkels: Wir legen die Werte des KPI-Katalogs für 2025 nebeneinander " +
			"und besprechen, was hinter Ausreißern steckt. Nichts verlässt den Raum.",
		inDays: 16, atHour: 13, hours: 4, place: "Landratsamt Böblingen, Sitzungssaal",
		circle: "cdo-zirkel", createdDaysAgo: 10, organisers: []string{"hartmann"},
		registrations: registered(registration.StatusREGISTERED, 9, "berger", "vogel", "koch", "schroeder", "hahn", "petersen"),
	},
}

// indicatorSpec is an entry of the KPI catalogue, with the range of the generated benchmark
// values. The schema links a topic to at most one indicator, so no two indicators share one.
type indicatorSpec struct {
	key, name, definition, unit, source string
	group                               indicator.TargetGroup
	direction                           indicator.Direction
	topics                              []string
	low, high                           float64
}

var indicators = []indicatorSpec{
	{key: "ozg-online", name: "Anteil online beantragter Leistungen (OZG)", unit: "%",
		definition: "Anteil der Anträge auf OZG-Leistungen der Kreisebene, die im Jahr online gestellt wurden, an allen Anträgen auf diese Leistungen.",
		source:     "OZG-Umsetzungskatalog, Leistungen der Kreisebene",
		group:      indicator.TargetGroupCITIZENS, direction: indicator.DirectionHIGHER_IS_BETTER,
		topics: []string{"ozg-umsetzung", "kennzahlen"}, low: 14, high: 62},
	{key: "wohngeld-dauer", name: "Bearbeitungsdauer Wohngeld in Tagen", unit: "Tage",
		definition: "Median der Tage vom Eingang des vollständigen Antrags auf Mietzuschuss bis zum Bescheid.",
		source:     "OZG-Leistung Wohngeld (LeiKa-Leistung Wohngeld – Mietzuschuss)",
		group:      indicator.TargetGroupCITIZENS, direction: indicator.DirectionLOWER_IS_BETTER,
		topics: []string{"online-dienste"}, low: 18, high: 74},
	{key: "zufriedenheit", name: "Zufriedenheit der Bürgerinnen und Bürger", unit: "Punkte (1–5)",
		definition: "Mittlere Zufriedenheit aus der jährlichen Kundenbefragung im Bürgerservice, Skala 1 (unzufrieden) bis 5 (sehr zufrieden).",
		source:     "Kundenbefragung nach dem Fragebogen der Lebenslagenbefragung (Destatis)",
		group:      indicator.TargetGroupCITIZENS, direction: indicator.DirectionHIGHER_IS_BETTER,
		topics: []string{"buergerservice"}, low: 3.1, high: 4.4},
	{key: "eingangspost", name: "Anteil digitaler Eingangspost", unit: "%",
		definition: "Anteil der Eingänge, die elektronisch eingehen oder beim Eingang gescannt werden und danach nur noch elektronisch bearbeitet werden.",
		source:     "KPI-Katalog des CDO-Zirkels, Handlungsfeld E-Akte",
		group:      indicator.TargetGroupADMINISTRATION, direction: indicator.DirectionHIGHER_IS_BETTER,
		topics: []string{"e-akte"}, low: 18, high: 78},
	{key: "digitalqualifizierung", name: "Anteil Beschäftigte mit Digitalqualifizierung", unit: "%",
		definition: "Anteil der Beschäftigten, die in den letzten drei Jahren mindestens eine Qualifizierung von einem Tag zu digitalen Kompetenzen abgeschlossen haben.",
		source:     "Kompetenzrahmen Qualifica Digitalis (IT-Planungsrat)",
		group:      indicator.TargetGroupSTAFF, direction: indicator.DirectionHIGHER_IS_BETTER,
		topics: []string{"digitalkompetenz"}, low: 8, high: 52},
	{key: "gewerbe-dauer", name: "Durchlaufzeit Gewerbeanmeldung", unit: "Tage",
		definition: "Median der Arbeitstage vom Eingang der Gewerbeanzeige bis zur Bestätigung an das Unternehmen.",
		source:     "OZG-Leistung Gewerbeanmeldung (EfA); Studie Top 100 Verwaltungsleistungen",
		group:      indicator.TargetGroupBUSINESSES, direction: indicator.DirectionLOWER_IS_BETTER,
		topics: []string{"prozessmanagement"}, low: 1.5, high: 12},
}

// benchmarkPeriod is the period of the generated benchmark values.
const benchmarkPeriod = "2025"

// benchmarkDistricts are Landkreise of 200,000 to 400,000 inhabitants that report the KPI
// catalogue, so that each of them has enough peers of similar size for the benchmark.
var benchmarkDistricts = []string{
	"01060", "03159", "03254", "05166", "05774", "06434", "06531", "07137",
	"08115", "08415", "09187", "12069", "13075", "14625", "14626", "15085",
}

// measurementSpec is one value of an indicator; before and after name a practice whose effect
// it documents.
type measurementSpec struct {
	indicator, org, period string
	value                  float64
	note                   string
	before, after          string // practice titles
}

// practiceMeasurements are written by hand: the values before and after two practices, in
// districts that did well.
var practiceMeasurements = []measurementSpec{
	{indicator: "eingangspost", org: "08115", period: "2021", value: 12.5,
		note: "Vor der E-Akte: Posteingang fast nur auf Papier.", before: "E-Akte-Einführung in der Kreisverwaltung"},
	{indicator: "eingangspost", org: "08115", period: benchmarkPeriod, value: 86.4,
		note: "Zentrales Scanzentrum, 14 von 16 Ämtern elektronisch.", after: "E-Akte-Einführung in der Kreisverwaltung"},
	{indicator: "digitalqualifizierung", org: "03159", period: benchmarkPeriod, value: 61.0,
		note: "Module des Digitallotsen-Programms mitgezählt.", after: "Digitallotsen-Programm"},
}

// productSpec is a product of the software landscape. The vendors of real products are not
// members of the community; the fictional ones are.
type productSpec struct {
	key, name, category, website string
	vendor                       string // organisation key; empty if not in the community
	openSource, efa              bool
	practices                    []string // titles of the practices that use it
}

var products = []productSpec{
	{key: "camunda", name: "Camunda", category: "Prozessautomatisierung", website: "https://camunda.com", openSource: true},
	{key: "signavio", name: "SAP Signavio", category: "Prozessmodellierung", website: "https://www.signavio.com"},
	{key: "budibase", name: "Budibase", category: "Low-Code-Plattform", website: "https://budibase.com", openSource: true},
	{key: "mendix", name: "Mendix", category: "Low-Code-Plattform", website: "https://www.mendix.com"},
	{key: "dvelop", name: "d.velop documents", category: "E-Akte und Dokumentenmanagement", website: "https://www.d-velop.de",
		practices: []string{"E-Akte-Einführung in der Kreisverwaltung", "KI-gestützte Posteingangsbearbeitung"}},
	{key: "nextcloud", name: "Nextcloud", category: "Kollaboration und Dateiablage", website: "https://nextcloud.com", openSource: true,
		practices: []string{"Souveräner Arbeitsplatz mit Open-Source-Kollaboration"}},
	{key: "openproject", name: "OpenProject", category: "Projektmanagement", website: "https://www.openproject.org", openSource: true},
	{key: "tevis", name: "TEVIS", category: "Terminvergabe", website: "https://www.kommunix.de",
		practices: []string{"Online-Terminvergabe im Bürgerbüro"}},
	{key: "termine-efa", name: "Online-Terminvergabe (EfA)", category: "Terminvergabe", efa: true,
		website: "https://www.formularwerk.example/termine", vendor: "formularwerk"},
}

// opinion is an answer to "would you recommend it?", which may be left open.
type opinion int

const (
	noAnswer opinion = iota
	recommends
	advisesAgainst
)

// usageSpec says that an organisation uses a product for a topic; the contact works there.
type usageSpec struct {
	product, org, topic, task string
	since                     time.Time
	satisfaction              int // 1 to 5; 0 if not rated
	recommend                 opinion
	contact                   string // member key
	notes                     string
}

// month returns the first day of a month, for usageSpec.since.
func month(year int, m time.Month) time.Time { return time.Date(year, m, 1, 0, 0, 0, 0, time.UTC) }

var usages = []usageSpec{
	{product: "camunda", org: "05162", topic: "prozessmanagement", task: "Automatisierung des Antragseingangs Schwerbehindertenausweis",
		since: month(2022, time.March), satisfaction: 4, recommend: recommends, contact: "becker"},
	{product: "camunda", org: "09162", topic: "online-dienste", task: "Workflow-Engine hinter den Online-Diensten",
		since: month(2021, time.June), satisfaction: 4, recommend: recommends},
	{product: "camunda", org: "05913", topic: "prozessmanagement", task: "Genehmigungsworkflows im Personalamt",
		since: month(2023, time.January), satisfaction: 3, recommend: recommends, contact: "richter",
		notes: "Ohne eigene Entwicklerinnen und Entwickler nicht zu betreiben."},
	{product: "signavio", org: "08115", topic: "prozessmanagement", task: "Prozessmodelle für die E-Akte-Einführung",
		since: month(2020, time.September), satisfaction: 3},
	{product: "signavio", org: "06434", topic: "prozessmanagement", task: "Prozessaufnahme in der Stabsstelle Digitalisierung",
		since: month(2024, time.February), satisfaction: 4, recommend: recommends, contact: "vogel"},
	{product: "signavio", org: "14713", topic: "prozessmanagement", task: "Prozessmodellierung im Bürgerservice",
		since: month(2019, time.April), satisfaction: 2, recommend: advisesAgainst,
		notes: "Lizenzkosten im Verhältnis zur Nutzung zu hoch; wir prüfen die Ablösung."},
	{product: "budibase", org: "norderstedt", topic: "low-code", task: "Interne Formulare und kleine Datenbanken",
		since: month(2024, time.January), satisfaction: 4, recommend: recommends, contact: "schmitt"},
	{product: "budibase", org: "01060", topic: "low-code", task: "Fundsachen- und Schlüsselverwaltung",
		since: month(2024, time.May), satisfaction: 3},
	{product: "budibase", org: "03159", topic: "digitalkompetenz", task: "Anmeldung zu den Schulungen der Digitallotsen",
		since: month(2023, time.October), satisfaction: 4, recommend: recommends, contact: "wolf"},
	{product: "mendix", org: "05913", topic: "low-code", task: "Fachanwendung Sondernutzungserlaubnisse",
		since: month(2022, time.July), satisfaction: 4, recommend: recommends, contact: "richter"},
	{product: "mendix", org: "15085", topic: "low-code", task: "Schülerbeförderung",
		since: month(2023, time.August), satisfaction: 3, recommend: recommends, contact: "neumann"},
	{product: "mendix", org: "06434", topic: "low-code", task: "Pilot: Verwaltung der Ehrenamtskarten",
		since: month(2024, time.March), satisfaction: 2, recommend: advisesAgainst,
		notes: "Pilot nach sechs Monaten beendet: zu wenig eigene Entwicklungskapazität."},
	{product: "dvelop", org: "08115", topic: "e-akte", task: "E-Akte in 14 Fachämtern mit zentralem Scanzentrum",
		since: month(2021, time.February), satisfaction: 4, recommend: recommends, contact: "fischer"},
	{product: "dvelop", org: "03159", topic: "e-akte", task: "E-Akte im Sozialamt",
		since: month(2022, time.November), satisfaction: 3, recommend: recommends, contact: "yilmaz"},
	{product: "dvelop", org: "13075", topic: "e-akte", task: "E-Akte in der Bauaufsicht",
		since: month(2023, time.May), satisfaction: 3},
	{product: "dvelop", org: "01060", topic: "ki", task: "Ablage der klassifizierten Eingangspost",
		since: month(2024, time.September), satisfaction: 4, recommend: recommends, contact: "hoffmann"},
	{product: "nextcloud", org: "norderstedt", topic: "cloud", task: "Souveräner Arbeitsplatz: Dateiablage und Zusammenarbeit",
		since: month(2023, time.April), satisfaction: 4, recommend: recommends, contact: "schmitt"},
	{product: "nextcloud", org: "magstadt", topic: "change-management", task: "Dateiaustausch mit dem Gemeinderat",
		since: month(2024, time.June), satisfaction: 5, recommend: recommends, contact: "zimmermann"},
	{product: "nextcloud", org: "01060", topic: "cloud", task: "Datenaustausch mit freien Trägern",
		since: month(2022, time.January), satisfaction: 4, recommend: recommends, contact: "petersen"},
	{product: "nextcloud", org: "garmisch", topic: "cloud", task: "Dateiablage im Hauptamt",
		since: month(2023, time.March), satisfaction: 3},
	{product: "openproject", org: "05162", topic: "organisation", task: "Portfolio der Digitalisierungsprojekte",
		since: month(2022, time.May), satisfaction: 4, recommend: recommends, contact: "krueger"},
	{product: "openproject", org: "13075", topic: "foerdermittel", task: "Steuerung der geförderten Digitalprojekte",
		since: month(2023, time.February), satisfaction: 4, recommend: recommends, contact: "koch"},
	{product: "openproject", org: "09162", topic: "open-data", task: "Projektplanung Open-Data-Portal",
		since: month(2021, time.September), satisfaction: 3},
	{product: "tevis", org: "bad-homburg", topic: "terminvergabe", task: "Termine im Bürgerbüro",
		since: month(2023, time.January), satisfaction: 5, recommend: recommends, contact: "schneider"},
	{product: "termine-efa", org: "06434", topic: "terminvergabe", task: "Termine in Kfz-Zulassung und Führerscheinstelle",
		since: month(2024, time.April), satisfaction: 4, recommend: recommends, contact: "vogel"},
	{product: "termine-efa", org: "15085", topic: "terminvergabe", task: "Termine in der Ausländerbehörde",
		since: month(2024, time.July), satisfaction: 3, recommend: recommends,
		notes: "Anbindung an das Fachverfahren fehlt noch; Termine werden von Hand übertragen."},
	{product: "termine-efa", org: "13075", topic: "terminvergabe", task: "Termine für Videoberatung und Außenstellen",
		since: month(2024, time.October), satisfaction: 4, recommend: recommends, contact: "koch"},
}

// competencySpec is an entry of the competency inventory.
type competencySpec struct {
	key, name, description string
	side                   competency.Side
	topic                  string // slug; empty for none
}

var competencies = []competencySpec{
	{key: "agile-vergabe", name: "Agile Vergabe", side: competency.SideAUTHORITY, topic: "recht",
		description: "IT-Leistungen so ausschreiben, dass iterative Entwicklung möglich bleibt: EVB-IT, Rahmenverträge, Abrufe in Sprints."},
	{key: "anforderungen", name: "Anforderungsmanagement", side: competency.SideAUTHORITY, topic: "prozessmanagement",
		description: "Fachliche Anforderungen erheben, priorisieren und so beschreiben, dass ein Anbieter sie umsetzen und man sie abnehmen kann."},
	{key: "dsfa", name: "Datenschutz-Folgenabschätzung", side: competency.SideAUTHORITY, topic: "dsgvo",
		description: "Risiken einer Verarbeitung nach Art. 35 DSGVO bewerten und Maßnahmen festlegen, bevor ein Verfahren startet."},
	{key: "produktverantwortung", name: "Produktverantwortung für Fachverfahren", side: competency.SideAUTHORITY, topic: "organisation",
		description: "Als Product Owner im Fachbereich entscheiden, was ein Fachverfahren als Nächstes können muss, und den Backlog pflegen."},
	{key: "abnahme", name: "Abnahme und Test von Software", side: competency.SideAUTHORITY, topic: "technologie",
		description: "Abnahmekriterien festlegen, Testfälle mit dem Fachbereich schreiben und Mängel so dokumentieren, dass sie behoben werden."},
	{key: "verwaltung-verstehen", name: "Verwaltungsprozesse verstehen", side: competency.SideVENDOR, topic: "organisation",
		description: "Rechtsgrundlagen, Zuständigkeiten und Abläufe einer Kommunalverwaltung kennen, bevor man eine Lösung vorschlägt."},
	{key: "barrierefreiheit", name: "Barrierefreie Online-Dienste (BITV 2.0)", side: competency.SideVENDOR, topic: "online-dienste",
		description: "Online-Dienste so bauen und prüfen, dass sie die BITV 2.0 erfüllen, einschließlich Leichter Sprache."},
	{key: "fit-connect", name: "Anbindung an FIT-Connect und Nutzerkonten", side: competency.SideVENDOR, topic: "ozg-umsetzung",
		description: "Online-Dienste über FIT-Connect an Fachverfahren und an BundID anbinden, mit den passenden XÖV-Standards."},
}

// ratingSpec is a member's self-rating: 1 (heard of it) to 4 (can teach it).
type ratingSpec struct {
	member, competency string
	level              int
	findable           bool
}

var ratings = []ratingSpec{
	{member: "vogel", competency: "anforderungen", level: 4, findable: true},
	{member: "becker", competency: "anforderungen", level: 4, findable: true},
	{member: "neumann", competency: "anforderungen", level: 2},
	{member: "krueger", competency: "agile-vergabe", level: 3, findable: true},
	{member: "neumann", competency: "agile-vergabe", level: 2},
	{member: "koch", competency: "agile-vergabe", level: 1},
	{member: "wagner", competency: "dsfa", level: 4, findable: true},
	{member: "petersen", competency: "dsfa", level: 3, findable: true},
	{member: "lange", competency: "dsfa", level: 2},
	{member: "hartmann", competency: "produktverantwortung", level: 3, findable: true},
	{member: "richter", competency: "produktverantwortung", level: 3},
	{member: "fischer", competency: "abnahme", level: 3, findable: true},
	{member: "schmitt", competency: "abnahme", level: 2},
	{member: "engel", competency: "verwaltung-verstehen", level: 3, findable: true},
	{member: "roth", competency: "verwaltung-verstehen", level: 2},
	{member: "roth", competency: "barrierefreiheit", level: 4, findable: true},
	{member: "engel", competency: "fit-connect", level: 3, findable: true},
	{member: "scholz", competency: "fit-connect", level: 4, findable: true},
}
