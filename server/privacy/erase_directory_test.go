package privacy_test

import (
	"context"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/ent/schema/gid"
	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/auth/directory"
	"zirkel/server/auth/ldaptest"
	"zirkel/server/policy"
	"zirkel/server/privacy"
)

// musterhausen configures the test directory as an operator would (see server/auth's tests).
func musterhausen(srv *ldaptest.Server) directory.Config {
	c := directory.Config{
		ID: "musterhausen", Name: "Kreis Musterhausen", URL: srv.URL, CAFile: srv.CAFile,
		BindDN:     srv.ServiceDN,
		UserBaseDN: "ou=people," + srv.BaseDN,
		UserFilter: "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username}))(!(employeeType=disabled)))",
		Attributes: directory.Attributes{ID: "entryUUID", DisplayName: "cn", Mail: "mail", Title: "title"},
		Groups: directory.Groups{
			SearchBaseDN: "ou=groups," + srv.BaseDN,
			SearchFilter: "(&(objectClass=groupOfNames)(member={dn}))",
		},
		AllowedGroups: []string{ldaptest.GroupUsers},
		Domains:       []string{"kreis-musterhausen.example"},
		Timeout:       2 * time.Second,
	}
	c.SetBindPassword(srv.ServicePassword)
	return c
}

// directoryLogin logs in through the API with a directory account.
func directoryLogin(t *testing.T, env *apitest.Env, user, password string) *apitest.Session {
	t.Helper()
	return env.Login(t, "musterhausen", user, password)
}

// deletionOf is the member's pending deletion as stored (due date and cause).
func deletionOf(t *testing.T, env *apitest.Env, id string) (*time.Time, *member.DeletionCause, member.Status) {
	t.Helper()
	m := env.App.Store.Client.Member.GetX(policy.System(context.Background()), gid.ID(id))
	return m.DeletionDueAt, m.DeletionCause, m.Status
}

func TestMembersRemovedFromTheirDirectoryAreDeletedAfterTheGracePeriod(t *testing.T) {
	for _, backend := range apitest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			srv := ldaptest.Start(t, ldaptest.MusterhausenFixture())
			env := apitest.Start(t, backend, nil, app.WithDirectories(musterhausen(srv)))
			ctx := context.Background()
			admin := env.NewMember(t, apitest.Spec{PlatformRole: member.PlatformRoleADMIN})
			anna := directoryLogin(t, env, "anna", "Geheim-anna-1")
			jonas := directoryLogin(t, env, "jonas", "Geheim-jonas-1")
			obrien := directoryLogin(t, env, "o'brien", "Geheim-o'brien-1")

			// Removed from the allowed group, or deleted: scheduled for deletion after the grace period.
			srv.RemoveFromGroup(t, ldaptest.GroupUsers, "jonas")
			srv.DeleteUser(t, "o'brien")
			before := time.Now()
			env.App.EraseOnce(ctx)
			for _, s := range []*apitest.Session{jonas, obrien} {
				due, cause, _ := deletionOf(t, env, s.MemberID)
				if due == nil || cause == nil || *cause != member.DeletionCauseDIRECTORY_REMOVED ||
					due.Before(before.Add(privacy.DefaultGrace-time.Minute)) || due.After(time.Now().Add(privacy.DefaultGrace)) {
					t.Fatalf("member %s: due %v, cause %v; want DIRECTORY_REMOVED in 30 days", s.MemberID, due, cause)
				}
			}
			if due, _, _ := deletionOf(t, env, anna.MemberID); due != nil {
				t.Fatalf("anna is still in the directory, but due %v", due)
			}
			if p := must[*pending](t, obrien, pendingMine, nil); p != nil {
				t.Fatalf("a removal is not the member's request to undo: %+v", p)
			}

			// Back in the group before the period ends: no longer scheduled. A member's own
			// request is not the directory check's to undo.
			must[pending](t, anna, deleteMine, map[string]any{"c": "KEEP_AS_FORMER_MEMBER"})
			srv.AddToGroup(t, ldaptest.GroupUsers, "jonas")
			env.App.EraseOnce(ctx)
			if due, _, _ := deletionOf(t, env, jonas.MemberID); due != nil {
				t.Fatalf("jonas is back in the directory, but due %v", due)
			}
			if due, cause, _ := deletionOf(t, env, anna.MemberID); due == nil || *cause != member.DeletionCauseREQUESTED {
				t.Fatalf("anna's own request was changed: %v %v", due, cause)
			}

			// The period ends: erased like a deleted account, and the directory link is gone.
			makeDue(t, env, obrien.MemberID)
			env.App.EraseOnce(ctx)
			if _, _, status := deletionOf(t, env, obrien.MemberID); status != member.StatusDELETED {
				t.Fatalf("o'brien: status %s after the grace period", status)
			}
			if _, _, status := deletionOf(t, env, anna.MemberID); status != member.StatusACTIVE {
				t.Fatalf("anna erased before her grace period ended: %s", status)
			}
			wantCode(t, obrien.Post(t, viewerQuery, nil), "UNAUTHENTICATED")

			// A later directory login creates a new member: the erased one is not linked any more.
			must[formerMember](t, admin, deleteByAdmin, map[string]any{"id": anna.MemberID, "c": "KEEP_AS_FORMER_MEMBER"})
			again := directoryLogin(t, env, "anna", "Geheim-anna-1")
			if again.MemberID == anna.MemberID {
				t.Fatal("the directory login found the erased member again")
			}
			fresh := memberAs(t, again, again.MemberID)
			if fresh.Status != "ACTIVE" || fresh.DisplayName != "Anna Schneider" {
				t.Fatalf("the new member: %+v", fresh)
			}
			if old := memberAs(t, again, anna.MemberID); old.Status != "DELETED" || old.DisplayName != privacy.FormerMemberName {
				t.Fatalf("the former member changed with the new login: %+v", old)
			}

			// A directory that does not answer removes nobody, and erases nobody whose period
			// ended: the removal must be confirmed after the period.
			srv.RemoveFromGroup(t, ldaptest.GroupUsers, "anna")
			env.App.EraseOnce(ctx)
			makeDue(t, env, again.MemberID)
			srv.Stop()
			env.App.EraseOnce(ctx)
			if due, _, _ := deletionOf(t, env, jonas.MemberID); due != nil {
				t.Fatalf("an unavailable directory scheduled the deletion of %s", jonas.MemberID)
			}
			if due, _, status := deletionOf(t, env, again.MemberID); due == nil || status != member.StatusACTIVE {
				t.Fatalf("an unavailable directory: anna's new account due %v, status %s; want scheduled, not erased", due, status)
			}
		})
	}
}
