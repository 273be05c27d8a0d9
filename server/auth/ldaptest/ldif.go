package ldaptest

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// sshaHash returns the {SSHA} (salted SHA-1) userPassword value slapd
// verifies simple binds against.
func sshaHash(password string) string {
	salt := make([]byte, 8)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	sum := sha1.Sum(append([]byte(password), salt...))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

// ldifWriter builds an LDIF document entry by entry.
type ldifWriter struct{ b strings.Builder }

// entry writes one entry; attrs alternate attribute name and value.
func (w *ldifWriter) entry(dn string, attrs ...string) {
	w.line("dn", dn)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.line(attrs[i], attrs[i+1])
	}
	w.b.WriteString("\n")
}

// line writes "name: value", or "name:: base64" when the value is not a
// SAFE-STRING in the sense of RFC 2849 (non-ASCII, leading space, colon or
// '<', trailing space, or a control character).
func (w *ldifWriter) line(name, value string) {
	if ldifSafe(value) {
		fmt.Fprintf(&w.b, "%s: %s\n", name, value)
		return
	}
	fmt.Fprintf(&w.b, "%s:: %s\n", name, base64.StdEncoding.EncodeToString([]byte(value)))
}

func ldifSafe(v string) bool {
	if v == "" {
		return true
	}
	if !utf8.ValidString(v) || v[0] == ' ' || v[0] == ':' || v[0] == '<' || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// firstRDNValue returns "kreis-musterhausen" for "dc=kreis-musterhausen,dc=example".
func firstRDNValue(dn string) (attr, value string, err error) {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return "", "", fmt.Errorf("parse base DN %q: %w", dn, err)
	}
	if len(parsed.RDNs) == 0 || len(parsed.RDNs[0].Attributes) != 1 {
		return "", "", fmt.Errorf("base DN %q: want a single-valued first RDN", dn)
	}
	a := parsed.RDNs[0].Attributes[0]
	return strings.ToLower(a.Type), a.Value, nil
}

// fixtureLDIF renders the whole initial directory of s for slapadd: base
// entry, the three OUs, the service account, the users and the groups.
// memberOf is written out here because slapadd does not run the memberof
// overlay; from then on the overlay keeps it up to date.
func fixtureLDIF(s *Server, f Fixture) (string, error) {
	members, err := groupMembers(s, f)
	if err != nil {
		return "", err
	}
	memberOf := map[string][]string{}
	for _, g := range f.Groups {
		for _, dn := range members[g.CN] {
			memberOf[dn] = append(memberOf[dn], s.GroupDN(g.CN))
		}
	}
	attr, dc, err := firstRDNValue(f.BaseDN)
	if err != nil {
		return "", err
	}
	if attr != "dc" {
		return "", fmt.Errorf("fixture: base DN %q must start with dc=", f.BaseDN)
	}
	org := f.Organisation
	if org == "" {
		org = dc
	}
	var w ldifWriter
	w.entry(f.BaseDN, "objectClass", "top", "objectClass", "dcObject", "objectClass", "organization",
		"dc", dc, "o", org)
	for _, ou := range []string{"people", "groups", "services"} {
		w.entry("ou="+ou+","+f.BaseDN, "objectClass", "organizationalUnit", "ou", ou)
	}
	w.entry(s.ServiceDN, withMemberOf([]string{
		"objectClass", "applicationProcess", "objectClass", "simpleSecurityObject",
		"cn", serviceCN, "description", "read-only service account of Zirkel",
		"userPassword", sshaHash(s.ServicePassword),
	}, memberOf[s.ServiceDN])...)
	for _, u := range f.Users {
		w.entry(s.UserDN(u.UID), withMemberOf(userAttrs(u), memberOf[s.UserDN(u.UID)])...)
	}
	for _, g := range f.Groups {
		attrs := []string{"objectClass", "groupOfNames", "cn", g.CN}
		for _, dn := range members[g.CN] {
			attrs = append(attrs, "member", dn)
		}
		w.entry(s.GroupDN(g.CN), attrs...)
	}
	return w.b.String(), nil
}

// groupMembers maps each group's CN to its member DNs; an empty group gets
// the service account as placeholder, as groupOfNames needs one member.
func groupMembers(s *Server, f Fixture) (map[string][]string, error) {
	known := map[string]bool{}
	for _, u := range f.Users {
		if u.UID == "" || known[u.UID] {
			return nil, fmt.Errorf("fixture: empty or duplicate uid %q", u.UID)
		}
		known[u.UID] = true
	}
	out := map[string][]string{}
	for _, g := range f.Groups {
		if _, dup := out[g.CN]; dup || g.CN == "" {
			return nil, fmt.Errorf("fixture: empty or duplicate group %q", g.CN)
		}
		dns := []string{}
		for _, uid := range g.Members {
			if !known[uid] {
				return nil, fmt.Errorf("fixture: group %q has unknown member %q", g.CN, uid)
			}
			dns = append(dns, s.UserDN(uid))
		}
		if len(dns) == 0 {
			dns = append(dns, s.ServiceDN)
		}
		out[g.CN] = dns
	}
	return out, nil
}

// userAttrs returns the inetOrgPerson attributes of u (without memberOf).
func userAttrs(u User) []string {
	sn, given := u.CN, ""
	if i := strings.LastIndex(u.CN, " "); i > 0 {
		given, sn = u.CN[:i], u.CN[i+1:]
	}
	attrs := []string{
		"objectClass", "top", "objectClass", "person", "objectClass", "organizationalPerson",
		"objectClass", "inetOrgPerson", "uid", u.UID, "cn", u.CN, "sn", sn,
	}
	optional := [][2]string{{"givenName", given}, {"mail", u.Mail}, {"title", u.Title}}
	for _, kv := range optional {
		if kv[1] != "" {
			attrs = append(attrs, kv[0], kv[1])
		}
	}
	if u.Password != "" {
		attrs = append(attrs, "userPassword", sshaHash(u.Password))
	}
	if u.Disabled {
		attrs = append(attrs, "employeeType", disabledValue)
	}
	return attrs
}

func withMemberOf(attrs, groupDNs []string) []string {
	for _, dn := range groupDNs {
		attrs = append(attrs, "memberOf", dn)
	}
	return attrs
}
