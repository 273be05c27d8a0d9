package ldaptest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// dial connects to url; tlsConf is used for ldaps:// and may be nil.
func dial(t *testing.T, url string, tlsConf *tls.Config) *ldap.Conn {
	t.Helper()
	conn, err := dialErr(url, tlsConf)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func dialErr(url string, tlsConf *tls.Config) (*ldap.Conn, error) {
	opts := []ldap.DialOpt{ldap.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second})}
	if tlsConf != nil {
		opts = append(opts, ldap.DialWithTLSConfig(tlsConf))
	}
	conn, err := ldap.DialURL(url, opts...)
	if err != nil {
		return nil, err
	}
	conn.SetTimeout(5 * time.Second)
	return conn, nil
}

// serviceConn is a connection bound as the service account.
func serviceConn(t *testing.T, s *Server) *ldap.Conn {
	t.Helper()
	conn := dial(t, s.URL, nil)
	if err := conn.Bind(s.ServiceDN, s.ServicePassword); err != nil {
		t.Fatalf("service bind: %v", err)
	}
	return conn
}

// userBind binds as uid over StartTLS with certificate verification on.
func userBind(t *testing.T, s *Server, uid, password string) error {
	t.Helper()
	conn := dial(t, s.URL, nil)
	if err := conn.StartTLS(s.TLSConfig()); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	return conn.Bind(s.UserDN(uid), password)
}

func findUser(t *testing.T, conn *ldap.Conn, s *Server, filter string) []*ldap.Entry {
	t.Helper()
	res, err := conn.Search(ldap.NewSearchRequest("ou=people,"+s.BaseDN, ldap.ScopeWholeSubtree,
		ldap.NeverDerefAliases, 0, 0, false, filter,
		[]string{"uid", "cn", "mail", "title", "employeeType", "userPassword", "entryUUID", "memberOf"}, nil))
	if err != nil {
		t.Fatalf("search %s: %v", filter, err)
	}
	return res.Entries
}

// groupsOf returns the cn of every group uid is a member of.
func groupsOf(t *testing.T, s *Server, uid string) []string {
	t.Helper()
	conn := serviceConn(t, s)
	res, err := conn.Search(ldap.NewSearchRequest("ou=groups,"+s.BaseDN, ldap.ScopeWholeSubtree,
		ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectClass=groupOfNames)(member="+ldap.EscapeFilter(s.UserDN(uid))+"))", []string{"cn"}, nil))
	if err != nil {
		t.Fatalf("group search: %v", err)
	}
	var cns []string
	for _, e := range res.Entries {
		cns = append(cns, e.GetAttributeValue("cn"))
	}
	slices.Sort(cns)
	return cns
}

func wantInvalidCredentials(t *testing.T, err error) {
	t.Helper()
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
		t.Fatalf("bind error = %v, want invalid credentials", err)
	}
}

func TestDirectories(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	mh := Start(t, MusterhausenFixture())
	bs := Start(t, BeispielstadtFixture())
	t.Logf("both directories up in %v", time.Since(begin))
	if mh.URL == bs.URL || mh.LDAPSURL == bs.LDAPSURL {
		t.Fatalf("servers share an address: %s %s", mh.URL, bs.URL)
	}

	for _, sub := range []struct {
		name string
		test func(t *testing.T, mh, bs *Server)
	}{
		{"service search", testServiceSearch},
		{"entryUUIDs differ between directories", testEntryUUIDsDifferBetweenDirectories},
		{"user bind over StartTLS", testUserBindOverStartTLS},
		{"service then user on one connection", testServiceThenUserOnOneConnection},
		{"wrong password", testWrongPassword},
		{"StartTLS checks the certificate", testStartTLSChecksTheCertificate},
		{"ldaps", testLDAPS},
		{"groups", testGroups},
		{"disabled and special users", testDisabledAndSpecialUsers},
		{"anonymous sees nothing", testAnonymousSeesNothing},
	} {
		t.Run(sub.name, func(t *testing.T) { sub.test(t, mh, bs) })
	}
}

func testServiceSearch(t *testing.T, mh, bs *Server) {
	for _, tc := range []struct {
		s        *Server
		cn, mail string
	}{
		{mh, "Anna Schneider", "anna.schneider@kreis-musterhausen.example"},
		{bs, "Anna Lehmann", "anna.lehmann@stadt-beispiel.example"},
	} {
		entries := findUser(t, serviceConn(t, tc.s), tc.s, "(uid=anna)")
		if len(entries) != 1 {
			t.Fatalf("%s: %d entries for uid=anna", tc.s.BaseDN, len(entries))
		}
		e := entries[0]
		if e.GetAttributeValue("cn") != tc.cn || e.GetAttributeValue("mail") != tc.mail {
			t.Errorf("anna = %q <%s>, want %q <%s>", e.GetAttributeValue("cn"),
				e.GetAttributeValue("mail"), tc.cn, tc.mail)
		}
		if u := e.GetAttributeValue("entryUUID"); len(u) != 36 {
			t.Errorf("entryUUID = %q", u)
		}
		if pw := e.GetAttributeValue("userPassword"); pw != "" {
			t.Errorf("service account can read userPassword %q", pw)
		}
	}
}

func testEntryUUIDsDifferBetweenDirectories(t *testing.T, mh, bs *Server) {
	a := findUser(t, serviceConn(t, mh), mh, "(uid=anna)")[0].GetAttributeValue("entryUUID")
	b := findUser(t, serviceConn(t, bs), bs, "(uid=anna)")[0].GetAttributeValue("entryUUID")
	if a == b {
		t.Errorf("same entryUUID %s in both directories", a)
	}
}

func testUserBindOverStartTLS(t *testing.T, mh, bs *Server) {
	if err := userBind(t, mh, "anna", "Geheim-anna-1"); err != nil {
		t.Fatalf("anna: %v", err)
	}
	if err := userBind(t, bs, "anna", "Beispiel-anna-1"); err != nil {
		t.Fatalf("anna (Beispielstadt): %v", err)
	}
	if err := userBind(t, mh, "o'brien", "Geheim-o'brien-1"); err != nil {
		t.Fatalf("o'brien: %v", err)
	}
}

func testServiceThenUserOnOneConnection(t *testing.T, mh, bs *Server) {
	conn := dial(t, mh.URL, nil)
	if err := conn.StartTLS(mh.TLSConfig()); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	if err := conn.Bind(mh.ServiceDN, mh.ServicePassword); err != nil {
		t.Fatalf("service bind: %v", err)
	}
	dn := findUser(t, conn, mh, "(uid=jonas)")[0].DN
	if err := conn.Bind(dn, "Geheim-jonas-1"); err != nil {
		t.Fatalf("rebind as %s: %v", dn, err)
	}
}

func testWrongPassword(t *testing.T, mh, bs *Server) {
	wantInvalidCredentials(t, userBind(t, mh, "anna", "Geheim-anna-2"))
	wantInvalidCredentials(t, userBind(t, bs, "anna", "Geheim-anna-1")) // the other anna's
	wantInvalidCredentials(t, userBind(t, mh, "nobody", "Geheim-nobody-1"))
}

func testStartTLSChecksTheCertificate(t *testing.T, mh, bs *Server) {
	conn := dial(t, mh.URL, nil)
	conf := mh.TLSConfig()
	conf.ServerName = "ldap.example.org"
	if err := conn.StartTLS(conf); err == nil {
		t.Fatal("StartTLS accepted a certificate for the wrong name")
	}
}

func testLDAPS(t *testing.T, mh, bs *Server) {
	conn := dial(t, bs.LDAPSURL, bs.TLSConfig())
	if err := conn.Bind(bs.UserDN("erika"), "Beispiel-erika-1"); err != nil {
		t.Fatalf("bind over ldaps: %v", err)
	}
	if _, err := dialErr(bs.LDAPSURL, mh.TLSConfig()); err == nil {
		t.Fatal("ldaps accepted with the other directory's CA")
	}
}

func testGroups(t *testing.T, mh, bs *Server) {
	if got, want := groupsOf(t, mh, "anna"), []string{GroupCDO, GroupUsers}; !slices.Equal(got, want) {
		t.Errorf("groups of anna = %v, want %v", got, want)
	}
	if got, want := groupsOf(t, mh, "paul"), []string{"bauamt"}; !slices.Equal(got, want) {
		t.Errorf("groups of paul = %v, want %v", got, want)
	}
	memberOf := findUser(t, serviceConn(t, mh), mh, "(uid=jonas)")[0].GetAttributeValues("memberOf")
	if len(memberOf) != 2 {
		t.Errorf("memberOf of jonas = %v, want 2 groups", memberOf)
	}
}

func testDisabledAndSpecialUsers(t *testing.T, mh, bs *Server) {
	conn := serviceConn(t, mh)
	if n := len(findUser(t, conn, mh, "(&(uid=lena)(!(employeeType=disabled)))")); n != 0 {
		t.Errorf("disabled lena found by the login filter")
	}
	e := findUser(t, conn, mh, "(uid="+ldap.EscapeFilter("o'brien")+")")
	if len(e) != 1 || e[0].GetAttributeValue("cn") != "Siobhán O'Brien" {
		t.Errorf("o'brien: %v", e)
	}
}

func testAnonymousSeesNothing(t *testing.T, mh, bs *Server) {
	conn := dial(t, mh.URL, nil)
	res, err := conn.Search(ldap.NewSearchRequest(mh.BaseDN, ldap.ScopeWholeSubtree,
		ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil))
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		// slapd hides even the base entry
	case err != nil:
		t.Fatalf("anonymous search: %v", err)
	case len(res.Entries) != 0:
		t.Errorf("anonymous search found %d entries", len(res.Entries))
	}
}

func TestRuntimeChanges(t *testing.T) {
	t.Parallel()
	s := Start(t, MusterhausenFixture())
	wantGroups := func(uid string, want ...string) {
		t.Helper()
		slices.Sort(want)
		if got := groupsOf(t, s, uid); !slices.Equal(got, want) {
			t.Errorf("groups of %s = %v, want %v", uid, got, want)
		}
		memberOf := findUser(t, serviceConn(t, s), s, "(uid="+ldap.EscapeFilter(uid)+")")[0].
			GetAttributeValues("memberOf")
		if len(memberOf) != len(want) {
			t.Errorf("memberOf of %s = %v, want %d groups", uid, memberOf, len(want))
		}
	}
	members := func(group string) []string {
		conn := serviceConn(t, s)
		res, err := conn.Search(ldap.NewSearchRequest(s.GroupDN(group), ldap.ScopeBaseObject,
			ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"member"}, nil))
		if err != nil {
			t.Fatalf("read %s: %v", group, err)
		}
		return res.Entries[0].GetAttributeValues("member")
	}

	s.AddToGroup(t, GroupAdmins, "anna")
	s.AddToGroup(t, GroupAdmins, "anna") // no-op
	wantGroups("anna", GroupAdmins, GroupCDO, GroupUsers)
	s.RemoveFromGroup(t, GroupCDO, "anna")
	wantGroups("anna", GroupAdmins, GroupUsers)
	if got := members(GroupCDO); !slices.Equal(got, []string{s.ServiceDN}) {
		t.Errorf("emptied group members = %v, want the service placeholder", got)
	}
	s.AddToGroup(t, "zirkel-gaeste", "paul")
	if got := members("zirkel-gaeste"); !slices.Equal(got, []string{s.UserDN("paul")}) {
		t.Errorf("members = %v, want only paul (placeholder gone)", got)
	}
	wantGroups("paul", "bauamt", "zirkel-gaeste")

	loginFilter := "(&(uid=%s)(!(employeeType=disabled)))"
	s.SetDisabled(t, "anna", true)
	s.SetDisabled(t, "lena", false)
	conn := serviceConn(t, s)
	if n := len(findUser(t, conn, s, strings.Replace(loginFilter, "%s", "anna", 1))); n != 0 {
		t.Error("disabled anna still passes the login filter")
	}
	if n := len(findUser(t, conn, s, strings.Replace(loginFilter, "%s", "lena", 1))); n != 1 {
		t.Error("enabled lena does not pass the login filter")
	}

	s.SetPassword(t, "jonas", "Neu-jonas-2")
	wantInvalidCredentials(t, userBind(t, s, "jonas", "Geheim-jonas-1"))
	if err := userBind(t, s, "jonas", "Neu-jonas-2"); err != nil {
		t.Errorf("new password: %v", err)
	}

	s.DeleteUser(t, "jonas")
	wantInvalidCredentials(t, userBind(t, s, "jonas", "Neu-jonas-2"))
	if n := len(findUser(t, conn, s, "(uid=jonas)")); n != 0 {
		t.Error("deleted jonas still found")
	}
	if got := groupsOf(t, s, "jonas"); len(got) != 0 {
		t.Errorf("deleted jonas still in %v", got)
	}
	wantGroups("anna", GroupAdmins, GroupUsers)
}

func TestStop(t *testing.T) {
	t.Parallel()
	s := Start(t, BeispielstadtFixture())
	pid := s.proc.cmd.Process.Pid
	s.Stop()
	s.Stop() // idempotent
	for _, url := range []string{s.URL, s.LDAPSURL} {
		if conn, err := dialErr(url, s.TLSConfig()); err == nil {
			conn.Close()
			t.Errorf("dial %s after Stop succeeded", url)
		}
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("slapd %d still exists after Stop: %v", pid, err)
	}
}

func TestStartHanging(t *testing.T) {
	t.Parallel()
	url := StartHanging(t)
	conn := dial(t, url, nil) // TCP connects
	conn.SetTimeout(time.Second)
	begin := time.Now()
	err := conn.Bind("uid=anna,ou=people,dc=example", "x")
	elapsed := time.Since(begin)
	if !ldap.IsErrorWithCode(err, ldap.ErrorNetwork) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("bind error = %v, want a timeout", err)
	}
	if elapsed < 900*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("bind gave up after %v, want about 1s", elapsed)
	}
}

func TestStartHangingAfterStartTLS(t *testing.T) {
	t.Parallel()
	url := StartHangingAfterStartTLS(t)
	raw, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "ldap://"), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// go-ldap gives the handshake after StartTLS no deadline: only one on the
	// network connection ends it.
	if err := raw.SetDeadline(time.Now().Add(500 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	conn := ldap.NewConn(raw, false)
	conn.Start()
	defer conn.Close()
	err = conn.StartTLS(&tls.Config{ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	if err == nil || !strings.Contains(err.Error(), "TLS handshake failed") || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("StartTLS error = %v, want the StartTLS request accepted and the handshake timing out", err)
	}
}

func TestPortClashIsDetected(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free, err := freePorts()
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(BeispielstadtFixture().BaseDN)
	conf, err := s.prepare(t.TempDir(), BeispielstadtFixture())
	if err != nil {
		t.Fatal(err)
	}
	ports := [2]int{free[0], busy.Addr().(*net.TCPAddr).Port}
	p, err := launch(conf, ports, s.AdminDN, s.AdminPassword)
	if err == nil {
		p.stop()
		t.Fatal("slapd started on a busy port")
	}
	if p == nil || !p.portClash() {
		t.Fatalf("port clash not recognised: %v", err)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestMissingSlapdFailsWithHint(t *testing.T) {
	t.Parallel()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		requireBinaries(rec, "/nonexistent/slapd")
	}()
	<-done
	if !strings.Contains(rec.msg, ".ci/test") || !strings.Contains(rec.msg, "apt-get install") {
		t.Errorf("message %q does not say how to install slapd", rec.msg)
	}
}
