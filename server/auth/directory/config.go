// Package directory authenticates authority staff against their own LDAP directory (OpenLDAP or
// Active Directory) with go-ldap: service bind, search with an escaped filter, bind as the one
// entry found, read the groups, map them to roles. Every network step has a deadline, so a
// directory that is down or hangs fails within a few seconds without holding anything else up.
package directory

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Config describes one directory. See example.yaml beside this file.
type Config struct {
	ID   string `yaml:"id"`   // used by clients in login(directory:)
	Name string `yaml:"name"` // shown to people
	// URL is ldap://host:port (then StartTLS is required) or ldaps://host:port.
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

	// AllowedGroups may log in at all (names or DNs); empty allows every user the filter finds.
	AllowedGroups  []string      `yaml:"allowed_groups"`
	CommunityRoles []RoleMapping `yaml:"community_roles"` // first match wins
	PlatformRoles  []RoleMapping `yaml:"platform_roles"`  // the highest match wins
	// DefaultCommunityRole applies when no community role mapping matches (default STAFF).
	DefaultCommunityRole string `yaml:"default_community_role"`

	// The organisation the directory belongs to, by its official key, or an attribute of the
	// user's entry that holds the key (for a shared state directory).
	OrganisationAGS       string `yaml:"organisation_ags"`
	OrganisationAttribute string `yaml:"organisation_attribute"`

	// Domains of e-mail addresses that choose this directory when a login names none.
	Domains []string `yaml:"domains"`
	// Timeout bounds the dial and each request (default 5s).
	Timeout time.Duration `yaml:"timeout"`
}

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

// LoadFile reads a directories file and the secrets it points to.
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
		if err := f.Directories[i].ResolveSecret(getenv); err != nil {
			return nil, err
		}
	}
	return f.Directories, nil
}

// ResolveSecret reads the service password from the environment or its file.
func (c *Config) ResolveSecret(getenv func(string) string) error {
	switch {
	case c.BindPasswordEnv != "":
		c.bindPassword = getenv(c.BindPasswordEnv)
	case c.BindPasswordFile != "":
		raw, err := os.ReadFile(c.BindPasswordFile)
		if err != nil {
			return fmt.Errorf("directory %s: reading bind password file: %w", c.ID, err)
		}
		c.bindPassword = strings.TrimRight(string(raw), "\r\n")
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
	}
	return nil
}
