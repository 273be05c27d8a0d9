// Package integrity holds the write rules that every mutation passes, whoever sends it:
// referenced ids exist and point at the right type, unique fields are free, derived fields are
// set, and texts are not blank. Violations are apperr errors naming the GraphQL input field, so
// that a client learns what to fix and the transaction writes nothing.
package integrity

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	entsql "entgo.io/ent/dialect/sql"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/server/apperr"
)

// Install adds the rules of every type to a client opened on the given dialect. The rules of
// one type are declared in its schema (ent/schema/<type>.go: Hooks) and live in this
// package's file of the same name; they run after these and after the type's policy.
func Install(client *ent.Client, dialectName string) {
	client.Use(values, references(dialectName), uniqueness(dialectName))
}

// querier is what every generated mutation offers: the client of its transaction.
type querier interface{ Client() *ent.Client }

// references checks that each id a mutation links to has the edge's type and exists (not for
// types only the server writes: their foreign keys check).
func references(dialectName string) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			info, ok := ent.SchemaInfo[m.Type()]
			q, hasClient := m.(querier)
			if !ok || !hasClient || info.ServerWritten {
				return next.Mutate(ctx, m)
			}
			for _, name := range m.AddedEdges() {
				edge := info.Edges[name]
				if err := checkExist(ctx, q.Client(), dialectName, edge, m.AddedIDs(name)); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

func checkExist(ctx context.Context, c *ent.Client, dialectName string, edge ent.EdgeInfo, values []ent.Value) error {
	if len(values) == 0 {
		return nil
	}
	args := make([]any, 0, len(values))
	want := map[gid.ID]bool{}
	for _, v := range values {
		id, ok := v.(gid.ID)
		if table, err := gid.Table(id); !ok || err != nil || table != edge.Table {
			return apperr.Invalid(edge.Input, "refers to an object that does not exist")
		}
		if !want[id] {
			want[id] = true
			args = append(args, id)
		}
	}
	b := entsql.Dialect(dialectName)
	query, qargs := b.Select("id").From(b.Table(edge.Table)).Where(entsql.In("id", args...)).Query()
	found, err := countRows(ctx, c, query, qargs)
	if err != nil {
		return fmt.Errorf("checking references of %s: %w", edge.Input, err)
	}
	if found != len(want) {
		return apperr.Invalid(edge.Input, "refers to an object that does not exist")
	}
	return nil
}

// uniqueness checks that a unique field is not already taken by another row, so that the client
// gets the field's name instead of a constraint error (not for types only the server writes:
// their unique indexes check).
func uniqueness(dialectName string) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			info, ok := ent.SchemaInfo[m.Type()]
			q, hasClient := m.(querier)
			if !ok || !hasClient || info.ServerWritten || !(m.Op().Is(ent.OpCreate) || m.Op().Is(ent.OpUpdateOne)) {
				return next.Mutate(ctx, m)
			}
			for _, name := range info.Unique {
				v, set := m.Field(name)
				if !set {
					continue
				}
				if err := checkFree(ctx, q.Client(), dialectName, info.Table, name, v, mutationID(m)); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

func checkFree(ctx context.Context, c *ent.Client, dialectName, table, column string, value ent.Value, self gid.ID) error {
	b := entsql.Dialect(dialectName)
	where := entsql.EQ(column, value)
	if self != "" {
		where = entsql.And(where, entsql.NEQ("id", self))
	}
	query, args := b.Select("id").From(b.Table(table)).Where(where).Limit(1).Query()
	n, err := countRows(ctx, c, query, args)
	if err != nil {
		return fmt.Errorf("checking that %s is free: %w", column, err)
	}
	if n > 0 {
		return apperr.Invalid(FieldName(column), "is already taken")
	}
	return nil
}

func mutationID(m ent.Mutation) gid.ID {
	if withID, ok := m.(interface{ ID() (gid.ID, bool) }); ok {
		if id, ok := withID.ID(); ok {
			return id
		}
	}
	return ""
}

func countRows(ctx context.Context, c *ent.Client, query string, args []any) (int, error) {
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// FieldName turns an ent field name (display_name, online_url) into its GraphQL name
// (displayName, onlineURL), spelling initialisms as entgql does.
func FieldName(entName string) string {
	var b strings.Builder
	for i, part := range strings.Split(entName, "_") {
		switch {
		case i == 0:
			b.WriteString(part)
		case isInitialism(part):
			b.WriteString(strings.ToUpper(part))
		case part != "":
			r, size := utf8.DecodeRuneInString(part)
			b.WriteRune(unicode.ToUpper(r))
			b.WriteString(part[size:])
		}
	}
	return b.String()
}

// isInitialism tells the words entgql writes in capitals in GraphQL names.
func isInitialism(word string) bool {
	switch word {
	case "id", "url", "uri", "api", "html", "http", "json", "ip", "sql", "uuid":
		return true
	}
	return false
}
