package directory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleFileLoads(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "ad-password")
	if err := os.WriteFile(secret, []byte("aus-der-datei\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "directories.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(raw), "/run/secrets/zirkel-ad-password", secret)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ZIRKEL_LDAP_MUSTERHAUSEN_PASSWORD": "aus-der-umgebung"}
	dirs, err := LoadFile(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 2 || dirs[0].bindPassword != "aus-der-umgebung" || dirs[1].bindPassword != "aus-der-datei" ||
		dirs[0].Timeout != 5*time.Second || dirs[1].Groups.MemberOfAttribute != "memberOf" {
		t.Fatalf("loaded %+v", dirs)
	}
	for _, d := range dirs {
		d.CAFile = "" // the example's CA files do not exist here
		if _, err := New(d); err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
	}
}

func TestConfigRefusesIncompleteDirectories(t *testing.T) {
	good := Config{ID: "x", URL: "ldaps://h", UserBaseDN: "dc=x", UserFilter: "(uid={username})",
		Attributes: Attributes{ID: "entryUUID"}, Groups: Groups{MemberOfAttribute: "memberOf"}}
	for name, change := range map[string]func(*Config){
		"no id":               func(c *Config) { c.ID = "" },
		"plain ldap scheme":   func(c *Config) { c.URL = "http://h" },
		"filter without name": func(c *Config) { c.UserFilter = "(uid=anna)" },
		"no stable id":        func(c *Config) { c.Attributes.ID = "" },
		"no groups":           func(c *Config) { c.Groups = Groups{} },
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
