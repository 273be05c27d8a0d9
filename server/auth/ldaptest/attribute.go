package ldaptest

import (
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// SetAttribute replaces an attribute of the user uid, e.g. to give a directory entry text
// that Zirkel would not store as it is.
func (s *Server) SetAttribute(t testing.TB, uid, attribute, value string) {
	t.Helper()
	req := ldap.NewModifyRequest(s.UserDN(uid), nil)
	req.Replace(attribute, []string{value})
	s.modify(t, req)
}
