// Package gid defines Zirkel's global identifiers: opaque, random, and the same in every database.
//
// An id is a short type prefix, an underscore and 128 random bits in lower-case base32, for
// example "org_5kq3m0x2vd7ra1ychtnbq8gw4e". It reveals neither how many rows exist nor in which
// order they were created, and because it is stored as text it survives an export from SQLite
// into PostgreSQL (or back) unchanged. The prefix lets `node(id:)` find the table without a query.
package gid

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/base32"
	"fmt"
	"io"
	"strconv"
	"strings"

	"zirkel/server/apperr"
)

// ID is a global identifier of one Zirkel object.
type ID string

// encoding is lower-case base32 without padding (26 characters for 16 bytes).
var encoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

const randomLen = 26

// prefixes maps a type prefix to the ent table of that type; filled by Register.
var prefixes = map[string]string{}

// Register records that ids with the given prefix belong to the given table. Each schema calls
// it once (through Mixin) so that a prefix can never be used twice.
func Register(prefix, table string) {
	if t, ok := prefixes[prefix]; ok && t != table {
		panic(fmt.Sprintf("gid: prefix %q used by %s and %s", prefix, t, table))
	}
	prefixes[prefix] = table
}

// New returns a fresh random id with the given prefix.
func New(prefix string) ID {
	var b [16]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		panic(fmt.Sprintf("gid: reading random bytes: %v", err))
	}
	return ID(prefix + "_" + encoding.EncodeToString(b[:]))
}

// Parse checks that s is a well-formed id of a registered type.
func Parse(s string) (ID, error) {
	if _, err := Table(ID(s)); err != nil {
		return "", err
	}
	return ID(s), nil
}

// Table returns the ent table that an id belongs to.
func Table(id ID) (string, error) {
	prefix, random, ok := strings.Cut(string(id), "_")
	if !ok || len(random) != randomLen {
		return "", fmt.Errorf("malformed id")
	}
	if _, err := encoding.DecodeString(random); err != nil {
		return "", fmt.Errorf("malformed id")
	}
	table, ok := prefixes[prefix]
	if !ok {
		return "", fmt.Errorf("malformed id")
	}
	return table, nil
}

// Scan implements sql.Scanner.
func (id *ID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = ""
	case string:
		*id = ID(v)
	case []byte:
		*id = ID(v)
	default:
		return fmt.Errorf("gid: cannot scan %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (id ID) Value() (driver.Value, error) { return string(id), nil }

// MarshalGQL writes the id as a GraphQL string.
func (id ID) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(id))) }

// UnmarshalGQL reads an id from GraphQL input and refuses anything malformed.
func (id *ID) UnmarshalGQL(v any) error {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case ID: // variables arrive already coerced
		s = string(v)
	default:
		return apperr.Invalid("", "an id must be a string")
	}
	parsed, err := Parse(s)
	if err != nil {
		return apperr.Invalid("", "is not a valid id")
	}
	*id = parsed
	return nil
}
