package privacy_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"

	"zirkel/ent"
	"zirkel/ent/circleban"
	"zirkel/ent/emailpreference"
	"zirkel/ent/follow"
	"zirkel/ent/loginthrottle"
	"zirkel/ent/member"
	"zirkel/ent/migrate"
	"zirkel/ent/notification"
	"zirkel/ent/outboxmail"
	"zirkel/ent/report"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/auth"
	"zirkel/server/config"
	mailer "zirkel/server/mail"
	"zirkel/server/policy"
)

// token is a distinctive value: lower case (as the search index folds it), ending in a digit
// (no stemmer suffix to strip), so that it is found in a dump wherever it is kept.
func token(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "zk" + hex.EncodeToString(b) + "7"
}

// subject is one member whose account is deleted, with the values that must vanish.
type subject struct {
	s        *apitest.Session
	personal []string // the member's own values (every string field), as column=value
	content  []string // what they wrote, as what=value
	removed  []string // texts in rows that are removed whatever the choice, as what=value
}

// fillEveryStringField gives every string field of the member that is still empty a
// distinctive value, found by walking the members table of the schema: a personal field added
// later is covered without changing this test.
func fillEveryStringField(t *testing.T, env *apitest.Env, id string) {
	t.Helper()
	ctx := policy.System(context.Background())
	m := env.App.Store.Client.Member.GetX(ctx, gid.ID(id))
	update := env.App.Store.Client.Member.UpdateOneID(m.ID)
	current := reflect.ValueOf(*m)
	for _, col := range memberStringColumns() {
		if v := stringValue(current, col.Name); v != "" {
			continue
		}
		value := token(t)
		if col.Size > 0 && int(col.Size) < len(value) {
			t.Fatalf("column %s is too short for a token", col.Name)
		}
		if err := update.Mutation().SetField(col.Name, value); err != nil {
			t.Fatalf("setting %s: %v", col.Name, err)
		}
	}
	if err := update.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// stringValues are the values of every string field (and optional string field) of a member.
func stringValues(m *ent.Member) []string {
	var out []string
	v := reflect.ValueOf(*m)
	for _, col := range memberStringColumns() {
		if s := stringValue(v, col.Name); s != "" {
			out = append(out, col.Name+"="+s)
		}
	}
	return out
}

// memberStringColumns are the string columns of the members table that hold the member's own
// fields (not its id, not references to other rows).
func memberStringColumns() []*schema.Column {
	var out []*schema.Column
	for _, col := range migrate.MembersTable.Columns {
		reference := slices.ContainsFunc(migrate.MembersTable.ForeignKeys, func(fk *schema.ForeignKey) bool {
			return slices.Contains(fk.Columns, col)
		})
		if col.Type == field.TypeString && col.Name != member.FieldID && !reference {
			out = append(out, col)
		}
	}
	return out
}

// stringValue is the value of the member's field stored in the column (by the struct's json tag
// or its Go name).
func stringValue(v reflect.Value, column string) string {
	var camel strings.Builder
	for _, word := range strings.Split(column, "_") {
		if word == "id" {
			camel.WriteString("ID")
			continue
		}
		camel.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	f := v.FieldByName(camel.String())
	if !f.IsValid() {
		panic("no field for column " + column)
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	return f.String()
}

func TestErasureLeavesNoPersonalDataInTheDatabase(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			var cfg config.Config
			env := apitest.Start(t, backend, func(c *config.Config) { cfg = *c })
			w := newProofWorld(t, env)
			keep, del := w.subject(t, "KEEP_AS_FORMER_MEMBER"), w.subject(t, "DELETE")

			ctx := policy.System(context.Background())
			var throttles []string // the keys of the subjects' failed-login counters
			for _, s := range []*subject{keep, del} {
				m := env.App.Store.Client.Member.GetX(ctx, gid.ID(s.s.MemberID))
				s.personal = stringValues(m)
				if len(s.personal) < 8 {
					t.Fatalf("too few personal values to prove anything: %v", s.personal)
				}
				throttles = append(throttles, env.App.Auth.AccountThrottleKeys(m)...)
				w.usedLaterFeatures(t, m.ID)
			}
			if n := env.App.Store.Client.LoginThrottle.Query().Where(loginthrottle.KeyIn(throttles...)).CountX(ctx); n != 2 {
				t.Fatalf("want the failed logins of both subjects counted, found %d", n)
			}
			must[pending](t, keep.s, deleteMine, map[string]any{"c": "KEEP_AS_FORMER_MEMBER"})
			makeDue(t, env, keep.s.MemberID)
			if n := eraseDue(t, env); n != 1 {
				t.Fatalf("erased %d, want 1", n)
			}
			must[formerMember](t, w.admin, deleteByAdmin, map[string]any{"id": del.s.MemberID, "c": "DELETE"})

			dump := dumpDatabase(t, env, backend, cfg)
			shared := w.othersValues(t, keep, del) // e.g. the password hash all test accounts share
			for _, labelled := range slices.Concat(keep.personal, keep.removed, del.personal, del.removed, del.content) {
				what, v, _ := strings.Cut(labelled, "=")
				if v == "" {
					t.Fatalf("no value for %s", what)
				}
				if slices.Contains(shared, v) {
					t.Logf("the %s is shared with other members (%.12s…)", what, v)
					continue
				}
				if bytes.Contains(dump, []byte(strings.ToLower(v))) || bytes.Contains(dump, []byte(v)) {
					t.Errorf("the database still holds the %s %q", what, v)
				}
			}
			for _, labelled := range keep.content { // the dump is read: what stays is found
				what, v, _ := strings.Cut(labelled, "=")
				if !bytes.Contains(dump, []byte(v)) {
					t.Errorf("the kept %s %q is not in the dump: the dump does not read the data", what, v)
				}
			}
			if n := env.App.Store.Client.LoginThrottle.Query().Where(loginthrottle.KeyIn(throttles...)).CountX(ctx); n != 0 {
				t.Errorf("%d failed-login counters of the former members are left", n)
			}
			for _, s := range []*subject{keep, del} { // settings back to what a new account has
				m := env.App.Store.Client.Member.GetX(ctx, gid.ID(s.s.MemberID))
				if m.EmailVisibility != member.DefaultEmailVisibility || m.FindableAsExpert || m.ContactAboutPractices || m.Language != member.DefaultLanguage {
					t.Errorf("the former member's settings stay: %s %v %v %s", m.EmailVisibility, m.FindableAsExpert, m.ContactAboutPractices, m.Language)
				}
			}
			w.checkLinks(t, keep.s.MemberID, allowedKeep)
			w.checkLinks(t, del.s.MemberID, allowedDelete)
			w.checkAnonymousUnlinked(t, cfg, keep.s.MemberID, del.s.MemberID)
		})
	}
}

// usedLaterFeatures fails unless the member has rows of every kind that came with following,
// notifications, e-mail and moderation, so that checkLinks proves their erasure.
func (w *proofWorld) usedLaterFeatures(t *testing.T, id gid.ID) {
	t.Helper()
	ctx, c, is := policy.System(context.Background()), w.env.App.Store.Client, member.ID(id)
	for what, n := range map[string]int{
		"follows":           c.Follow.Query().Where(follow.HasMemberWith(is)).CountX(ctx),
		"notifications":     c.Notification.Query().Where(notification.HasRecipientWith(is)).CountX(ctx),
		"email preferences": c.EmailPreference.Query().Where(emailpreference.MemberID(id)).CountX(ctx),
		"outbox mails":      c.OutboxMail.Query().Where(outboxmail.MemberID(id)).CountX(ctx),
		"reports":           c.Report.Query().Where(report.HasReporterWith(is)).CountX(ctx),
		"circle bans":       c.CircleBan.Query().Where(circleban.HasMemberWith(is)).CountX(ctx),
	} {
		if n == 0 {
			t.Fatalf("the subject has no %s: nothing would prove their erasure", what)
		}
	}
	if m := c.Member.GetX(ctx, id); m.Language != member.LanguageEN || m.EmailVisibility != member.EmailVisibilityALL_MEMBERS || !m.FindableAsExpert || !m.ContactAboutPractices {
		t.Fatalf("the subject's settings were not changed: %s %s %v %v", m.Language, m.EmailVisibility, m.FindableAsExpert, m.ContactAboutPractices)
	}
}

// othersValues are the string values of members other than the subjects.
func (w *proofWorld) othersValues(t *testing.T, subjects ...*subject) []string {
	t.Helper()
	var out []string
	for _, m := range w.env.App.Store.Client.Member.Query().AllX(policy.System(context.Background())) {
		if slices.ContainsFunc(subjects, func(s *subject) bool { return string(m.ID) == s.s.MemberID }) {
			continue
		}
		for _, labelled := range stringValues(m) {
			_, v, _ := strings.Cut(labelled, "=")
			out = append(out, v)
		}
	}
	return out
}

// allowedKeep and allowedDelete are the links (table.column) to a former member that may stay:
// what they wrote, and decisions and invitations others see in their history. Any other link
// to a member, in a table added later too, fails the test until it is handled by the eraser.
var (
	allowedDelete = []string{"discussions.discussion_author", "messages.message_author", "surveys.survey_owner",
		"authorship_invitations.authorship_invitation_inviter", "authorship_invitations.authorship_invitation_decided_by",
		"circle_join_requests.circle_join_request_decided_by"}
	allowedKeep = append(slices.Clone(allowedDelete), "practice_authors.member_id", "reactions.reaction_member",
		"survey_responses.survey_response_member")
)

// checkLinks walks every foreign key to the members table and fails on rows that still point
// at the erased member where no link may stay.
func (w *proofWorld) checkLinks(t *testing.T, id string, allowed []string) {
	t.Helper()
	for _, table := range migrate.Tables {
		for _, fk := range table.ForeignKeys {
			if fk.RefTable == nil || fk.RefTable.Name != migrate.MembersTable.Name {
				continue
			}
			for _, col := range fk.Columns {
				name := table.Name + "." + col.Name
				n := w.count(t, table, col, id)
				if n > 0 && !slices.Contains(allowed, name) {
					t.Errorf("%d rows of %s still link to the erased member", n, name)
				}
			}
		}
	}
}

func (w *proofWorld) count(t *testing.T, table *schema.Table, col *schema.Column, id string) int {
	t.Helper()
	q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE %q = `, table.Name, col.Name)
	if w.env.App.Store.Dialect == "postgres" {
		q += "$1"
	} else {
		q += "?"
	}
	var n int
	if err := w.env.App.Store.DB.QueryRowContext(context.Background(), q, id).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkAnonymousUnlinked checks that no anonymous response carries the key that the server
// would compute for the former members (survey and member id under the survey secret).
func (w *proofWorld) checkAnonymousUnlinked(t *testing.T, cfg config.Config, ids ...string) {
	t.Helper()
	secret, err := os.ReadFile(filepath.Join(cfg.DataDir, "survey.key"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := policy.System(context.Background())
	responses := w.env.App.Store.Client.SurveyResponse.Query().WithSurvey().AllX(ctx)
	anonymous := 0
	for _, r := range responses {
		if !r.Edges.Survey.Anonymous {
			continue
		}
		anonymous++
		for _, id := range ids {
			mac := hmac.New(sha256.New, secret)
			fmt.Fprintf(mac, "%s|%s", r.Edges.Survey.ID, id)
			if r.RespondentKey == hex.EncodeToString(mac.Sum(nil)) {
				t.Errorf("an anonymous response can still be linked to former member %s", id)
			}
		}
	}
	if anonymous < 2 {
		t.Fatalf("want the former members' anonymous responses kept (unlinked), found %d", anonymous)
	}
}

// dumpDatabase is everything the database keeps: the SQLite file and its write-ahead log
// after a checkpoint, or pg_dump's data of the test's PostgreSQL schema.
func dumpDatabase(t *testing.T, env *apitest.Env, backend string, cfg config.Config) []byte {
	t.Helper()
	ctx := context.Background()
	if backend != "postgres" {
		var busy, logPages, moved int
		if err := env.App.Store.DB.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &moved); err != nil || busy != 0 {
			t.Fatalf("checkpoint: busy %d, %v", busy, err)
		}
		var out []byte
		for _, name := range []string{"zirkel.db", "zirkel.db-wal"} {
			b, err := os.ReadFile(filepath.Join(cfg.DataDir, name))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			out = append(out, b...)
		}
		if len(out) == 0 {
			t.Fatal("nothing read from the database file")
		}
		return out
	}
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	schemaName := u.Query().Get("search_path")
	base, _ := url.Parse(apitest.PostgresURL())
	q := base.Query()
	q.Del("search_path")
	base.RawQuery = q.Encode()
	cmd := exec.CommandContext(ctx, "pg_dump", "--data-only", "--schema="+schemaName, "--dbname="+base.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pg_dump: %v: %s", err, stderr.String())
	}
	if !bytes.Contains(out, []byte("COPY "+schemaName+".members")) {
		t.Fatalf("pg_dump did not dump the members table of %s", schemaName)
	}
	return out
}

// proofWorld is a community in which the subjects use every feature.
type proofWorld struct {
	env                                       *apitest.Env
	admin, peer                               *apitest.Session
	org, openCircle, closedCircle, discussion string
	event, competency, indicator, product     string
	topic, survey, anonSurvey                 string
	surveyText, anonText                      string
}

func newProofWorld(t *testing.T, env *apitest.Env) *proofWorld {
	t.Helper()
	w := &proofWorld{env: env, admin: env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})}
	var out struct {
		O, T, C, K, E, Co, I, P struct{ ID string }
	}
	w.admin.MustPost(t, `mutation {
		o: createOrganisation(input: {name: "Landkreis Nachweis", kind: LANDKREIS}) { id }
		t: createTopic(input: {slug: "e-akte", name: "E-Akte"}) { id }
		c: createCircle(input: {name: "Offener Kreis", slug: "offen", visibility: OPEN}) { id }
		k: createCircle(input: {name: "Geschlossener Kreis", slug: "geschlossen", visibility: CLOSED}) { id }
		e: createEvent(input: {title: "Austausch", kind: MEETUP, startsAt: "2027-03-01T10:00:00Z", endsAt: "2027-03-01T12:00:00Z"}) { id }
		co: createCompetency(input: {name: "Ausschreibungen", side: AUTHORITY}) { id }
		i: createIndicator(input: {name: "Anteil online", definition: "D", unit: "%", targetGroup: CITIZENS, direction: HIGHER_IS_BETTER}) { id }
		p: createSoftwareProduct(input: {name: "Aktenwerk", category: "DMS"}) { id }
	}`, nil, &out)
	w.org, w.topic, w.openCircle, w.closedCircle = out.O.ID, out.T.ID, out.C.ID, out.K.ID
	w.event, w.competency, w.indicator, w.product = out.E.ID, out.Co.ID, out.I.ID, out.P.ID
	w.peer = env.NewMember(t, apitest.Spec{OrganisationID: w.org})
	w.discussion = must[struct{ ID string }](t, w.peer, newDiscussion, map[string]any{"t": "Gemeinsame Fragen"}).ID
	w.survey = w.newSurvey(t, false)
	w.anonSurvey = w.newSurvey(t, true)
	return w
}

// newSurvey opens a survey of one TEXT question.
func (w *proofWorld) newSurvey(t *testing.T, anonymous bool) string {
	t.Helper()
	return must[struct{ ID string }](t, w.peer, `mutation($o: Time!, $c: Time!, $a: Boolean!) { r: createSurvey(input: {title: "Umfrage", opensAt: $o, closesAt: $c, anonymous: $a},
		questions: [{kind: TEXT, text: "Was meinen Sie?"}]) { id } }`,
		map[string]any{"o": time.Now().Add(-time.Hour).Format(time.RFC3339), "c": time.Now().Add(24 * time.Hour).Format(time.RFC3339), "a": anonymous}).ID
}

// subject creates a member with distinctive values in every personal field, who uses every
// feature through the API with distinctive texts.
func (w *proofWorld) subject(t *testing.T, choice string) *subject {
	t.Helper()
	mail := token(t) + "@nachweis.example"
	name := token(t)
	s := &subject{s: w.env.NewMember(t, apitest.Spec{Name: name, Email: mail, CommunityRole: member.CommunityRoleCDO, OrganisationID: w.org})}
	as, id := s.s, s.s.MemberID
	private := func(what string) string { v := token(t); s.removed = append(s.removed, what+"="+v); return v }
	text := func(what string) string { v := token(t); s.content = append(s.content, what+"="+v); return v }
	as.MustPost(t, `mutation($id: ID!, $b: String!, $j: String!, $t: ID!) { updateMember(id: $id, input: {bio: $b, jobTitle: $j, addExpertiseIDs: [$t]}) { id } }`,
		map[string]any{"id": id, "b": token(t), "j": token(t), "t": w.topic}, nil)
	as.MustPost(t, `mutation { renewCalendarFeed }`, nil, nil)
	fillEveryStringField(t, w.env, id) // directory ids, invitation secret...

	d := must[struct{ ID string }](t, as, newDiscussion, map[string]any{"t": text("discussion title")}).ID
	must[struct{ ID string }](t, as, postMessage, map[string]any{"d": d, "b": text("message in own discussion")})
	m := must[struct{ ID string }](t, as, postMessage, map[string]any{"d": w.discussion, "b": text("message in a peer's discussion")})
	theirs := must[struct{ ID string }](t, w.peer, postMessage, map[string]any{"d": w.discussion, "b": "Antwort"})
	as.MustPost(t, `mutation($m: ID!) { react(messageID: $m, kind: IDEA) { id } }`, map[string]any{"m": theirs.ID}, nil)
	w.peer.MustPost(t, `mutation($m: ID!) { react(messageID: $m, kind: CLAP) { id } }`, map[string]any{"m": m.ID}, nil)
	as.MustPost(t, `mutation($c: ID!) { joinCircle(circleID: $c) { id } }`, map[string]any{"c": w.openCircle}, nil)
	as.MustPost(t, `mutation($c: ID!, $m: String) { requestToJoinCircle(circleID: $c, message: $m) { id } }`, map[string]any{"c": w.closedCircle, "m": private("join request message")}, nil)
	as.MustPost(t, `mutation($e: ID!) { registerForEvent(eventID: $e) { id } }`, map[string]any{"e": w.event}, nil)
	as.MustPost(t, `mutation($c: ID!) { rateCompetency(competencyID: $c, level: 3, findable: true) { id } }`, map[string]any{"c": w.competency}, nil)
	as.MustPost(t, `mutation($i: ID!) { recordMeasurement(indicatorID: $i, period: "2025", value: 42) { id } }`, map[string]any{"i": w.indicator}, nil)
	as.MustPost(t, `mutation($o: ID!, $p: ID!, $t: ID!) { recordSoftwareUsage(input: {organisationID: $o, productID: $p, topicID: $t}, contactMe: true) { id } }`,
		map[string]any{"o": w.org, "p": must[struct{ ID string }](t, w.admin, `mutation($n: String!) { r: createSoftwareProduct(input: {name: $n, category: "DMS"}) { id } }`,
			map[string]any{"n": "Produkt " + token(t)}).ID, "t": w.topic}, nil)
	answer := `mutation($s: ID!, $a: [AnswerInput!]!) { respondToSurvey(surveyID: $s, answers: $a) }`
	q := func(survey string) string {
		return must[struct{ Questions []struct{ ID string } }](t, as, `query($id: ID!) { r: node(id: $id) { ... on Survey { questions { id } } } }`,
			map[string]any{"id": survey}).Questions[0].ID
	}
	as.MustPost(t, answer, map[string]any{"s": w.survey, "a": []map[string]any{{"questionID": q(w.survey), "text": text("survey answer")}}}, nil)
	as.MustPost(t, answer, map[string]any{"s": w.anonSurvey, "a": []map[string]any{{"questionID": q(w.anonSurvey), "text": "anonym"}}}, nil)

	practice := `mutation($o: ID!, $t: String!, $s: String!, $a: [ID!]) { r: createPractice(input: {title: $t, organisationID: $o, summary: $s, authorIDs: $a}) { id } }`
	must[struct{ ID string }](t, as, practice, map[string]any{"o": w.org, "t": text("practice title"), "s": text("practice summary")})
	must[struct{ ID string }](t, as, practice, map[string]any{"o": w.org, "t": "Gemeinsam", "s": "Mit Peer", "a": []string{w.peer.MemberID}})
	peerPractice := must[struct{ ID string }](t, w.peer, practice, map[string]any{"o": w.org, "t": "Vom Peer", "s": "Einladung", "a": []string{id}})
	inv := must[struct {
		AuthorshipInvitations struct {
			Edges []struct {
				Node struct {
					ID       string
					Practice struct{ ID string }
				}
			}
		}
	}](t, as, `{ r: viewer { authorshipInvitations(first: 10) { edges { node { id practice { id } } } } } }`, nil)
	for _, e := range inv.AuthorshipInvitations.Edges {
		if e.Node.Practice.ID == peerPractice.ID {
			as.MustPost(t, `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { id } }`, map[string]any{"id": e.Node.ID}, nil)
		}
	}
	for _, e := range w.invitationsOf(t, w.peer) {
		w.peer.MustPost(t, `mutation($id: ID!) { acceptAuthorshipInvitation(id: $id) { id } }`, map[string]any{"id": e}, nil)
	}
	// The features that came later: follows, e-mail settings, a report, a ban (the peer's reply
	// above notified the subject, and mailed them).
	as.MustPost(t, `mutation($t: ID!, $p: ID!) { a: follow(id: $t) { id } b: follow(id: $p) { id } }`, map[string]any{"t": w.topic, "p": w.peer.MemberID}, nil)
	as.MustPost(t, `mutation { setEmailSettings(language: EN, preferences: [{kind: MENTION, delivery: DAILY}]) { language } }`, nil, nil)
	as.MustPost(t, `mutation { updatePrivacySettings(input: {emailVisibility: ALL_MEMBERS, findableAsExpert: true, contactAboutPractices: true}) { emailVisibility } }`, nil, nil)
	as.MustPost(t, `mutation($m: ID!, $n: String) { reportContent(input: {itemID: $m, reason: OTHER, note: $n}) { id } }`,
		map[string]any{"m": theirs.ID, "n": private("report note")}, nil)
	// The ban's reason is the moderator's and stays in the audit log (append-only, until its
	// retention ends), so it is no distinctive value here; checkLinks proves the ban is gone.
	w.admin.MustPost(t, `mutation($c: ID!, $m: ID!, $r: String!) { banFromCircle(circleID: $c, memberID: $m, reason: $r) { id } }`,
		map[string]any{"c": w.openCircle, "m": id, "r": "Wiederholt gegen die Regeln verstoßen"}, nil)
	// A queued mail (REPLY is IMMEDIATE) whose excerpt quotes a private text, as the notify
	// consumer writes it; queued directly so that its text is known.
	if err := mailer.Enqueue(policy.System(context.Background()), w.env.App.Store.Client, w.env.App.Store.Dialect, mailer.Item{MemberID: gid.ID(id), Kind: "REPLY",
		Title: "Antwort", Link: "/discussions/" + w.discussion, Lines: []string{private("mail excerpt")}}); err != nil {
		t.Fatal(err)
	}
	// A password of their own: the hash that NewMember sets is every test account's, so its
	// removal could not be proven.
	password := "Pw-" + token(t)
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	w.env.App.Store.Client.Member.UpdateOneID(gid.ID(id)).SetPasswordHash(hash).ExecX(policy.System(context.Background()))
	w.env.Login(t, "local", mail, password) // a second session
	// A failed login leaves a counter keyed by the account name.
	res := w.env.Post(t, loginMutation, map[string]any{"u": mail, "p": "falsch-falsch-falsch"})
	wantCode(t, res, "UNAUTHENTICATED")
	return s
}

// invitationsOf are the open co-authorship invitations the session's member received.
func (w *proofWorld) invitationsOf(t *testing.T, s *apitest.Session) []string {
	t.Helper()
	inv := must[struct {
		AuthorshipInvitations struct {
			Edges []struct {
				Node struct{ ID, Status string }
			}
		}
	}](t, s, `{ r: viewer { authorshipInvitations(first: 50) { edges { node { id status } } } } }`, nil)
	var ids []string
	for _, e := range inv.AuthorshipInvitations.Edges {
		if e.Node.Status == "PENDING" {
			ids = append(ids, e.Node.ID)
		}
	}
	return ids
}
