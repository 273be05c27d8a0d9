package directory

import (
	"bytes"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// filterTemplates are user filters as operators write them (the example file's among them).
var filterTemplates = []string{
	"(uid={username})",
	"(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username}))(!(employeeType=disabled)))",
	"(&(objectClass=user)(|(sAMAccountName={username})(userPrincipalName={username})(mail={username}))(!(userAccountControl:1.2.840.113556.1.4.803:=2)))",
}

// placeholder stands for the user name in the filter every built filter is compared with.
const placeholder = "platzhalter"

// FuzzUserFilter checks that a login name, whatever it holds, can only ever be the value of
// the filter's assertions: the built filter compiles to exactly the template's structure, with
// the name (unchanged, byte for byte) wherever the template has {username}. So a search can
// only find entries whose attribute equals the name: no wildcard, no extra filter, no NUL.
func FuzzUserFilter(f *testing.F) {
	for _, seed := range []string{
		"anna", "anna.schneider@kreis-musterhausen.example", "o'brien", "Siobhán",
		"*", "a*", "*)(uid=*", "*)(|(uid=*", "anna)(|(objectClass=*)", ")(objectClass=*",
		"anna)(!(employeeType=disabled", "admin)(&)", "(", ")", "\\", "anna\\", "\\2a", "\\2", "\\zz",
		"\x00", "anna\x00", "a\x00*", "\xff\xfe", "\xc3", "\u00e4\u0000", "*))(|(cn=*", "=", "uid=anna",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, username string) {
		if username == "" {
			t.Skip("an empty name is refused before any search")
		}
		checkEscaped(t, ldap.EscapeFilter(username))
		for _, tmpl := range filterTemplates {
			want, err := ldap.CompileFilter(userFilter(tmpl, placeholder))
			if err != nil {
				t.Fatalf("template %s: %v", tmpl, err)
			}
			filter := userFilter(tmpl, username)
			got, err := ldap.CompileFilter(filter)
			if err != nil {
				t.Fatalf("filter %q for %q does not compile: %v", filter, username, err)
			}
			sameExceptName(t, want, got, username)
		}
		dnTemplate := "(&(objectClass=groupOfNames)(member={dn}))"
		want, _ := ldap.CompileFilter(groupFilter(dnTemplate, placeholder))
		got, err := ldap.CompileFilter(groupFilter(dnTemplate, username))
		if err != nil {
			t.Fatalf("group filter for %q does not compile: %v", username, err)
		}
		sameExceptName(t, want, got, username)
	})
}

// checkEscaped fails when the escaped name holds a filter character, NUL or a byte outside
// ASCII, or a backslash not followed by two hex digits.
func checkEscaped(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '*' || c == '(' || c == ')' || c == 0 || c > 0x7f:
			t.Fatalf("escaped name %q holds %q unescaped", s, c)
		case c == '\\':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				t.Fatalf("escaped name %q has a bare backslash at %d", s, i)
			}
			i += 2
		}
	}
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// sameExceptName compares two compiled filters node by node; where want holds the
// placeholder, got must hold the name.
func sameExceptName(t *testing.T, want, got *ber.Packet, name string) {
	t.Helper()
	if want.ClassType != got.ClassType || want.TagType != got.TagType || want.Tag != got.Tag || len(want.Children) != len(got.Children) {
		t.Fatalf("filter for %q has another structure: %s where the template has %s", name, describe(got), describe(want))
	}
	if want.TagType == ber.TypePrimitive {
		w, g := want.Data.Bytes(), got.Data.Bytes()
		if bytes.Equal(w, []byte(placeholder)) {
			w = []byte(name)
		}
		if !bytes.Equal(w, g) {
			t.Fatalf("filter for %q asserts %q where %q is expected", name, g, w)
		}
	}
	for i := range want.Children {
		sameExceptName(t, want.Children[i], got.Children[i], name)
	}
}

func describe(p *ber.Packet) string {
	s, err := ldap.DecompileFilter(p)
	if err != nil {
		return p.Description
	}
	return s
}

func TestLookupFilter(t *testing.T) {
	for name, c := range map[string]struct{ attribute, id, want string }{
		"text id":                   {"entryUUID", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "(&(uid=*)(entryUUID=1b4e28ba-2fa1-11d2-883f-0016d3cca427))"},
		"binary id as its bytes":    {"objectGUID", "00ff2a28", `(&(uid=*)(objectGUID=\00\ff\2a\28))`},
		"text id with filter chars": {"entryUUID", "a*)(b", `(&(uid=*)(entryUUID=a\2a\29\28b))`},
		"binary id that is not hex": {"objectGUID", "zz*", `(&(uid=*)(objectGUID=zz\2a))`},
	} {
		t.Run(name, func(t *testing.T) {
			got := lookupFilter("(uid={username})", c.attribute, c.id)
			if got != c.want {
				t.Fatalf("filter %s, want %s", got, c.want)
			}
			if _, err := ldap.CompileFilter(got); err != nil {
				t.Fatal(err)
			}
		})
	}
}
