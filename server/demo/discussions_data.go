package demo

import "time"

const (
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * time.Hour
)

// discussions are the demo's threads: in the open community and inside circles, where only
// members of the circle write.
var discussions = []discussionSpec{
	{
		title: "Willkommen im Zirkel – stellt euch kurz vor!", pinned: true, daysAgo: 40,
		messages: []messageSpec{
			{by: "dietrich", after: hour, body: "Herzlich willkommen auf der Plattform! Damit wir wissen, wer hier mitliest: Stellt euch in zwei, drei Sätzen vor – wer ihr seid, woran ihr gerade arbeitet und wozu ihr Austausch sucht."},
			{by: "hartmann", after: 3 * hour, body: "Sabine, CDO im Landkreis Böblingen. Wir sind im Endspurt der E-Akte-Einführung (zwei Ämter fehlen noch). Ich suche Austausch zur Wirkungsmessung: Wie zeigen wir, was Digitalisierung bringt?"},
			{by: "schneider", after: day, body: "Marie aus dem Bürgerbüro Bad Homburg. Wir haben die Online-Terminvergabe eingeführt – wer davor steht, darf mich gern löchern."},
			{by: "petersen", after: 5 * hour, body: "Jens, CDO im Kreis Segeberg. Wir pilotieren KI im Posteingang. Wer Ähnliches plant: Im Zirkel „KI in der Verwaltung“ teilen wir auch, was nicht funktioniert."},
			{by: "lange", after: 2 * day, body: "Peter, Hauptamtsleiter in Garmisch-Partenkirchen. Kleine Verwaltung, alle machen alles. Ich bin hier, um nicht jedes Rad selbst erfinden zu müssen."},
			{by: "engel", after: day, body: "Markus von Beispielsoft, also Anbieterseite. Mir ist klar, dass das hier kein Vertriebsraum ist – ich bringe Erfahrungen aus Projekten ein, gern auch die gescheiterten."},
			{by: "dietrich", after: 3 * hour, reply: 6, body: "Danke, Markus – genau so ist es gedacht. Für Anbieter gelten die Community-Regeln: Erfahrungen ja, Werbung nein."},
		},
	},
	{
		title: "Welches Werkzeug nutzt ihr für Prozessmanagement?", topics: []string{"prozessmanagement"}, daysAgo: 25,
		messages: []messageSpec{
			{by: "vogel", after: 90 * minute, body: "Wir bauen gerade eine Prozesslandkarte auf und stehen vor der Werkzeugauswahl. Was nutzt ihr, und was würdet ihr heute anders machen?"},
			{by: "becker", after: 2 * hour, body: "Wir modellieren mit ADONIS, die Landkarte hat rund 600 Prozesse. Wichtiger als das Werkzeug sind aber Prozessverantwortliche – ohne sie veralten die Modelle. Unser Vorgehen steht als Praxisbeispiel auf der Plattform."},
			{by: "vogel", after: 40 * minute, reply: 2, body: "Danke! Wie viele Lizenzen braucht ihr – nur für die Modellierenden oder für alle, die lesen?"},
			{by: "becker", after: 90 * minute, reply: 3, edited: true, body: "Zwölf Modellierungslizenzen; gelesen wird über das Webportal, dafür brauchen wir keine Einzellizenzen. Nachtrag: Die Schulung der Modellierenden hat zwei Tage gedauert."},
			{by: "richter", after: 5 * hour, body: "Bei uns BPMN im Camunda Modeler, weil wir einen Teil der Prozesse automatisiert ausführen wollen. Für eine reine Landkarte wäre mir das zu technisch."},
			{by: "lange", after: day, body: "Kleine Verwaltung: Wir zeichnen unsere Prozesse in draw.io und legen sie im Intranet ab. Für 60 Beschäftigte reicht das völlig."},
			{by: "vogel", after: 3 * hour, body: "Sehr hilfreich, danke euch. Wir starten mit einem Piloten im Bürgerbüro und entscheiden danach über das Werkzeug. Ich berichte hier."},
		},
	},
	{
		title: "Was braucht man für Low Code? Governance vor der ersten App", circle: "low-code-werkstatt",
		topics: []string{"low-code"}, daysAgo: 18,
		messages: []messageSpec{
			{by: "neumann", after: 2 * hour, body: "Wir wollen eine Low-Code-Plattform einführen. Was braucht man wirklich – Personal, Regeln, Betrieb? Und was habt ihr unterschätzt?"},
			{by: "krueger", after: hour, body: "Drei Dinge: ein Regelwerk vor der ersten Anwendung, eine klare Plattformverantwortung in der IT und für jede Anwendung eine fachliche Eigentümerin. Unterschätzt haben wir die Lizenzkosten für Lesende."},
			{by: "engel", after: 3 * hour, body: "Aus Projekten: Der häufigste Fehler ist, mit der komplexesten Anwendung zu starten. Klein anfangen, sichtbar machen. Und vor dem Vertrag klären, wie die Daten wieder herauskommen."},
			{by: "schmitt", after: 2 * hour, reply: 3, body: "Die Exit-Frage ist der Kern. Wir bestehen inzwischen auf offenen Schnittstellen und vollständigem Datenexport im Vertrag."},
			{by: "wolf", after: day, body: "Wir haben acht Citizen Developer in den Ämtern ausgebildet; zwei bauen wirklich. Man braucht Leute, die Zeit dafür bekommen, nicht nur Interesse."},
			{by: "neumann", after: 4 * hour, body: "Danke euch. Wir beschließen zuerst das Regelwerk und starten dann mit drei kleinen Anwendungen."},
		},
	},
	{
		title: "Ehrliche Bilanz: Abbruch unserer Fachverfahrensmigration", circle: "cdo-zirkel",
		topics: []string{"change-management"}, daysAgo: 11,
		messages: []messageSpec{
			{by: "koch", after: hour, body: "Ich habe unsere Bilanz zum Abbruch der Migration als Praxisbeispiel eingestellt, bewusst nur für den Zirkel. Mich interessiert: Wie habt ihr den Abbruch eines Projekts gegenüber Kreistag und Politik vertreten?"},
			{by: "hartmann", after: 2 * hour, body: "Danke für die Offenheit, Nicole – genau dafür ist dieser Raum da. Wir hatten einen ähnlichen Fall: Geholfen hat, den Abbruch als Entscheidung zu präsentieren, die weiteren Schaden verhindert, mit Zahlen zu den vermiedenen Kosten."},
			{by: "berger", after: 3 * hour, deleted: true},
			{by: "berger", after: 10 * minute, body: "Zur Sache: Wir formulieren Abbruchkriterien inzwischen schon im Projektauftrag. Dann ist ein Abbruch kein Gesichtsverlust, sondern ein vereinbarter Ausgang."},
			{by: "hahn", after: day, reply: 1, body: "Aus der Begleitforschung: Fehlende Auftraggeberkompetenz ist der häufigste Grund für gescheiterte Migrationen. Wir bereiten für die Jahrestagung eine Abfrage dazu vor – darf ich euren Fall anonymisiert aufnehmen?"},
			{by: "koch", after: 2 * hour, reply: 5, body: "Gern, anonymisiert ist in Ordnung."},
		},
	},
	{
		title: "KI-Verordnung: Was bedeutet sie für unsere Pilotprojekte?", circle: "ki-in-der-verwaltung",
		topics: []string{"ki", "dsgvo"}, daysAgo: 8,
		messages: []messageSpec{
			{by: "kaya", after: hour, body: "Erste Pflichten der KI-Verordnung gelten bereits, etwa zur KI-Kompetenz der Beschäftigten. Wie geht ihr damit um? Habt ihr eure Anwendungen schon nach Risikoklassen eingeordnet?"},
			{by: "petersen", after: 2 * hour, body: "Unseren Posteingangs-Piloten ordnen wir nicht als Hochrisiko ein, weil er nur vorschlägt und ein Mensch entscheidet. Die Begründung haben wir dokumentiert und mit dem Datenschutz abgestimmt."},
			{by: "wagner", after: hour, reply: 2, body: "Die Einordnung würde ich regelmäßig prüfen, sobald der Vorschlag faktisch übernommen wird, ohne hinzusehen. Aus Sicherheitssicht: Das Modell sollte nur im eigenen Netz laufen."},
			{by: "schulze", after: 5 * hour, body: "Für unseren Chatbot gibt es einen Transparenzhinweis: Man sieht immer, dass man mit einer KI schreibt, und bekommt die Quelle der Antwort."},
			{by: "krause", after: 30 * minute, reply: 4, body: "Und der Bot sagt, wenn er etwas nicht weiß. Das war in den Tests mit echten Anliegen die wichtigste Regel."},
			{by: "hahn", after: day, body: "Wir stellen bis Monatsende eine Checkliste „KI-Kompetenz“ zusammen. Wer möchte den Entwurf gegenlesen?"},
			{by: "hoffmann", after: 2 * hour, reply: 6, body: "Ich gern – wir schulen gerade die Kolleginnen und Kollegen im Posteingang."},
		},
	},
	{
		title: "Wie viel Zeit bekommt ihr für die Lotsenarbeit?", circle: "digitallotsen-netzwerk",
		topics: []string{"digitalkompetenz"}, daysAgo: 14,
		messages: []messageSpec{
			{by: "yilmaz", after: 2 * hour, body: "Kurze Umfrage unter uns: Wie viel Arbeitszeit habt ihr offiziell für die Lotsenarbeit – und wie viel davon klappt in der Praxis?"},
			{by: "fischer", after: hour, body: "Offiziell zehn Prozent. In Einführungsphasen wie jetzt bei der E-Akte deutlich mehr, sonst eher weniger."},
			{by: "meier", after: 2 * hour, body: "Bei uns gibt es keinen festen Anteil, aber die Vorbereitung der Brown-Bag-Reihe zählt ausdrücklich als Arbeitszeit. Das hilft."},
			{by: "hoffmann", after: 4 * hour, body: "Bei uns gibt es gar keine Regelung. Ehrlich gesagt ist das unser größtes Problem."},
			{by: "yilmaz", after: 30 * minute, reply: 4, body: "Kennen wir. Geholfen hat eine Dienstvereinbarung mit dem Personalrat, die die Freistellung festschreibt. Ich kann den Text teilen."},
			{by: "hoffmann", after: 20 * minute, reply: 5, body: "Sehr gern!"},
			{by: "krause", after: day, body: "Wir stehen ganz am Anfang, Freistellung gibt es noch nicht. Die Vereinbarung würde mir auch helfen."},
			{by: "schneider", after: 3 * hour, body: "Im Bürgerbüro sind Lotsenstunden schwer planbar. Wir tauschen Schichten, damit ich einmal pro Woche einen halben Tag habe."},
			{by: "yilmaz", after: day, body: "Die Dienstvereinbarung liegt anonymisiert in unserer Dateiablage. Beim nächsten Treffen sprechen wir über Erfahrungen damit."},
		},
	},
	{
		title: "Förderaufruf des Landes für kommunale Digitalprojekte: Fristen", topics: []string{"foerdermittel"},
		locked: true, daysAgo: 35,
		messages: []messageSpec{
			{by: "koch", after: hour, body: "Der Förderaufruf des Landes für kommunale Digitalprojekte endet am Monatsende. Wer stellt einen Antrag, und wofür?"},
			{by: "brandt", after: 3 * hour, body: "Aus Landessicht: Die Frist wird nicht verlängert. Bitte plant die Folgekosten nach Ende der Förderung mit ein – danach fragen wir im Antrag ausdrücklich."},
			{by: "neumann", after: day, body: "Wir beantragen Mittel für Videoberatung. Hat jemand Interesse an einem gemeinsamen, interkommunalen Antrag?"},
			{by: "koch", after: 2 * hour, reply: 3, body: "Interkommunal gern! Wir haben da Erfahrung, ich melde mich direkt bei dir."},
			{by: "dietrich", after: 6 * day, body: "Die Frist ist abgelaufen, ich schließe diesen Thread. Erfahrungen mit der Bewilligung gern in einem neuen Thread."},
		},
	},
	{
		title:  "Benchmarks ohne rote Laterne: Welche Kennzahlen vergleichen wir?",
		topics: []string{"kennzahlen", "dashboards"}, daysAgo: 4,
		messages: []messageSpec{
			{by: "hartmann", after: hour, body: "Für den KPI-Katalog sammeln wir, was ihr schon messt. Welche drei Kennzahlen würdet ihr gern mit Verwaltungen ähnlicher Größe vergleichen? Wir vergleichen, um zu lernen – nicht für Ranglisten."},
			{by: "richter", after: 2 * hour, body: "Durchlaufzeit der häufigsten Leistungen, Anteil digital gestellter Anträge und Rückstände."},
			{by: "hahn", after: hour, reply: 2, body: "Der Anteil digital gestellter Anträge ist gut messbar. Für die Durchlaufzeit brauchen wir eine gemeinsame Definition von Start- und Endereignis, sonst vergleichen wir Verschiedenes."},
			{by: "berger", after: 3 * hour, body: "Ich würde die Zufriedenheit der Beschäftigten mit ihren digitalen Werkzeugen ergänzen – sie sind auch eine Zielgruppe."},
			{by: "vogel", after: day, body: "Nutzung der Online-Dienste bitte im Verhältnis zur Fallzahl, sonst sehen große Städte immer besser aus."},
			{by: "hartmann", after: 2 * hour, body: "Danke! Ich nehme das in den Entwurf auf; die Abfrage an alle Mitglieder folgt nächste Woche."},
		},
	},
}
