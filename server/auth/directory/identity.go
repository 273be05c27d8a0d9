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

// identity reads the entry's attributes and groups and maps them to roles. A user in none of
// the allowed groups is rejected.
func (d *Directory) identity(conn *ldap.Conn, e *ldap.Entry) (*Identity, error) {
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
	groups, err := d.groups(conn, e)
	if err != nil {
		return nil, err
	}
	id.Groups = groups
	if len(d.cfg.AllowedGroups) > 0 && !anyIn(groups, d.cfg.AllowedGroups) {
		return nil, fmt.Errorf("%w: not in an allowed group", ErrRejected)
	}
	id.CommunityRole = d.cfg.DefaultCommunityRole
	for _, m := range d.cfg.CommunityRoles {
		if anyIn(groups, []string{m.Group}) {
			id.CommunityRole = m.Role
			break
		}
	}
	id.PlatformRole = "MEMBER"
	for _, m := range d.cfg.PlatformRoles {
		if anyIn(groups, []string{m.Group}) && platformRank[m.Role] > platformRank[id.PlatformRole] {
			id.PlatformRole = m.Role
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

// groups lists the names and DNs of the user's groups.
func (d *Directory) groups(conn *ldap.Conn, e *ldap.Entry) ([]string, error) {
	var dns []string
	if d.cfg.Groups.MemberOfAttribute != "" {
		dns = e.GetAttributeValues(d.cfg.Groups.MemberOfAttribute)
	} else {
		filter := strings.ReplaceAll(d.cfg.Groups.SearchFilter, "{dn}", ldap.EscapeFilter(e.DN))
		req := ldap.NewSearchRequest(d.cfg.Groups.SearchBaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
			1000, int(d.cfg.Timeout.Seconds())+1, false, filter, []string{d.cfg.Groups.NameAttribute}, nil)
		res, err := conn.Search(req)
		if err != nil {
			return nil, classify(err)
		}
		for _, g := range res.Entries {
			dns = append(dns, g.DN)
		}
	}
	names := make([]string, 0, 2*len(dns))
	for _, dn := range dns {
		names = append(names, dn)
		if parsed, err := ldap.ParseDN(dn); err == nil && len(parsed.RDNs) > 0 && len(parsed.RDNs[0].Attributes) > 0 {
			names = append(names, parsed.RDNs[0].Attributes[0].Value)
		}
	}
	return names, nil
}

// entryID reads the stable id; binary ids (objectGUID) are hex-encoded.
func entryID(e *ldap.Entry, name string) string {
	raw := e.GetRawAttributeValue(name)
	if len(raw) == 0 {
		return ""
	}
	if strings.EqualFold(name, "objectGUID") {
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

// anyIn tells whether any of have is in want, ignoring case.
func anyIn(have, want []string) bool {
	return slices.ContainsFunc(have, func(h string) bool {
		return slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(h, w) })
	})
}
