package apitest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"zirkel/ent/member"
	"zirkel/server/auth"
	"zirkel/server/policy"
)

// Password is the password of every account that NewMember creates.
const Password = "Test-Passwort-123"

var (
	hashOnce     sync.Once
	passwordHash string
	memberSeq    atomic.Int64
)

// Session sends requests as one client: anonymous, or logged in with a token.
type Session struct {
	env      *Env
	Header   http.Header
	MemberID string
	Token    string
}

// Anonymous is a session without login.
func (e *Env) Anonymous() *Session { return &Session{env: e, Header: http.Header{}} }

// WithToken is a session that sends the bearer token.
func (e *Env) WithToken(token string) *Session {
	s := e.Anonymous()
	s.Token = token
	s.Header.Set("Authorization", "Bearer "+token)
	return s
}

// Spec describes a member for NewMember; empty fields get defaults.
type Spec struct {
	Name, Email    string
	CommunityRole  member.CommunityRole
	PlatformRole   member.PlatformRole
	OrganisationID string
}

// NewMember creates a member with a local account directly in the database (as an admin
// would through an invitation) and logs them in through the login mutation.
func (e *Env) NewMember(t testing.TB, spec Spec) *Session {
	t.Helper()
	hashOnce.Do(func() { passwordHash, _ = auth.HashPassword(Password) })
	n := memberSeq.Add(1)
	if spec.Name == "" {
		spec.Name = fmt.Sprintf("Mitglied %d", n)
	}
	if spec.Email == "" {
		spec.Email = fmt.Sprintf("mitglied%d@test.example", n)
	}
	if spec.CommunityRole == "" {
		spec.CommunityRole = member.CommunityRoleCDO
	}
	if spec.PlatformRole == "" {
		spec.PlatformRole = member.PlatformRoleMEMBER
	}
	create := e.App.Store.Client.Member.Create().
		SetDisplayName(spec.Name).SetEmail(spec.Email).
		SetCommunityRole(spec.CommunityRole).SetPlatformRole(spec.PlatformRole).
		SetPasswordHash(passwordHash)
	if spec.OrganisationID != "" {
		create.SetOrganisationID(gidOf(spec.OrganisationID))
	}
	if _, err := create.Save(policy.System(context.Background())); err != nil {
		t.Fatalf("creating member: %v", err)
	}
	return e.Login(t, auth.LocalDirectory, spec.Email, Password)
}

// Login logs in through the GraphQL login mutation and returns the bearer session.
func (e *Env) Login(t testing.TB, directory, username, password string) *Session {
	t.Helper()
	var out struct {
		Login struct {
			Token  string
			Member struct{ ID string }
		}
	}
	e.MustPost(t, `mutation($d: String, $u: String!, $p: String!) { login(input: {directory: $d, username: $u, password: $p}) { token member { id } } }`,
		map[string]any{"d": directory, "u": username, "p": password}, &out)
	s := e.WithToken(out.Login.Token)
	s.MemberID = out.Login.Member.ID
	return s
}

// OrgID is the id of the session's member's organisation.
func (s *Session) OrgID(t testing.TB) string {
	t.Helper()
	var out struct {
		Viewer struct{ Organisation struct{ ID string } }
	}
	s.MustPost(t, `{ viewer { organisation { id } } }`, nil, &out)
	return out.Viewer.Organisation.ID
}
