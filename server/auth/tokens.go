package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// newToken returns 256 random bits, URL-safe.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the database stores of a token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// csrfToken is derived from the session token: only someone who holds the session (the
// server, from the HttpOnly cookie) can compute it, and the page learns it from the login
// answer.
func csrfToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("zirkel-csrf:" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
