package ldaptest

import (
	"bufio"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
)

// StartHanging starts a TCP listener on 127.0.0.1 that accepts connections
// and never answers, for "directory hangs" tests, and returns its
// ldap://127.0.0.1:PORT URL. Listener and connections are closed when the
// test ends.
func StartHanging(t testing.TB) (url string) {
	t.Helper()
	return startStalling(t, func(net.Conn) {})
}

// StartHangingAfterStartTLS starts a listener on 127.0.0.1 that answers the
// first request of each connection, a StartTLS extended request, with
// success, and then never says another word: the client's TLS handshake
// waits for a ServerHello that never comes. It returns the
// ldap://127.0.0.1:PORT URL; everything is closed when the test ends.
func StartHangingAfterStartTLS(t testing.TB) (url string) {
	t.Helper()
	return startStalling(t, acceptStartTLS)
}

// startStalling listens on 127.0.0.1, runs greet on each accepted
// connection and then keeps it open without reading or writing.
func startStalling(t testing.TB, greet func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("ldaptest: listen: %v", err)
	}
	var (
		mu     sync.Mutex
		conns  []net.Conn
		closed bool
		wg     sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				time.Sleep(10 * time.Millisecond) // transient (e.g. EMFILE): keep listening
				continue
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				_ = c.Close()
				continue
			}
			conns = append(conns, c)
			wg.Add(1)
			mu.Unlock()
			go func() {
				defer wg.Done()
				greet(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		closed = true
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "ldap://" + l.Addr().String()
}

// startTLSOID names the StartTLS extended operation (RFC 4511, 4.14).
const startTLSOID = "1.3.6.1.4.1.1466.20037"

// acceptStartTLS reads one request and, when it is StartTLS, answers it
// with success (an ExtendedResponse with resultCode 0 and the OID).
func acceptStartTLS(c net.Conn) {
	req, err := ber.ReadPacket(bufio.NewReader(c))
	if err != nil || len(req.Children) < 2 || req.Children[1].Tag != 23 { // ExtendedRequest
		return
	}
	id, ok := req.Children[0].Value.(int64)
	if !ok {
		return
	}
	msg := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
	msg.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "MessageID"))
	res := ber.Encode(ber.ClassApplication, ber.TypeConstructed, 24, nil, "Extended Response")
	res.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 0, "resultCode"))
	res.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
	res.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "diagnosticMessage"))
	res.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 10, startTLSOID, "responseName"))
	msg.AppendChild(res)
	_, _ = c.Write(msg.Bytes())
}
