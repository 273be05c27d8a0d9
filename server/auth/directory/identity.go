package directory

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// platformRank orders platform roles; the highest mapped one wins.
var platformRank = map[string]int{"MEMBER": 0, "MODERATOR": 1, "ADMIN": 2}

// group is one of a user's groups: its DN (nil when the directory gave no valid DN) and its
// name (the value of the DN's first RDN, or the raw value).
type group struct {
	dn   *ldap.DN
	name string
}

// groupMatcher is a configured group: a DN (compared as a DN: case and spaces between its
// parts do not matter) or a plain name (compared with the groups' names, ignoring case).
type groupMatcher struct {
	dn   *ldap.DN
	name string
}

// parseGroupMatcher reads a configured group; anything with "=" must be a valid DN.
func parseGroupMatcher(s string) (groupMatcher, error) {
	if !strings.Contains(s, "=") {
		return groupMatcher{name: strings.TrimSpace(s)}, nil
	}
	dn, err := ldap.ParseDN(s)
	if err != nil || len(dn.RDNs) == 0 {
		return groupMatcher{}, fmt.Errorf("group %q is neither a name nor a valid DN", s)
	}
	return groupMatcher{dn: dn}, nil
}

// matches tells whether any of the user's groups is this one.
func (m groupMatcher) matches(groups []group) bool {
	return slices.ContainsFunc(groups, func(g group) bool {
		if m.dn != nil {
			return g.dn != nil && m.dn.EqualFold(g.dn)
		}
		return strings.EqualFold(g.name, m.name)
	})
}

// anyMatches tells whether the user is in any of the groups.
func anyMatches(ms []groupMatcher, groups []group) bool {
	return slices.ContainsFunc(ms, func(m groupMatcher) bool { return m.matches(groups) })
}

// identity reads the entry's attributes and groups and maps them to roles. A user in none of
// the allowed groups is rejected.
func (d *Directory) identity(c *conn, e *ldap.Entry) (*Identity, error) {
	id := &Identity{
		DN:          e.DN,
		EntryID:     entryID(e, d.cfg.Attributes.ID),
		DisplayName: e.GetAttributeValue(d.cfg.Attributes.DisplayName),
		Mail:        strings.ToLower(e.GetAttributeValue(d.cfg.Attributes.Mail)),
		Title:       attr(e, d.cfg.Attributes.Title),
	}
	if id.EntryID == "" || id.DisplayName == "" || id.Mail == "" {
		return nil, fmt.Errorf("%w: entry lacks id, name or mail", ErrRejected)
	}
	dns, err := d.groupDNs(c, e)
	if err != nil {
		return nil, err
	}
	groups := make([]group, 0, len(dns))
	for _, dn := range dns {
		groups = append(groups, parseGroup(dn))
		id.Groups = append(id.Groups, dn)
		if g := groups[len(groups)-1]; g.dn != nil {
			id.Groups = append(id.Groups, g.name)
		}
	}
	if len(d.cfg.allowed) > 0 && !anyMatches(d.cfg.allowed, groups) {
		return nil, fmt.Errorf("%w: not in an allowed group", ErrRejected)
	}
	id.CommunityRole = d.cfg.DefaultCommunityRole
	for i, m := range d.cfg.community {
		if m.matches(groups) {
			id.CommunityRole = d.cfg.CommunityRoles[i].Role
			break
		}
	}
	id.PlatformRole = "MEMBER"
	for i, m := range d.cfg.platform {
		if role := d.cfg.PlatformRoles[i].Role; m.matches(groups) && platformRank[role] > platformRank[id.PlatformRole] {
			id.PlatformRole = role
		}
	}
	id.OrganisationAGS = d.cfg.OrganisationAGS
	if d.cfg.OrganisationAttribute != "" {
		if v := e.GetAttributeValue(d.cfg.OrganisationAttribute); v != "" {
			id.OrganisationAGS = v
		}
	}
	return id, nil
}

// parseGroup reads a group DN as the directory gave it.
func parseGroup(s string) group {
	dn, err := ldap.ParseDN(s)
	if err != nil || len(dn.RDNs) == 0 || len(dn.RDNs[0].Attributes) == 0 {
		return group{name: s}
	}
	return group{dn: dn, name: dn.RDNs[0].Attributes[0].Value}
}

// groupDNs lists the DNs of the user's groups: the memberOf attribute, or a search.
func (d *Directory) groupDNs(c *conn, e *ldap.Entry) ([]string, error) {
	if d.cfg.Groups.MemberOfAttribute != "" {
		return e.GetAttributeValues(d.cfg.Groups.MemberOfAttribute), nil
	}
	req := ldap.NewSearchRequest(d.cfg.Groups.SearchBaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		1000, int(d.cfg.Timeout.Seconds())+1, false, groupFilter(d.cfg.Groups.SearchFilter, e.DN),
		[]string{d.cfg.Groups.NameAttribute}, nil)
	res, err := c.Search(req)
	if err != nil {
		return nil, err
	}
	dns := make([]string, 0, len(res.Entries))
	for _, g := range res.Entries {
		dns = append(dns, g.DN)
	}
	return dns, nil
}

// entryID reads the stable id; binary ids (objectGUID) are hex-encoded.
func entryID(e *ldap.Entry, name string) string {
	raw := e.GetRawAttributeValue(name)
	if len(raw) == 0 {
		return ""
	}
	if isBinaryID(name) {
		return hex.EncodeToString(raw)
	}
	return string(raw)
}

func attr(e *ldap.Entry, name string) string {
	if name == "" {
		return ""
	}
	return e.GetAttributeValue(name)
}
