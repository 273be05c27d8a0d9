// Package mailtest runs a real SMTP server inside tests (github.com/emersion/go-smtp) that
// records what arrives, so that tests read the mails Zirkel sent as a mail program would.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one mail the server accepted.
type Message struct {
	Helo   string // the client's HELO/EHLO name
	From   string
	To     []string
	Data   []byte
	Header mail.Header
	TLS    bool // whether it arrived over TLS
}

// Server is a running test SMTP server.
type Server struct {
	Addr  string
	tls   *tls.Config
	roots *x509.CertPool
	user  string
	pass  string

	mu       sync.Mutex
	messages []Message
	reject   int           // messages still to refuse with 451 at DATA
	delay    time.Duration // wait before accepting each message
}

// Options configure the server.
type Options struct {
	// TLS offers STARTTLS (and, with Implicit, speaks TLS from the first byte) with a
	// certificate for 127.0.0.1 from a fresh CA (Roots).
	TLS, Implicit bool
	// Username and Password, when set, require AUTH PLAIN (over TLS) before mail.
	Username, Password string
}

// Start starts a server on a free port of 127.0.0.1, stopped when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{user: opts.Username, pass: opts.Password}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "mailtest.local"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	if opts.TLS || opts.Implicit {
		s.tls, s.roots = selfSigned(t)
		srv.TLSConfig = s.tls
	}
	var l net.Listener
	var err error
	if opts.Implicit {
		l, err = tls.Listen("tcp", "127.0.0.1:0", s.tls)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatalf("starting the test SMTP server: %v", err)
	}
	s.Addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the server's SMTP URL (smtp://, or smtps:// for implicit TLS).
func (s *Server) URL(implicit bool) string {
	if implicit {
		return "smtps://" + s.Addr
	}
	return "smtp://" + s.Addr
}

// Roots is the CA that signed the server's certificate (nil without TLS).
func (s *Server) Roots() *x509.CertPool { return s.roots }

// RejectNext refuses the next n messages with 451 (a temporary failure) at DATA.
func (s *Server) RejectNext(n int) { s.mu.Lock(); s.reject = n; s.mu.Unlock() }

// Delay makes the server wait this long before accepting each message (so that several
// senders overlap).
func (s *Server) Delay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Wait waits until at least n messages arrived (or fails the test after timeout).
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %d mails, got %d", timeout, n, len(s.Messages()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// session is one SMTP connection.
type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	delay := ss.s.delay
	if ss.s.reject > 0 {
		ss.s.reject--
		ss.s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.s.mu.Unlock()
	time.Sleep(delay)
	_, isTLS := ss.conn.TLSConnectionState()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "not a mail"}
	}
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, Message{Helo: ss.conn.Hostname(), From: ss.from, To: ss.to, Data: data, Header: msg.Header, TLS: isTLS})
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// Parts returns the decoded text/plain and text/html parts of a message.
func (m Message) Parts() (text, html string, err error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return "", "", err
	}
	err = walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, func(ct, body string) {
		switch ct {
		case "text/plain":
			text = body
		case "text/html":
			html = body
		}
	})
	return text, html, err
}

// walk calls f with the decoded leaf parts of a MIME body.
func walk(contentType, encoding string, body io.Reader, f func(ct, body string)) error {
	ct, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(ct, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, f); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	if strings.EqualFold(encoding, "quoted-printable") {
		r = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	f(ct, string(b))
	return nil
}

// UnsubscribeURL is the URL in the List-Unsubscribe header (whitespace removed, as RFC 2369
// asks of readers).
func (m Message) UnsubscribeURL() string {
	v := strings.Join(strings.Fields(m.Header.Get("List-Unsubscribe")), "")
	return strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
}

// selfSigned makes a CA-signed certificate for 127.0.0.1 and returns the server's TLS
// configuration and the CA's pool.
func selfSigned(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, pool
}
