package mail

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP is where and how mails are handed over.
type SMTP struct {
	Host     string
	Port     int
	Implicit bool             // smtps://: TLS from the first byte
	Policy   gomail.TLSPolicy // for smtp://: STARTTLS when offered, required, or never
	Username string
	Password string
}

// ParseSMTPURL reads an SMTP URL:
//
//	smtp://host[:25]                       STARTTLS when the server offers it
//	smtp://host[:25]?starttls=required     STARTTLS or no mail
//	smtp://host[:25]?starttls=off          never TLS (a local mail catcher)
//	smtps://host[:465]                     implicit TLS
//
// User name and password come from the environment, never from the URL (which ends up in
// process lists and logs).
func ParseSMTPURL(raw, username, password string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTP{}, fmt.Errorf("reading the SMTP URL: not a URL")
	}
	s := SMTP{Host: u.Hostname(), Username: username, Password: password}
	if u.User != nil {
		return SMTP{}, fmt.Errorf("reading the SMTP URL: give user and password in ZIRKEL_SMTP_USERNAME and ZIRKEL_SMTP_PASSWORD, not in the URL")
	}
	if s.Host == "" {
		return SMTP{}, fmt.Errorf("reading the SMTP URL: no host")
	}
	switch u.Scheme {
	case "smtp":
		s.Port = 25
		switch u.Query().Get("starttls") {
		case "", "opportunistic":
			s.Policy = gomail.TLSOpportunistic
		case "required":
			s.Policy = gomail.TLSMandatory
		case "off":
			s.Policy = gomail.NoTLS
		default:
			return SMTP{}, fmt.Errorf("reading the SMTP URL: starttls must be opportunistic, required or off")
		}
	case "smtps":
		s.Port, s.Implicit = 465, true
	default:
		return SMTP{}, fmt.Errorf("reading the SMTP URL: the scheme must be smtp or smtps")
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port <= 0 || s.Port > 65535 {
			return SMTP{}, fmt.Errorf("reading the SMTP URL: bad port")
		}
	}
	return s, nil
}

// client makes a go-mail client for one batch of mails; timeout bounds the dial, the TLS
// handshake and every command.
func (s SMTP) client(timeout time.Duration, helo string, roots *tls.Config) (*gomail.Client, error) {
	tc := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	if roots != nil {
		tc.RootCAs = roots.RootCAs
	}
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(timeout), gomail.WithTLSConfig(tc)}
	if helo != "" {
		opts = append(opts, gomail.WithHELO(helo))
	}
	if s.Implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(s.Policy))
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("configuring SMTP: %w", err)
	}
	return c, nil
}
