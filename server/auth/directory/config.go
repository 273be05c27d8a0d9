// Package directory authenticates authority staff against their own LDAP directory (OpenLDAP or
// Active Directory) with go-ldap: search with an escaped filter as the service account, bind as
// the one entry found, read the groups, map them to roles.
//
// Searches run on pooled connections that stay bound as the service account; users' binds run
// on connections of a second pool that are used for nothing else (a bind changes a
// connection's identity). Both pools are bounded, drop connections that failed or idled too
// long, and are closed at shutdown. One deadline covers a whole login (waiting for a
// connection, dial, TLS or StartTLS handshake, binds, searches): it is set on the network
// connection itself, because go-ldap gives the handshake after StartTLS none. So a directory
// that is down or hangs fails within its timeout without holding anything else up.
package directory

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Config describes one directory. See example.yaml beside this file.
type Config struct {
	ID   string `yaml:"id"`   // used by clients in login(directory:)
	Name string `yaml:"name"` // shown to people
	// URL is ldap://host:port (then StartTLS is required) or ldaps://host:port.
	// The directory's certificate is always verified (there is no switch to turn that off):
	// against the CA in CAFile, or the system's roots when it is empty, for ServerName, or the
	// URL's host when that is empty.
	URL        string `yaml:"url"`
	CAFile     string `yaml:"ca_file"`     // PEM file of the CA that signed the directory's certificate
	ServerName string `yaml:"server_name"` // TLS name to verify, if not the URL's host

	BindDN string `yaml:"bind_dn"`
	// The service account's password comes from the environment or a file, never this file.
	BindPasswordEnv  string `yaml:"bind_password_env"`
	BindPasswordFile string `yaml:"bind_password_file"`
	bindPassword     string

	UserBaseDN string `yaml:"user_base_dn"`
	// UserFilter has {username} where the (escaped) login name goes, e.g. (uid={username}) or
	// (&(sAMAccountName={username})(!(userAccountControl:1.2.840.113556.1.4.803:=2))).
	UserFilter string     `yaml:"user_filter"`
	Attributes Attributes `yaml:"attributes"`
	Groups     Groups     `yaml:"groups"`

	// AllowedGroups may log in at all; empty allows every user the filter finds. A group is a
	// name (compared with the first RDN value of the user's groups, ignoring case) or a DN
	// (compared as a DN: case and spaces between its parts do not matter).
	AllowedGroups  []string      `yaml:"allowed_groups"`
	CommunityRoles []RoleMapping `yaml:"community_roles"` // first match wins
	PlatformRoles  []RoleMapping `yaml:"platform_roles"`  // the highest match wins
	// DefaultCommunityRole applies when no community role mapping matches (default STAFF).
	DefaultCommunityRole string `yaml:"default_community_role"`

	// The organisation the directory belongs to, by its official 8-digit key (which must be an
	// organisation's), or an attribute of the user's entry that holds the key (for a shared
	// state directory).
	OrganisationAGS       string `yaml:"organisation_ags"`
	OrganisationAttribute string `yaml:"organisation_attribute"`

	// Domains of e-mail addresses that choose this directory when a login names none.
	Domains []string `yaml:"domains"`
	// Timeout bounds one login as a whole: waiting for a connection, dial, TLS, binds and
	// searches (default 5s). Revalidation gives each member's lookup the same.
	Timeout time.Duration `yaml:"timeout"`
	// PoolSize bounds the connections kept open to the directory, per kind (service searches,
	// user binds): at most this many in use and this many idle (default 8).
	PoolSize int `yaml:"pool_size"`

	allowed, community, platform []groupMatcher // the groups above, parsed by check
}

// agsPattern is an official key (Amtlicher Gemeindeschlüssel): 8 digits, state 01 to 16.
var agsPattern = regexp.MustCompile(`^(0[1-9]|1[0-6])[0-9]{6}$`)

// Attributes name the entry's attributes to read.
type Attributes struct {
	ID          string `yaml:"id"`           // stable id: entryUUID (OpenLDAP), objectGUID (AD)
	DisplayName string `yaml:"display_name"` // cn, displayName
	Mail        string `yaml:"mail"`
	Title       string `yaml:"title"`
}

// Groups say how a user's groups are found: the memberOf attribute, or a search.
type Groups struct {
	MemberOfAttribute string `yaml:"member_of_attribute"` // e.g. memberOf
	SearchBaseDN      string `yaml:"search_base_dn"`
	// SearchFilter has {dn} for the user's (escaped) DN, e.g. (&(objectClass=groupOfNames)(member={dn})).
	SearchFilter  string `yaml:"search_filter"`
	NameAttribute string `yaml:"name_attribute"` // default cn
}

// RoleMapping maps a directory group (name or DN) to a role.
type RoleMapping struct {
	Group string `yaml:"group"`
	Role  string `yaml:"role"`
}

// File is the directories file.
type File struct {
	Directories []Config `yaml:"directories"`
}

// LoadFile reads a directories file and the secrets it points to, and refuses anything New
// would refuse (so a server does not start with a directory it cannot use): a missing or
// empty password variable or file, an unreadable CA file, a malformed official key or group
// DN. Whether the official keys belong to organisations is checked once the database is open.
func LoadFile(path string, getenv func(string) string) ([]Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading directories file: %w", err)
	}
	var f File
	if err := yaml.UnmarshalWithOptions(raw, &f, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("parsing directories file: %w", err)
	}
	for i := range f.Directories {
		c := &f.Directories[i]
		err := c.ResolveSecret(getenv)
		if err == nil {
			_, err = New(*c)
		}
		if err != nil {
			return nil, fmt.Errorf("directories file %s: directory %q: %w", path, c.ID, err)
		}
	}
	return f.Directories, nil
}

// ResolveSecret reads the service password from the environment or its file; one of them
// must be named, and what it holds must not be empty.
func (c *Config) ResolveSecret(getenv func(string) string) error {
	switch {
	case c.BindPasswordEnv != "" && c.BindPasswordFile != "":
		return errors.New("set bind_password_env or bind_password_file, not both")
	case c.BindPasswordEnv != "":
		c.bindPassword = getenv(c.BindPasswordEnv)
		if c.bindPassword == "" {
			return fmt.Errorf("the environment variable %s (bind_password_env) is not set or empty", c.BindPasswordEnv)
		}
	case c.BindPasswordFile != "":
		raw, err := os.ReadFile(c.BindPasswordFile)
		if err != nil {
			return fmt.Errorf("reading bind_password_file: %w", err)
		}
		c.bindPassword = strings.TrimRight(string(raw), "\r\n")
		if c.bindPassword == "" {
			return fmt.Errorf("bind_password_file %s is empty", c.BindPasswordFile)
		}
	default:
		return errors.New("bind_password_env or bind_password_file is required (the service account's password)")
	}
	return nil
}

// SetBindPassword sets the service password directly (tests, programmatic configuration).
func (c *Config) SetBindPassword(p string) { c.bindPassword = p }

// check fills defaults and refuses incomplete configurations.
func (c *Config) check() error {
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Attributes.DisplayName == "" {
		c.Attributes.DisplayName = "cn"
	}
	if c.Attributes.Mail == "" {
		c.Attributes.Mail = "mail"
	}
	if c.Groups.NameAttribute == "" {
		c.Groups.NameAttribute = "cn"
	}
	if c.DefaultCommunityRole == "" {
		c.DefaultCommunityRole = "STAFF"
	}
	if c.PoolSize <= 0 {
		c.PoolSize = 8
	}
	if err := c.checkRequired(); err != nil {
		return err
	}
	return c.parseGroups()
}

// checkRequired refuses incomplete configurations.
func (c *Config) checkRequired() error {
	switch {
	case c.ID == "":
		return fmt.Errorf("id is required")
	case !strings.HasPrefix(c.URL, "ldap://") && !strings.HasPrefix(c.URL, "ldaps://"):
		return fmt.Errorf("url must start with ldap:// or ldaps://")
	case c.UserBaseDN == "" || !strings.Contains(c.UserFilter, "{username}"):
		return fmt.Errorf("user_base_dn and a user_filter with {username} are required")
	case c.Attributes.ID == "":
		return fmt.Errorf("attributes.id (the stable entry id) is required")
	case c.Groups.MemberOfAttribute == "" && (c.Groups.SearchBaseDN == "" || !strings.Contains(c.Groups.SearchFilter, "{dn}")):
		return fmt.Errorf("groups need member_of_attribute or search_base_dn with a search_filter containing {dn}")
	case c.BindDN == "" || c.bindPassword == "":
		return fmt.Errorf("bind_dn and the service account's password are required")
	case c.OrganisationAGS != "" && !agsPattern.MatchString(c.OrganisationAGS):
		return fmt.Errorf("organisation_ags %q is not an official key (8 digits, beginning with the state 01 to 16)", c.OrganisationAGS)
	}
	for _, m := range c.PlatformRoles {
		if _, ok := platformRank[m.Role]; !ok {
			return fmt.Errorf("platform role %q of group %q is none of MEMBER, MODERATOR, ADMIN", m.Role, m.Group)
		}
	}
	return nil
}

// parseGroups reads the configured groups (names or DNs) once.
func (c *Config) parseGroups() error {
	var err error
	parse := func(names []string) []groupMatcher {
		ms := make([]groupMatcher, 0, len(names))
		for _, n := range names {
			m, perr := parseGroupMatcher(n)
			err = errors.Join(err, perr)
			ms = append(ms, m)
		}
		return ms
	}
	c.allowed = parse(c.AllowedGroups)
	c.community = parse(groupsOf(c.CommunityRoles))
	c.platform = parse(groupsOf(c.PlatformRoles))
	return err
}

func groupsOf(ms []RoleMapping) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Group
	}
	return out
}
