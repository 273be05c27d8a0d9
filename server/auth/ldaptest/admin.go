package ldaptest

import (
	"net"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// adminConn dials s.URL and binds as the rootdn; the caller closes it.
func (s *Server) adminConn(t testing.TB) *ldap.Conn {
	t.Helper()
	conn, err := ldap.DialURL(s.URL, ldap.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}))
	if err != nil {
		t.Fatalf("ldaptest: dial %s: %v", s.URL, err)
	}
	conn.SetTimeout(5 * time.Second)
	if err := conn.Bind(s.AdminDN, s.AdminPassword); err != nil {
		conn.Close()
		t.Fatalf("ldaptest: bind as %s: %v", s.AdminDN, err)
	}
	return conn
}

// modify applies req as the admin, ending the test on error.
func (s *Server) modify(t testing.TB, req *ldap.ModifyRequest) {
	t.Helper()
	conn := s.adminConn(t)
	defer conn.Close()
	if err := conn.Modify(req); err != nil {
		t.Fatalf("ldaptest: modify %s: %v", req.DN, err)
	}
}

// groupMemberDNs returns the member values of group cn.
func (s *Server) groupMemberDNs(t testing.TB, conn *ldap.Conn, cn string) []string {
	t.Helper()
	res, err := conn.Search(ldap.NewSearchRequest(s.GroupDN(cn), ldap.ScopeBaseObject,
		ldap.NeverDerefAliases, 0, 0, false, "(objectClass=groupOfNames)", []string{"member"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("ldaptest: read group %q: %v", cn, err)
	}
	return res.Entries[0].GetAttributeValues("member")
}

// AddToGroup makes the user uid a member of group (a cn below ou=groups).
// The service-account placeholder of an empty group is removed; adding an
// existing member does nothing.
func (s *Server) AddToGroup(t testing.TB, group, uid string) {
	t.Helper()
	conn := s.adminConn(t)
	defer conn.Close()
	userDN := s.UserDN(uid)
	req := ldap.NewModifyRequest(s.GroupDN(group), nil)
	for _, m := range s.groupMemberDNs(t, conn, group) {
		switch {
		case sameDN(m, userDN):
			return
		case sameDN(m, s.ServiceDN):
			req.Delete("member", []string{m})
		}
	}
	req.Add("member", []string{userDN})
	if err := conn.Modify(req); err != nil {
		t.Fatalf("ldaptest: add %s to group %s: %v", uid, group, err)
	}
}

// RemoveFromGroup removes the user uid from group. When it was the last
// member, the service account takes its place (groupOfNames needs one).
// Removing a non-member does nothing.
func (s *Server) RemoveFromGroup(t testing.TB, group, uid string) {
	t.Helper()
	conn := s.adminConn(t)
	defer conn.Close()
	s.removeMember(t, conn, group, s.UserDN(uid))
}

func (s *Server) removeMember(t testing.TB, conn *ldap.Conn, group, memberDN string) {
	t.Helper()
	var found string
	var others int
	for _, m := range s.groupMemberDNs(t, conn, group) {
		if sameDN(m, memberDN) {
			found = m
		} else {
			others++
		}
	}
	if found == "" {
		return
	}
	req := ldap.NewModifyRequest(s.GroupDN(group), nil)
	if others == 0 {
		req.Replace("member", []string{s.ServiceDN})
	} else {
		req.Delete("member", []string{found})
	}
	if err := conn.Modify(req); err != nil {
		t.Fatalf("ldaptest: remove %s from group %s: %v", memberDN, group, err)
	}
}

// DeleteUser removes the user uid from all groups and deletes the entry.
func (s *Server) DeleteUser(t testing.TB, uid string) {
	t.Helper()
	conn := s.adminConn(t)
	defer conn.Close()
	userDN := s.UserDN(uid)
	res, err := conn.Search(ldap.NewSearchRequest("ou=groups,"+s.BaseDN, ldap.ScopeSingleLevel,
		ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectClass=groupOfNames)(member="+ldap.EscapeFilter(userDN)+"))", []string{"cn"}, nil))
	if err != nil {
		t.Fatalf("ldaptest: groups of %s: %v", uid, err)
	}
	for _, g := range res.Entries {
		s.removeMember(t, conn, g.GetAttributeValue("cn"), userDN)
	}
	if err := conn.Del(ldap.NewDelRequest(userDN, nil)); err != nil {
		t.Fatalf("ldaptest: delete %s: %v", userDN, err)
	}
}

// SetDisabled sets (employeeType: disabled) or clears the disabled mark of
// the user uid.
func (s *Server) SetDisabled(t testing.TB, uid string, disabled bool) {
	t.Helper()
	req := ldap.NewModifyRequest(s.UserDN(uid), nil)
	if disabled {
		req.Replace("employeeType", []string{disabledValue})
	} else {
		req.Replace("employeeType", nil) // deletes the attribute, if present
	}
	s.modify(t, req)
}

// SetPassword replaces the password of the user uid (stored as {SSHA}).
func (s *Server) SetPassword(t testing.TB, uid, password string) {
	t.Helper()
	req := ldap.NewModifyRequest(s.UserDN(uid), nil)
	req.Replace("userPassword", []string{sshaHash(password)})
	s.modify(t, req)
}

// sameDN compares two DNs the way LDAP does for the attributes used here
// (case-insensitive, ignoring insignificant spacing and escaping).
func sameDN(a, b string) bool {
	da, errA := ldap.ParseDN(a)
	db, errB := ldap.ParseDN(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return da.EqualFold(db)
}
