package directory

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// userFilter puts the login name into the configured filter, escaped (RFC 4515): whatever the
// name holds, it can only ever be an assertion value, never a wildcard or a filter of its own.
func userFilter(template, username string) string {
	return strings.ReplaceAll(template, "{username}", ldap.EscapeFilter(username))
}

// lookupFilter finds the entry with the stable id; the user filter still applies (it may
// exclude disabled accounts), with {username} matching anyone. A binary id (objectGUID, kept
// hex-encoded) is asserted as its bytes, each escaped.
func lookupFilter(template, idAttribute, entryID string) string {
	value := ldap.EscapeFilter(entryID)
	if raw, err := hex.DecodeString(entryID); err == nil && isBinaryID(idAttribute) {
		var b strings.Builder
		for _, c := range raw {
			fmt.Fprintf(&b, "\\%02x", c)
		}
		value = b.String()
	}
	return fmt.Sprintf("(&%s(%s=%s))", strings.ReplaceAll(template, "{username}", "*"), idAttribute, value)
}

// isBinaryID tells whether the stable id attribute holds bytes rather than text.
func isBinaryID(name string) bool { return strings.EqualFold(name, "objectGUID") }

// groupFilter finds the groups whose members include the user's DN.
func groupFilter(template, dn string) string {
	return strings.ReplaceAll(template, "{dn}", ldap.EscapeFilter(dn))
}
