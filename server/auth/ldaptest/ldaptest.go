// Package ldaptest starts a real OpenLDAP slapd on free loopback ports for
// tests of directory login (LDAP bind and search).
//
// Each Start gets its own temporary directory, a freshly generated test CA
// and server certificate (StartTLS on URL, TLS on LDAPSURL), and an mdb
// database loaded from a Fixture with slapadd before slapd starts, so every
// entry has an entryUUID. slapd runs as a child process in its own process
// group and is killed, and its files removed, when the test ends.
//
// The directory below BaseDN looks like this:
//
//	ou=people    inetOrgPerson entries, RDN uid=...; a disabled user has employeeType: disabled
//	ou=groups    groupOfNames entries, member = full user DNs (the service
//	             account stands in as member of an otherwise empty group)
//	ou=services  the read-only service account cn=zirkel-service
//
// Users can bind with their own password; the service account can read
// everything but userPassword; anonymous can only bind. The memberof overlay
// is on, so users carry the operational attribute memberOf.
//
// slapd comes from the Debian package slapd; tests fail (never skip) when it
// is missing.
package ldaptest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

const (
	slapdPath     = "/usr/sbin/slapd"
	slapaddPath   = "/usr/sbin/slapadd"
	serviceCN     = "zirkel-service"
	disabledValue = "disabled"
)

// Server is a running slapd for one test. All fields are set by Start.
type Server struct {
	// URL is ldap://127.0.0.1:PORT; the server supports StartTLS on it.
	URL string
	// LDAPSURL is ldaps://127.0.0.1:PORT2 (TLS from the first byte).
	LDAPSURL string
	// CAFile is the PEM file of the test CA that signed the server
	// certificate (SANs 127.0.0.1, ::1 and localhost).
	CAFile string
	// CAPEM is the content of CAFile.
	CAPEM []byte
	// BaseDN is the suffix of the directory, e.g. "dc=kreis-musterhausen,dc=example".
	BaseDN string
	// AdminDN is the rootdn (cn=admin,BaseDN), allowed to change anything.
	AdminDN string
	// AdminPassword is the password of AdminDN.
	AdminPassword string
	// ServiceDN is the read-only service account
	// (cn=zirkel-service,ou=services,BaseDN) that may search users and groups.
	ServiceDN string
	// ServicePassword is the password of ServiceDN.
	ServicePassword string

	proc *process
}

// Fixture is the initial content of a directory.
type Fixture struct {
	// BaseDN is the suffix; its first RDN must be dc=...
	BaseDN string
	// Organisation is the o attribute of the base entry.
	Organisation string
	// Users become inetOrgPerson entries below ou=people.
	Users []User
	// Groups become groupOfNames entries below ou=groups.
	Groups []Group
}

// User is one person in the directory (uid=UID,ou=people,BaseDN).
type User struct {
	// UID is the login name and the RDN value.
	UID string
	// CN is the full name; its last word becomes sn, the rest givenName.
	CN string
	// Mail is the e-mail address (optional).
	Mail string
	// Title is the job title (optional).
	Title string
	// Password is stored as {SSHA} hash; empty means the user cannot bind.
	Password string
	// Disabled sets employeeType: disabled, which the login filter refuses.
	Disabled bool
}

// Group is a groupOfNames (cn=CN,ou=groups,BaseDN).
type Group struct {
	// CN is the group name and the RDN value.
	CN string
	// Members are uids of users of the same fixture.
	Members []string
}

// Start starts slapd with the content of f and returns once it accepts a
// bind. It registers a cleanup that stops slapd and removes its files.
// Failures, including a missing slapd, end the test with t.Fatal.
func Start(t testing.TB, f Fixture) *Server {
	t.Helper()
	requireBinaries(t, slapdPath, slapaddPath)
	begin := time.Now()
	s := newServer(f.BaseDN)
	conf, err := s.prepare(t.TempDir(), f)
	if err != nil {
		t.Fatalf("ldaptest: prepare %s: %v", f.BaseDN, err)
	}
	if s.proc, err = startSlapd(conf, s.AdminDN, s.AdminPassword); err != nil {
		t.Fatalf("ldaptest: start slapd for %s: %v", f.BaseDN, err)
	}
	s.URL, s.LDAPSURL = s.proc.url, s.proc.ldapsURL
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("ldaptest: slapd output for %s:\n%s", s.BaseDN, s.proc.out.String())
		}
	})
	t.Logf("ldaptest: slapd for %s ready at %s and %s in %v",
		s.BaseDN, s.URL, s.LDAPSURL, time.Since(begin).Round(time.Millisecond))
	return s
}

// newServer fills in the fixed accounts of a directory below baseDN.
func newServer(baseDN string) *Server {
	return &Server{
		BaseDN:          baseDN,
		AdminDN:         "cn=admin," + baseDN,
		AdminPassword:   "Admin-Geheim-1",
		ServiceDN:       "cn=" + serviceCN + ",ou=services," + baseDN,
		ServicePassword: "Service-Geheim-1",
	}
}

// requireBinaries ends the test when one of the programs is missing.
func requireBinaries(t testing.TB, paths ...string) {
	t.Helper()
	for _, bin := range paths {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("ldaptest: %s not found (%v): the LDAP tests need OpenLDAP; "+
				"run the README's test command .ci/test, which installs it "+
				"(apt-get install -y slapd ldap-utils)", bin, err)
		}
	}
}

// prepare writes certificates, slapd.conf and the database (via slapadd)
// into dir and returns the path of slapd.conf.
func (s *Server) prepare(dir string, f Fixture) (string, error) {
	files, err := writeTLSFiles(dir)
	if err != nil {
		return "", err
	}
	s.CAFile, s.CAPEM = files.CAFile, files.caPEM
	ldif, err := fixtureLDIF(s, f)
	if err != nil {
		return "", err
	}
	ldifPath := filepath.Join(dir, "init.ldif")
	if err := os.WriteFile(ldifPath, []byte(ldif), 0o600); err != nil {
		return "", err
	}
	dbDir := filepath.Join(dir, "db")
	if err := os.Mkdir(dbDir, 0o700); err != nil {
		return "", err
	}
	conf, err := writeSlapdConf(slapdConfig{
		Dir: dir, DBDir: dbDir, TLS: files, BaseDN: f.BaseDN,
		AdminDN: s.AdminDN, AdminHash: sshaHash(s.AdminPassword), ServiceDN: s.ServiceDN,
	})
	if err != nil {
		return "", err
	}
	return conf, slapadd(conf, ldifPath)
}

// Stop kills slapd at once (for "directory down" tests) and waits until it
// has exited. It is safe to call more than once; Start's cleanup calls it.
func (s *Server) Stop() {
	if s.proc != nil {
		s.proc.stop()
	}
}

// UserDN returns the DN of the user with the given uid (whether or not it
// exists), with special characters escaped.
func (s *Server) UserDN(uid string) string {
	return "uid=" + ldap.EscapeDN(uid) + ",ou=people," + s.BaseDN
}

// GroupDN returns the DN of the group with the given cn.
func (s *Server) GroupDN(cn string) string {
	return "cn=" + ldap.EscapeDN(cn) + ",ou=groups," + s.BaseDN
}

// TLSConfig returns a client TLS configuration that trusts only the test CA
// and verifies the server certificate for 127.0.0.1.
func (s *Server) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM) {
		panic(fmt.Sprintf("ldaptest: bad CA PEM in %s", s.CAFile))
	}
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// CPUTime is the processor time slapd has used so far (user and system), for benchmarks that
// report the directory's share of an operation's cost. It reads /proc (Linux), where times are
// counted in clock ticks of 1/100 s (USER_HZ on every Linux architecture Go supports).
func (s *Server) CPUTime() (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.proc.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields are counted after it.
	_, rest, ok := strings.Cut(string(stat), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		return 0, fmt.Errorf("reading %s: unexpected format", "/proc/<slapd>/stat")
	}
	var ticks int64
	for _, f := range fields[11:13] { // utime, stime (fields 14 and 15 of proc(5))
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("reading slapd's processor time: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}
