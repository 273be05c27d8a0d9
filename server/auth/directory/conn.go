package directory

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// conn is one secured connection to a directory. Its network connection is kept so that a
// deadline on it bounds every step, the TLS handshake after StartTLS included (go-ldap gives
// that handshake no deadline of its own).
type conn struct {
	*ldap.Conn
	raw       net.Conn
	idleSince time.Time // when it was last put back into its pool
	reused    bool      // taken from a pool rather than dialled for this use
}

// longAgo is a deadline in the past: it makes every pending read and write fail at once.
var longAgo = time.Unix(1, 0)

// endpoint is where a directory is dialled and whether TLS starts with the first byte.
type endpoint struct {
	addr  string
	ldaps bool
}

// parseEndpoint reads an ldap:// or ldaps:// URL; the port defaults to 389 or 636.
func parseEndpoint(raw string) (endpoint, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, "", fmt.Errorf("parsing url: %w", err)
	}
	e := endpoint{ldaps: u.Scheme == "ldaps"}
	port := u.Port()
	switch {
	case u.Scheme != "ldap" && u.Scheme != "ldaps":
		return endpoint{}, "", errors.New("url must start with ldap:// or ldaps://")
	case u.Hostname() == "":
		return endpoint{}, "", errors.New("url has no host")
	case port == "" && e.ldaps:
		port = "636"
	case port == "":
		port = "389"
	}
	e.addr = net.JoinHostPort(u.Hostname(), port)
	return e, u.Hostname(), nil
}

// dial opens a connection and secures it (TLS from the first byte for ldaps://, StartTLS for
// ldap://), all before ctx's deadline, which callers always set.
func dial(ctx context.Context, e endpoint, tc *tls.Config, requestTimeout time.Duration) (*conn, error) {
	var dialer net.Dialer
	raw, err := dialer.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return nil, unavailable("dialing", err)
	}
	c := &conn{raw: raw}
	release := c.bound(ctx)
	var nc net.Conn = raw
	if e.ldaps {
		secured := tls.Client(raw, tc)
		if err := secured.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, unavailable("TLS handshake", err)
		}
		nc = secured
	}
	c.Conn = ldap.NewConn(nc, e.ldaps)
	c.Start()
	c.SetTimeout(requestTimeout)
	if !e.ldaps {
		if err := c.StartTLS(tc); err != nil {
			c.Close()
			return nil, unavailable("starting TLS", err)
		}
	}
	if !release() {
		c.Close()
		return nil, unavailable("dialing", ctx.Err())
	}
	return c, nil
}

// bound makes every read and write on the connection fail at ctx's deadline, or at once when
// ctx is cancelled. The returned release lifts that again and tells whether the connection is
// still usable (ctx did not cut it off meanwhile).
func (c *conn) bound(ctx context.Context) (release func() bool) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Time{}
	}
	_ = c.raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = c.raw.SetDeadline(longAgo) })
	return func() bool {
		if !stop() {
			return false
		}
		return c.raw.SetDeadline(time.Time{}) == nil && (c.Conn == nil || !c.IsClosing())
	}
}
