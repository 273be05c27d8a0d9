package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/config"
)

// privacyWorld is a circle with a subject per e-mail setting, a member who shares the circle
// with them, a vendor who shares it too, a member outside it and an admin.
type privacyWorld struct {
	admin, mate, vendorMate, outsider *apitest.Session
	subjects                          map[string]*apitest.Session // by email visibility
}

func newPrivacyWorld(t *testing.T, env *apitest.Env) privacyWorld {
	t.Helper()
	w := privacyWorld{admin: env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN}), subjects: map[string]*apitest.Session{}}
	var c struct{ CreateCircle struct{ ID string } }
	w.admin.MustPost(t, `mutation { createCircle(input: {name: "Datenschutz", slug: "datenschutz", visibility: OPEN}) { id } }`, nil, &c)
	join := func(s *apitest.Session) {
		s.MustPost(t, `mutation($c: ID!) { joinCircle(circleID: $c) { id } }`, map[string]any{"c": c.CreateCircle.ID}, nil)
	}
	w.mate = env.NewMember(t, apitest.Spec{Name: "Mate"})
	join(w.mate)
	w.vendorMate = env.NewMember(t, apitest.Spec{Name: "Vendor", CommunityRole: member.CommunityRoleVENDOR})
	w.admin.MustPost(t, `mutation($c: ID!, $m: ID!) { addCircleMember(circleID: $c, memberID: $m) { id } }`,
		map[string]any{"c": c.CreateCircle.ID, "m": w.vendorMate.MemberID}, nil)
	w.outsider = env.NewMember(t, apitest.Spec{Name: "Outsider"})
	for _, setting := range []string{"NOBODY", "MY_CIRCLES", "ALL_MEMBERS"} {
		s := env.NewMember(t, apitest.Spec{Name: "Subject " + setting, Email: strings.ToLower(setting) + ".subject@privacy.example"})
		join(s)
		var out struct {
			UpdatePrivacySettings struct{ EmailVisibility string }
		}
		s.MustPost(t, `mutation($v: EmailVisibility!) { updatePrivacySettings(input: {emailVisibility: $v}) { emailVisibility } }`, map[string]any{"v": setting}, &out)
		if out.UpdatePrivacySettings.EmailVisibility != setting {
			t.Fatalf("setting %s: got %+v", setting, out)
		}
		w.subjects[setting] = s
	}
	return w
}

// emailAsSeen reads a member's e-mail address as the session sees it, by node and in the
// member list; both must agree.
func emailAsSeen(t *testing.T, as *apitest.Session, memberID string) *string {
	t.Helper()
	var one struct {
		Node *struct{ Email *string }
	}
	as.MustPost(t, `query($id: ID!) { node(id: $id) { ... on Member { email } } }`, map[string]any{"id": memberID}, &one)
	var list struct {
		Members struct {
			Edges []struct {
				Node struct {
					ID    string
					Email *string
				}
			}
		}
	}
	res := as.Post(t, `{ members(first: 100) { edges { node { id email } } } }`, nil)
	if len(res.Errors) == 0 {
		mustUnmarshal(t, res, &list)
	}
	var fromList *string
	for _, e := range list.Members.Edges {
		if e.Node.ID == memberID {
			fromList = e.Node.Email
		}
	}
	var fromNode *string
	if one.Node != nil {
		fromNode = one.Node.Email
	}
	if (fromNode == nil) != (fromList == nil) {
		t.Fatalf("node says %v, list says %v", deref(fromNode), deref(fromList))
	}
	return fromNode
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

func mustUnmarshal(t *testing.T, res apitest.Response, out any) {
	t.Helper()
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	if err := json.Unmarshal(res.Data, out); err != nil {
		t.Fatal(err)
	}
}

// TestEmailVisibilitySetting: each setting of "who sees my e-mail address" against each kind
// of viewer, by node and in lists.
func TestEmailVisibilitySetting(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newPrivacyWorld(t, env)
		viewers := map[string]*apitest.Session{
			"anonymous": env.Anonymous(), "member of the same circle": w.mate, "vendor in the same circle": w.vendorMate,
			"other member": w.outsider, "admin": w.admin,
		}
		want := map[string]map[string]bool{ // setting -> viewer -> sees the address
			"NOBODY":      {"admin": true},
			"MY_CIRCLES":  {"admin": true, "member of the same circle": true},
			"ALL_MEMBERS": {"admin": true, "member of the same circle": true, "other member": true},
		}
		for setting, subject := range w.subjects {
			t.Run(setting+"/self", func(t *testing.T) {
				if got := emailAsSeen(t, subject, subject.MemberID); got == nil || !strings.HasPrefix(*got, strings.ToLower(setting)) {
					t.Errorf("the member reads their own address: got %s", deref(got))
				}
			})
			for name, v := range viewers {
				t.Run(setting+"/"+name, func(t *testing.T) {
					got := emailAsSeen(t, v, subject.MemberID)
					if sees := got != nil && *got != ""; sees != want[setting][name] {
						t.Errorf("sees the address: %v (%s), want %v", sees, deref(got), want[setting][name])
					}
				})
			}
		}
	})
}

// TestPrivacySettingsReadAndDefaults: settings start protective; the member and admins read
// them, others do not; contactAboutPractices is shown to every member.
func TestPrivacySettingsReadAndDefaults(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
		anna := env.NewMember(t, apitest.Spec{Name: "Anna"})
		other := env.NewMember(t, apitest.Spec{Name: "Other"})
		const q = `query($id: ID!) { node(id: $id) { ... on Member { contactAboutPractices privacySettings { emailVisibility findableAsExpert contactAboutPractices } } } }`
		type settings struct {
			EmailVisibility                         string
			FindableAsExpert, ContactAboutPractices bool
		}
		read := func(as *apitest.Session) (*settings, bool) {
			var out struct {
				Node *struct {
					ContactAboutPractices bool
					PrivacySettings       *settings
				}
			}
			as.MustPost(t, q, map[string]any{"id": anna.MemberID}, &out)
			if out.Node == nil {
				t.Fatal("member not found")
			}
			return out.Node.PrivacySettings, out.Node.ContactAboutPractices
		}
		if s, contact := read(anna); s == nil || *s != (settings{"NOBODY", false, false}) || contact {
			t.Fatalf("defaults: %+v %v", s, contact)
		}
		anna.MustPost(t, `mutation { updatePrivacySettings(input: {contactAboutPractices: true, findableAsExpert: true}) { emailVisibility } }`, nil, nil)
		for name, as := range map[string]*apitest.Session{"self": anna, "admin": admin} {
			if s, _ := read(as); s == nil || *s != (settings{"NOBODY", true, true}) {
				t.Errorf("%s reads %+v", name, s)
			}
		}
		if s, contact := read(other); s != nil || !contact {
			t.Errorf("another member reads settings %+v (want null) and contact %v (want true)", s, contact)
		}
		// Only through updatePrivacySettings, only one's own: updateMember has no such fields.
		res := other.Post(t, `mutation($id: ID!) { updateMember(id: $id, input: {emailVisibility: ALL_MEMBERS}) { id } }`, map[string]any{"id": anna.MemberID})
		if len(res.Errors) == 0 {
			t.Fatal("updateMember changed another member's privacy settings")
		}
		wantError(t, env.Anonymous().Post(t, `mutation { updatePrivacySettings(input: {findableAsExpert: true}) { findableAsExpert } }`, nil), "UNAUTHENTICATED", "")
	})
}

// TestFindableAsExpertSetting: "who knows" lists a member's findable ratings only while the
// member is findable as an expert; the member always sees their own ratings.
func TestFindableAsExpertSetting(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newPrivacyWorld(t, env)
		var c struct{ CreateCompetency struct{ ID string } }
		w.admin.MustPost(t, `mutation { createCompetency(input: {name: "Datenschutz-Folgenabschätzung", side: AUTHORITY}) { id } }`, nil, &c)
		expert := w.subjects["MY_CIRCLES"]
		expert.MustPost(t, `mutation($c: ID!) { rateCompetency(competencyID: $c, level: 4, findable: true) { id } }`, map[string]any{"c": c.CreateCompetency.ID}, nil)
		finds := func(as *apitest.Session) bool {
			var out struct {
				WhoKnows []struct{ Member struct{ ID string } }
			}
			as.MustPost(t, `query($c: ID!) { whoKnows(competencyID: $c) { member { id } } }`, map[string]any{"c": c.CreateCompetency.ID}, &out)
			for _, r := range out.WhoKnows {
				if r.Member.ID == expert.MemberID {
					return true
				}
			}
			return false
		}
		viewers := map[string]*apitest.Session{"member of the same circle": w.mate, "vendor in the same circle": w.vendorMate, "other member": w.outsider, "admin": w.admin}
		for _, findable := range []bool{false, true} {
			expert.MustPost(t, `mutation($f: Boolean!) { updatePrivacySettings(input: {findableAsExpert: $f}) { findableAsExpert } }`, map[string]any{"f": findable}, nil)
			for name, v := range viewers {
				t.Run(fmt.Sprintf("findable=%v/%s", findable, name), func(t *testing.T) {
					want := findable && name != "vendor in the same circle"
					if got := finds(v); got != want {
						t.Errorf("finds the expert: %v, want %v", got, want)
					}
				})
			}
			if !finds(expert) {
				t.Errorf("findable=%v: the expert does not see their own rating", findable)
			}
		}
		wantError(t, env.Anonymous().Post(t, `query($c: ID!) { whoKnows(competencyID: $c) { level } }`, map[string]any{"c": c.CreateCompetency.ID}), "UNAUTHENTICATED", "")
	})
}

// TestPrivacyFieldsAreNotFilterable: no where input reaches the e-mail address or the privacy
// settings, so a filter cannot reveal them.
func TestPrivacyFieldsAreNotFilterable(t *testing.T) {
	env := apitest.Start(t, "sqlite", func(c *config.Config) { c.Introspection = true })
	as := env.NewMember(t, apitest.Spec{})
	var out struct {
		Type struct{ InputFields []struct{ Name string } } `json:"__type"`
	}
	res := as.Post(t, `{ __type(name: "MemberWhereInput") { inputFields { name } } }`, nil)
	mustUnmarshal(t, res, &out)
	if len(out.Type.InputFields) == 0 {
		t.Fatal("MemberWhereInput has no fields")
	}
	for _, f := range out.Type.InputFields {
		n := strings.ToLower(f.Name)
		if strings.Contains(n, "email") || strings.Contains(n, "findable") || strings.Contains(n, "contact") {
			t.Errorf("MemberWhereInput.%s filters on a private field", f.Name)
		}
	}
}

// TestEmailVisibilityInLiveEvents: a live event's author is loaded once for every subscriber,
// beyond their rights; "my circles" still shows the address only to those who share a circle.
func TestEmailVisibilityInLiveEvents(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newPrivacyWorld(t, env)
		subject := w.subjects["MY_CIRCLES"]
		var d struct {
			R struct{ ID string } `json:"r"`
		}
		subject.MustPost(t, `mutation { r: createDiscussion(input: {title: "Offen für alle"}) { id } }`, nil, &d)
		q := `subscription($d: ID!) { messageAdded(discussionID: $d) { message { author { email } } } }`
		viewers := map[string]*apitest.Session{"member of the same circle": w.mate, "other member": w.outsider, "vendor in the same circle": w.vendorMate}
		conns := map[string]*apitest.WS{}
		for name, v := range viewers {
			ws := v.DialWS(t, apitest.TransportWS)
			if err := ws.Subscribe("1", q, map[string]any{"d": d.R.ID}); err != nil {
				t.Fatal(err)
			}
			conns[name] = ws
		}
		for deadline := time.Now().Add(10 * time.Second); env.App.Live.Subscriptions() < len(conns); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the subscriptions did not start")
			}
		}
		post(t, subject, d.R.ID, "Hallo", nil)
		for name, ws := range conns {
			var ev struct {
				Data struct {
					MessageAdded struct {
						Message struct{ Author struct{ Email *string } }
					}
				}
			}
			raw := ws.Next("1")
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			got := ev.Data.MessageAdded.Message.Author.Email
			if want := name == "member of the same circle"; (got != nil) != want {
				t.Errorf("%s sees %s, want shown: %v", name, deref(got), want)
			}
		}
	})
}
