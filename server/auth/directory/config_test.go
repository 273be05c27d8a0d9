package directory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zirkel/server/auth/ldaptest"
)

// writeFile writes content to a new file in a test directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// exampleFile is example.yaml with its secret and CA paths pointing at real files.
func exampleFile(t *testing.T, change func(string) string) string {
	t.Helper()
	raw, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ca := ldaptest.CAFile(t)
	s := strings.NewReplacer(
		"/run/secrets/zirkel-ad-password", writeFile(t, "ad-password", "aus-der-datei\n"),
		"/etc/zirkel/musterhausen-ca.pem", ca, "/etc/zirkel/land-ca.pem", ca,
	).Replace(string(raw))
	if change != nil {
		s = change(s)
	}
	return writeFile(t, "directories.yaml", s)
}

var exampleEnv = map[string]string{"ZIRKEL_LDAP_MUSTERHAUSEN_PASSWORD": "aus-der-umgebung"}

func TestExampleFileLoads(t *testing.T) {
	dirs, err := LoadFile(exampleFile(t, nil), func(k string) string { return exampleEnv[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 2 || dirs[0].bindPassword != "aus-der-umgebung" || dirs[1].bindPassword != "aus-der-datei" ||
		dirs[0].Timeout != 5*time.Second || dirs[1].Groups.MemberOfAttribute != "memberOf" ||
		dirs[0].ServerName != "ldap.kreis-musterhausen.example" {
		t.Fatalf("loaded %+v", dirs)
	}
	for _, c := range dirs {
		d, err := New(c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if d.tls.InsecureSkipVerify || d.tls.RootCAs == nil || d.tls.ServerName == "" {
			t.Fatalf("%s: TLS %+v must verify against the CA file", c.ID, d.tls)
		}
	}
}

func TestLoadFileRefusesDirectoriesItCannotUse(t *testing.T) {
	for _, c := range []struct {
		name, from, to, want string
		env                  map[string]string
	}{
		{name: "password variable not set", env: map[string]string{}, want: "ZIRKEL_LDAP_MUSTERHAUSEN_PASSWORD (bind_password_env) is not set or empty"},
		{name: "password variable empty", env: map[string]string{"ZIRKEL_LDAP_MUSTERHAUSEN_PASSWORD": ""}, want: "is not set or empty"},
		{name: "password file missing", from: "bind_password_file: /", to: "bind_password_file: /nicht-da/", want: "reading bind_password_file"},
		{name: "password file empty", from: "bind_password_file: ", to: "bind_password_file: " + writeFile(t, "empty", "\n") + "\n    #", want: "is empty"},
		{name: "no password at all", from: "bind_password_env: ZIRKEL_LDAP_MUSTERHAUSEN_PASSWORD", to: "", want: "bind_password_env or bind_password_file is required"},
		{name: "CA file unreadable", from: "ca_file: /", to: "ca_file: /nicht-da/", want: "reading CA file"},
		{name: "CA file without a certificate", from: "ca_file: /", to: "ca_file: " + writeFile(t, "kein-ca.pem", "kein Zertifikat") + "\n    #", want: "holds no PEM certificate"},
		{name: "official key too short", from: `organisation_ags: "09189000"`, to: `organisation_ags: "0918900"`, want: `organisation_ags "0918900" is not an official key`},
		{name: "official key of no state", from: `organisation_ags: "09189000"`, to: `organisation_ags: "17189000"`, want: "is not an official key"},
		{name: "group DN malformed", from: "[zirkel-users]", to: `["cn=zirkel-users,,=x"]`, want: "neither a name nor a valid DN"},
		{name: "platform role unknown", from: "role: MODERATOR", to: "role: MODERATORIN", want: `platform role "MODERATORIN"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := exampleEnv
			if c.env != nil {
				env = c.env
			}
			path := exampleFile(t, func(s string) string {
				if c.from == "" {
					return s
				}
				if !strings.Contains(s, c.from) {
					t.Fatalf("example.yaml lacks %q", c.from)
				}
				return strings.Replace(s, c.from, c.to, 1)
			})
			_, err := LoadFile(path, func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestConfigRefusesIncompleteDirectories(t *testing.T) {
	good := Config{ID: "x", URL: "ldaps://h", UserBaseDN: "dc=x", UserFilter: "(uid={username})", BindDN: "cn=svc,dc=x",
		Attributes: Attributes{ID: "entryUUID"}, Groups: Groups{MemberOfAttribute: "memberOf"}}
	good.SetBindPassword("geheim")
	for name, change := range map[string]func(*Config){
		"no id":               func(c *Config) { c.ID = "" },
		"plain ldap scheme":   func(c *Config) { c.URL = "http://h" },
		"url without host":    func(c *Config) { c.URL = "ldaps://" },
		"filter without name": func(c *Config) { c.UserFilter = "(uid=anna)" },
		"no stable id":        func(c *Config) { c.Attributes.ID = "" },
		"no groups":           func(c *Config) { c.Groups = Groups{} },
		"no service account":  func(c *Config) { c.BindDN = "" },
		"no password":         func(c *Config) { c.SetBindPassword("") },
	} {
		c := good
		change(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
}
