package ldaptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tlsFiles are the PEM files slapd reads for StartTLS and ldaps://.
type tlsFiles struct {
	CAFile, CertFile, KeyFile string
	caPEM                     []byte
}

// writeTLSFiles generates a throw-away CA and a server certificate signed by
// it (SANs 127.0.0.1, ::1 and localhost) and writes both to dir.
func writeTLSFiles(dir string) (tlsFiles, error) {
	caCert, caKey, err := newCA()
	if err != nil {
		return tlsFiles{}, err
	}
	srvDER, srvKeyDER, err := newServerCert(caCert, caKey)
	if err != nil {
		return tlsFiles{}, err
	}
	files := tlsFiles{
		CAFile:   filepath.Join(dir, "ca.pem"),
		CertFile: filepath.Join(dir, "server.pem"),
		KeyFile:  filepath.Join(dir, "server-key.pem"),
		caPEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw}),
	}
	writes := []struct {
		path string
		data []byte
	}{
		{files.CAFile, files.caPEM},
		{files.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER})},
		{files.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: srvKeyDER})},
	}
	for _, w := range writes {
		if err := os.WriteFile(w.path, w.data, 0o600); err != nil {
			return tlsFiles{}, err
		}
	}
	return files, nil
}

// newCA returns a self-signed ECDSA P-256 CA valid for two days.
func newCA() (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "zirkel ldaptest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(48 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// newServerCert returns the DER certificate and PKCS#8 key of a server
// certificate for 127.0.0.1, ::1 and localhost, signed by the CA.
func newServerCert(ca *x509.Certificate, caKey *ecdsa.PrivateKey) (certDER, keyDER []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(48 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	if certDER, err = x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey); err != nil {
		return nil, nil, fmt.Errorf("create server certificate: %w", err)
	}
	keyDER, err = x509.MarshalPKCS8PrivateKey(key)
	return certDER, keyDER, err
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n
}

// CAFile writes a freshly generated test CA certificate (PEM) into a
// temporary directory of the test and returns its path, for configurations
// that need a readable CA file but no running server.
func CAFile(t testing.TB) string {
	t.Helper()
	files, err := writeTLSFiles(t.TempDir())
	if err != nil {
		t.Fatalf("ldaptest: writing a CA: %v", err)
	}
	return files.CAFile
}
